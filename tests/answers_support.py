"""Shared by the answers tests: a real Library (embedded Chroma, fake embeddings) holding the sample reports."""

from __future__ import annotations

import re
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "reports"


def sample_reports_library(home: Path):
    """A real ``vectorstore.Library`` under ``home`` with the five sample reports, parsed by the real ingest."""
    from assistant.ingest import parse_file
    from assistant.settings import Settings
    from vectorstore import FakeEmbedding, open_library

    library = open_library(Settings(home=home), embedding=FakeEmbedding())
    for path in sorted(SAMPLES.glob("*.txt")):
        library.add(parse_file(path))
    return library


def material_ids(messages) -> dict[str, str]:
    """evidence id → the passage text the prompt shows under it (the user message only)."""
    material = messages[-1]["content"]
    found = {}
    for block in material.split("\n\n"):
        m = re.search(r"^\[(ev-[0-9a-f]{8})\][^\n]*\n(.*)", block, re.S | re.M)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def id_of_passage_with(messages, needle: str) -> str:
    for ev_id, text in material_ids(messages).items():
        if needle in text:
            return ev_id
    raise AssertionError(f"no passage with {needle!r} in the prompt")
