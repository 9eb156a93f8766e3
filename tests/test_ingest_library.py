"""Ingestion into the real library (embedded Chroma, deterministic fake embeddings): what goes in comes back."""

from __future__ import annotations

import pytest

from assistant import runtime
from assistant.cli import main
from assistant.ingest import ingest_paths, parse_file
from assistant.settings import get_settings
from assistant.types import Part
from tests.conftest import SAMPLES

pytestmark = pytest.mark.slow


@pytest.fixture
def library(monkeypatch):
    from vectorstore import open_library
    from vectorstore.embeddings import FakeEmbedding

    lib = open_library(get_settings(), embedding=FakeEmbedding())
    monkeypatch.setattr(runtime, "library", lambda: lib)
    return lib


def test_samples_round_trip_through_the_store(library, capsys):
    assert main(["ingest", str(SAMPLES), "--no-progress"]) == 0
    assert "新增 5" in capsys.readouterr().out
    for f in sorted(SAMPLES.glob("*.txt")):
        parsed = parse_file(f)
        stored = library.get(parsed.id)
        assert stored.meta == parsed.meta and stored.items == parsed.items and stored.sections == parsed.sections
        assert sorted(c.id for c in library.chunks(None) if c.report_id == parsed.id) == sorted(c.id for c in parsed.chunks)
    summary = ingest_paths(library, [SAMPLES], progress=False)
    assert summary.count("unchanged") == 5
    assert main(["reports"]) == 0
    assert "泾源县-2024  泾源县  县/区  2024  3/0/3" in capsys.readouterr().out


def test_item_chunks_are_findable_by_part(library):
    ingest_paths(library, [SAMPLES / "2024-jingyuan-xian.txt"], progress=False)
    from assistant.types import SearchFilter

    result = library.search("执法力量还相对薄弱", SearchFilter(orgs=["泾源县"], parts=[Part.SHORTCOMINGS]), k=3, infer=False)
    assert result.hits and result.hits[0].chunk.part is Part.SHORTCOMINGS
    assert "执法力量还相对薄弱" in result.hits[0].chunk.text
