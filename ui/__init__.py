"""The Gradio UI (Chinese). ``ui.app.build_demo`` builds it; ``assistant ui`` launches it.

Nothing here retrieves, prompts or drafts: every tab calls the library (``assistant.*``, ``vectorstore``,
``evals``) and only formats what comes back.
"""
