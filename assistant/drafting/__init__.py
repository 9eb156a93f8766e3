"""Draft next year's report from last year's: commitments → results, shortcomings → measures, checked by code."""

from assistant.drafting.events import DraftEvent
from assistant.drafting.export_docx import export_docx
from assistant.drafting.markdown import to_markdown
from assistant.drafting.tracker import TrackRow, track
from assistant.drafting.writer import draft_report, regenerate_section

__all__ = ["DraftEvent", "TrackRow", "draft_report", "export_docx", "regenerate_section", "to_markdown", "track"]
