"""Progress events streamed while a draft is written (CLI prints them, the UI shows them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from assistant.types import Part

EventKind = Literal["section", "delta", "paragraph", "section_done", "done"]


@dataclass
class DraftEvent:
    """``section``: a section starts; ``delta``: model text as it arrives; ``paragraph``: one unit written
    and checked (``text`` is the checked text, ``notes`` what the checks changed); ``section_done``;
    ``done``: the whole draft is ready."""

    kind: EventKind
    section: int  # 1-based index of the section being written
    sections: int  # how many sections this run writes
    part: Part | None = None
    heading: str = ""
    unit: int = 0  # 1-based index of the model call within the section
    units: int = 0
    label: str = ""  # what the unit answers, e.g. 安排-3
    text: str = ""
    notes: list[str] = field(default_factory=list)
