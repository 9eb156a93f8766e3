"""The Gradio app: five tabs (对话, 起草, 报告库, 摘要, 评测) and a status line, in Chinese.

``build_demo`` wires the tabs to the library; it opens nothing (library and model are resolved on first
use), so the page comes up even when the Chroma server or the model is down, and says so in a banner.
Per-user data (chats, drafts, eval results) lives in ``gr.State``; the library is the only shared thing.
"""

from __future__ import annotations

import os
from typing import Any

# No telemetry, no update check: nothing may leave the machine. Must be set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from ui import access, chat_tab, draft_tab, evals_tab, library_tab, status, summary_tab  # noqa: E402
from ui.context import AppContext  # noqa: E402

TITLE = "法治政府建设年度报告助手"

CSS = """
.gradio-container { max-width: 1400px !important; font-family: "Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", sans-serif; }
#app-title h1 { font-size: 1.5rem; margin: 0.2rem 0; }
.status-line { font-size: 0.85rem; color: #444; padding: 2px 0; }
.status-banner { background: #fdecea; color: #8a1c13; border: 1px solid #f5c2bd; border-radius: 6px;
  padding: 8px 12px; margin: 4px 0; font-weight: 600; }
.note { margin-top: 6px; padding: 6px 10px; border-radius: 6px; font-size: 0.9rem; }
.note-refusal { background: #eef4fb; color: #1d4f82; border: 1px solid #c7dcf2; }
.note-warning { background: #fff6e0; color: #7a5200; border: 1px solid #f0d79a; }
.note-error { background: #fdecea; color: #8a1c13; border: 1px solid #f5c2bd; }
.note-muted { color: #666; }
.instruction-flag { background: #fff6e0; color: #7a5200; border-left: 3px solid #f0b429; padding: 2px 6px; }
mark.ungrounded { background: #ffe08a; color: #6b3d00; padding: 0 2px; border-radius: 3px; }
.citations { margin-top: 8px; border-top: 1px solid #ddd; padding-top: 4px; }
.citations-title { font-weight: 600; font-size: 0.85rem; color: #555; }
details.citation { margin: 3px 0; font-size: 0.9rem; }
details.citation summary { cursor: pointer; color: #1d4f82; }
details.citation blockquote.quote { margin: 4px 0 4px 12px; padding: 4px 8px; border-left: 3px solid #c7dcf2;
  color: #333; white-space: pre-wrap; }
.scope { font-size: 0.9rem; color: #1d4f82; }
.hint { font-size: 0.85rem; color: #666; }
.report-view { line-height: 1.7; }
.report-view .report-meta { color: #555; font-size: 0.85rem; margin-bottom: 8px; }
.report-view .section { margin-top: 10px; }
.report-view .depth-1 { margin-left: 1.2em; } .report-view .depth-2 { margin-left: 2.4em; }
.report-view .depth-3 { margin-left: 3.6em; }
.part-tag { display: inline-block; background: #e8f0fb; color: #1d4f82; border-radius: 4px; font-size: 0.75rem;
  padding: 0 6px; margin-right: 6px; }
.draft-progress { font-size: 0.9rem; color: #1d4f82; }
.placeholder-list li { color: #8a1c13; }
"""


def build_demo(settings: Settings | None = None, library: Any = None, model: Any = None) -> gr.Blocks:
    """The whole UI. ``library``/``model`` may be injected (tests); otherwise they come from the settings."""
    ctx = AppContext.create(settings, library, model)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        with gr.Row(equal_height=True):
            gr.Markdown(f"# {TITLE}", elem_id="app-title")
            refresh_status = gr.Button("刷新状态", size="sm", scale=0, min_width=100, elem_id="refresh-status")
        status_html = gr.HTML(status.render(ctx), elem_id="status")
        with gr.Tabs():
            with gr.Tab("对话", id="chat") as chat_page:
                chat = chat_tab.build(ctx)
            with gr.Tab("起草", id="draft") as draft_page:
                draft = draft_tab.build(ctx)
            with gr.Tab("报告库", id="library") as library_page:
                lib = library_tab.build(ctx)
            with gr.Tab("摘要", id="summary") as summary_page:
                summ = summary_tab.build(ctx)
            with gr.Tab("评测", id="evals") as evals_page:
                evals = evals_tab.build(ctx)

        # Choices that depend on the library are refreshed when the page loads and when a tab is opened
        # (another session may have added or removed a report meanwhile).
        chat_outputs = [chat.org_filter, chat.year_filter]
        draft_outputs = [draft.org]
        lib_outputs = [lib.table, lib.picker]
        summ_outputs = [summ.report, summ.tracker_org]
        evals_outputs = [evals.suites, evals.earlier]

        def on_load() -> tuple:
            line = status.probe(ctx)
            return (
                line,
                *chat_tab.refresh_choices(ctx),
                draft_tab.refresh(ctx),
                *library_tab.refresh(ctx),
                *summary_tab.refresh(ctx),
                *evals_tab.refresh(ctx),
            )

        demo.load(on_load, None, [status_html, *chat_outputs, *draft_outputs, *lib_outputs, *summ_outputs, *evals_outputs])
        chat_page.select(lambda: chat_tab.refresh_choices(ctx), None, chat_outputs)
        draft_page.select(lambda: draft_tab.refresh(ctx), None, draft_outputs)
        library_page.select(lambda: library_tab.refresh(ctx), None, lib_outputs, api_name="refresh_library")
        summary_page.select(lambda: summary_tab.refresh(ctx), None, summ_outputs)
        evals_page.select(lambda: evals_tab.refresh(ctx), None, evals_outputs)
        refresh_status.click(lambda: status.probe(ctx), None, status_html)
        # The banner follows errors met by any tab; rendering reads only remembered state, so it is cheap.
        timer = gr.Timer(5.0)
        timer.tick(lambda: status.render(ctx), None, status_html, show_progress="hidden", queue=False)
    return demo


def launch_kwargs(settings: Settings, insecure_no_auth: bool = False) -> dict[str, Any]:
    """Arguments for ``demo.launch``: bind address, auth, login throttle, upload limit, look. Never a public
    share link. An address other than loopback without a login raises ``BadInput`` (``ui.access.check_bind``)."""
    access.check_bind(settings, insecure_no_auth)
    ui = settings.ui
    auth = None
    if ui.username and ui.password:
        auth = (ui.username, ui.password.get_secret_value())
    return {
        "server_name": ui.host,
        "server_port": ui.port,
        "auth": auth,
        "auth_message": "请输入用户名和密码" if auth else None,
        "max_file_size": f"{ui.max_upload_mb:g}mb",
        "share": False,
        "css": CSS,
        # Local fonts only: the default theme would fetch Google Fonts, and nothing may leave the machine.
        "theme": gr.themes.Default(
            font=["Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "sans-serif"],
            font_mono=["Noto Sans Mono CJK SC", "monospace"],
        ),
        "show_error": True,
        "app_kwargs": {"middleware": access.middleware(settings)},  # wrong passwords throttled per client
        "ssr_mode": False,
        "footer_links": [],
    }


def queue(demo: gr.Blocks, settings: Settings) -> gr.Blocks:
    """Long work runs on the queue; the model handles one request at a time unless the endpoint allows more."""
    limit = settings.llm.concurrency if settings.llm.base_url else 1
    return demo.queue(default_concurrency_limit=limit, max_size=64)


def __getattr__(name: str):
    """``ui.app.demo`` is built on first access (``gradio ui/app.py`` finds it), not at import time."""
    if name == "demo":
        global demo
        demo = build_demo()
        return demo
    raise AttributeError(name)
