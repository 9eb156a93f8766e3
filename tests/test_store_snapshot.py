"""Published snapshots (vectorstore.view), their BM25 arrays and the query tokenizer: the fast read path
must give exactly what the slow, obvious computation gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.settings import get_settings
from assistant.types import Part, SearchFilter
from tests.conftest import SAMPLES
from vectorstore import FakeEmbedding, open_library
from vectorstore.bm25 import BM25Index, TermCounts
from vectorstore.testing import make_report
from vectorstore.tokenize import QueryTokenizer, tokens, write_dictionary


@pytest.fixture(scope="module")
def sample_reports():
    from assistant.ingest import parse_file

    return [parse_file(p) for p in sorted(SAMPLES.glob("*.txt"))]


def test_bm25_scores_are_bm25s_lucene_scores(sample_reports):
    import bm25s

    docs = [tokens(c.index_text) for r in sample_reports for c in r.chunks]
    ours = BM25Index(TermCounts.from_tokens(docs))
    theirs = bm25s.BM25()
    theirs.index(docs, show_progress=False)
    for question in ("泾源县2024年调解矛盾纠纷多少件", "法律明白人", "行政执法人员素质不高的原因", "安排 2025年"):
        q = [t for t in dict.fromkeys(tokens(question)) if t in theirs.vocab_dict]
        assert np.allclose(ours.scores(tokens(question)), theirs.get_scores(q), rtol=1e-5, atol=1e-6)


def test_term_counts_merge_like_a_fresh_build(sample_reports):
    """A snapshot built from slices of the previous one plus new reports scores like one built afresh."""
    per_report = [TermCounts.from_tokens([tokens(c.index_text) for c in r.chunks]) for r in sample_reports]
    whole = TermCounts.concat(per_report)
    kept = TermCounts.concat([whole.slice(0, per_report[0].size), per_report[2], per_report[3]]).compact()
    fresh = TermCounts.from_tokens([tokens(c.index_text) for r in (sample_reports[0], *sample_reports[2:4])
                                    for c in r.chunks])
    q = tokens("调解矛盾纠纷 法律明白人 存在不足")
    assert np.allclose(BM25Index(kept).scores(q), BM25Index(fresh).scores(q), rtol=1e-6)


def test_query_tokenizer_reads_the_dictionary_file_and_agrees(sample_reports, tmp_path):
    texts = [c.index_text for r in sample_reports for c in r.chunks] + [
        "泾源县2024年调解矛盾纠纷多少件?", "徐行镇存在哪些不足", "柱山乡 法律明白人 895人", "縣級 執法人員 ９６．７７％"]
    missing = QueryTokenizer(tmp_path)  # no file yet: the in-memory dictionary
    assert missing.tokens(texts[0]) == tokens(texts[0])
    write_dictionary(tmp_path)
    from_file = QueryTokenizer(tmp_path)
    assert [from_file.tokens(t) for t in texts] == [tokens(t) for t in texts]
    assert from_file._tok is not None and not isinstance(from_file._tok.FREQ, dict)


def test_catalog_entries_are_light_and_complete(sample_reports):
    lib = open_library(get_settings(), embedding=FakeEmbedding())
    for r in sample_reports:
        lib.add(r)
    catalog = lib.catalog()
    assert [e.id for e in catalog] == [r.id for r in sorted(sample_reports, key=lambda r: (r.meta.org, r.meta.year))]
    by_id = {r.id: r for r in sample_reports}
    for e in catalog:
        r = by_id[e.id]
        assert (e.org, e.level, e.year, e.title, e.source) == (r.meta.org, r.meta.level, r.meta.year, r.meta.title,
                                                               r.meta.source)
        assert e.chunks == len(r.chunks) and e.parts == tuple(p.value for p in r.parts_found())
        assert e.items == {p.value: len(r.items_of(p)) for p in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)}
        assert (e.published, e.signed) == (r.meta.published, r.meta.signed)
    # a new process lists the library from the snapshot's catalog file, without decoding a report
    fresh = open_library(get_settings(), embedding=FakeEmbedding())
    import vectorstore.view as view

    decoded = []
    real = view.ViewStore.read_report
    view.ViewStore.read_report = lambda self, g: decoded.append(g) or real(self, g)
    try:
        assert [e.id for e in fresh.catalog()] == [e.id for e in catalog]
        fresh.search("调解矛盾纠纷", k=3)
        fresh.infer_filter("泾源县的调解")
        assert decoded == []
        assert fresh.get("泾源县").id == "泾源县-2024" and len(decoded) == 1
    finally:
        view.ViewStore.read_report = real


def test_incremental_snapshot_equals_a_rebuild_from_chroma(sample_reports, isolated_home):
    lib = open_library(get_settings(), embedding=FakeEmbedding())
    for r in sample_reports:
        lib.add(r)
    lib.add(make_report("徐行镇", 2024, [(Part.MEASURES, "徐行镇重大行政决策事项3项,全部经过合法性审查。")]))  # a replace
    lib.remove("柱山乡")
    questions = ["调解矛盾纠纷多少件", "法律明白人", "徐行镇 合法性审查", "存在的不足"]
    before = [[(h.chunk.id, round(h.score, 6)) for h in lib.search(q, k=10, infer=False).hits] for q in questions]
    chunks_before = [c.id for c in lib.chunks(SearchFilter(parts=[Part.PLANS]))]
    # drop every snapshot: the next reader rebuilds one from Chroma alone
    import shutil

    shutil.rmtree(isolated_home / "cache" / "views")
    fresh = open_library(get_settings(), embedding=FakeEmbedding())
    after = [[(h.chunk.id, round(h.score, 6)) for h in fresh.search(q, k=10, infer=False).hits] for q in questions]
    assert after == before
    assert [c.id for c in fresh.chunks(SearchFilter(parts=[Part.PLANS]))] == chunks_before
    assert [e.id for e in fresh.catalog()] == [e.id for e in lib.catalog()]


def test_a_snapshot_is_one_folder_named_by_view_json(isolated_home):
    lib = open_library(get_settings(), embedding=FakeEmbedding())
    for i in range(4):
        lib.add(make_report(f"第{i}镇", 2024, [(Part.MEASURES, f"第{i}镇全年调解矛盾纠纷{i}件。")]))
    views = next((isolated_home / "cache" / "views").iterdir())
    current = json.loads((views / "view.json").read_text())["snapshot"]
    snaps = sorted(p.name for p in views.glob("snap-*"))
    assert current in snaps and len(snaps) <= 2  # the current one and the one before
    assert len(list((views / "reports").glob("*.json.z"))) <= 4 + 1
