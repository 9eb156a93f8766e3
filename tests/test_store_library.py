"""The library against real Chroma — embedded and a `chroma run` server — with fake embeddings for speed.

Every test here runs twice (``backend`` = embedded | server) with the same assertions.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from assistant.errors import BadInput, EmbeddingMismatch
from assistant.settings import get_settings
from assistant.types import Part, SearchFilter
from vectorstore import FakeEmbedding, open_library
from vectorstore.testing import ChromaServer, make_report

M, L, S, C, P = Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS


def stored_rows(lib) -> int:
    """Chunk rows in Chroma itself (embedded Chroma is only opened under the write lock)."""
    with lib.lock:
        return lib._store().chunks.count()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    with ChromaServer(tmp_path_factory.mktemp("chroma-server")) as server:
        yield server


@pytest.fixture(params=["embedded", "server"])
def backend(request):
    return request.param


@pytest.fixture
def open_lib(backend, request, monkeypatch):
    """open_lib(embedding=None) → a Library on this test's own store (own collection on the server)."""
    if backend == "server":
        server = request.getfixturevalue("chroma_server")
        monkeypatch.setenv("ASSISTANT_CHROMA_HOST", server.host)
        monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(server.port))
        monkeypatch.setenv("ASSISTANT_CHROMA_COLLECTION", f"t{uuid.uuid4().hex[:10]}")
    get_settings.cache_clear()

    def _open(embedding=None, batch_size=None):
        settings = get_settings()
        if batch_size:
            settings = settings.model_copy(
                update={"embedding": settings.embedding.model_copy(update={"batch_size": batch_size})}
            )
        lib = open_library(settings, embedding=embedding or FakeEmbedding())
        with lib.lock:
            assert ("FastAPI" in type(lib._store().client._server).__name__) == (backend == "server")
        return lib

    return _open


def jingyuan(version: str = "甲") -> object:
    return make_report(
        "泾源县",
        2024,
        [
            (M, f"{version}版:全年调解矛盾纠纷930件,调解成功率96.77%。"),
            (M, f"{version}版:培育法律明白人120名,开展普法活动45场次。"),
            (L, f"{version}版:县委书记、县长认真履行法治建设第一责任人职责。"),
            (S, f"{version}版:一是行政执法人员素质有待提高。"),
            (P, f"{version}版:一是加强行政执法证管理,实现持证上岗。"),
        ],
        level="县/区",
    )


def xuxing() -> object:
    return make_report(
        "徐行镇",
        2024,
        [
            (M, "徐行镇重大行政决策事项3项,全部经过合法性审查。"),
            (S, "法治宣传的针对性不强,群众参与度不高。"),
            (P, "2025年,徐行镇将深化新时代枫桥经验,加强人民调解。"),
        ],
    )


def jingjia(year: int = 2023) -> object:
    return make_report(
        "荆家镇",
        year,
        [(M, f"荆家镇{year}年调解矛盾纠纷210件。"), (C, "原因是基层法治力量薄弱。")],
    )


def test_add_is_idempotent_and_records_round_trip(open_lib):
    emb = FakeEmbedding()
    lib = open_lib(emb)
    report = jingyuan()
    assert lib.add(report) == "added"
    calls = emb.calls
    assert lib.add(report) == "unchanged"
    assert emb.calls == calls == 5
    (stored,) = lib.reports()
    assert stored.to_dict() == report.to_dict()
    for ref in ("泾源县-2024", "泾源县2024", "泾源县 2024", "泾源县", "泾源 2024年"):
        assert lib.get(ref).id == "泾源县-2024"
    assert len(lib.chunks()) == 5


def test_get_unknown_or_ambiguous_lists_candidates(open_lib):
    lib = open_lib()
    lib.add(jingjia(2023))
    lib.add(jingjia(2024))
    with pytest.raises(BadInput, match="荆家镇-2023、荆家镇-2024"):
        lib.get("荆家镇")
    with pytest.raises(BadInput, match="现有报告"):
        lib.get("泾源县-2024")
    assert lib.get("荆家 2024").id == "荆家镇-2024"


def test_changed_report_replaces_its_chunks(open_lib):
    lib = open_lib()
    lib.add(jingyuan("甲"))
    lib.add(xuxing())
    assert lib.add(jingyuan("乙")) == "replaced"
    texts = [c.text for c in lib.chunks(SearchFilter(orgs=["泾源县"]))]
    assert len(texts) == 5 and all(t.startswith("乙版") for t in texts)
    hits = lib.search("调解矛盾纠纷", k=20, infer=False).hits
    assert not any(h.chunk.text.startswith("甲版") for h in hits)
    # old generation rows are gone from Chroma itself, not only hidden
    assert stored_rows(lib) == 5 + 3


def test_never_embeds_the_same_text_twice(open_lib, isolated_home):
    emb = FakeEmbedding()
    lib = open_lib(emb)
    lib.add(jingyuan("甲"))
    assert emb.calls == 5
    lib.add(make_report("泾源县", 2024, [(c.part, c.text) for c in jingyuan("甲").chunks[:4]], level="县/区"))
    assert emb.calls == 5  # four unchanged texts, all reused
    # a fresh process (new embedding object) finds the vectors in the disk cache …
    emb2 = FakeEmbedding()
    lib2 = open_lib(emb2)
    lib2.add(jingyuan("甲"))
    assert emb2.calls == 0
    # … and, without the disk cache, in Chroma itself
    lib2._vector_cache().close()
    (isolated_home / "cache" / "embeddings.sqlite").unlink()
    emb3 = FakeEmbedding()
    lib3 = open_lib(emb3)
    lib3.remove("泾源县-2024")
    lib3.add(xuxing())
    lib3.add(make_report("徐行镇", 2024, [(M, "徐行镇重大行政决策事项3项,全部经过合法性审查。")]))
    assert emb3.calls == 3  # the one kept chunk came back from Chroma


def test_remove_deletes_report_and_chunks(open_lib):
    lib = open_lib()
    lib.add(jingyuan())
    lib.add(xuxing())
    removed = lib.remove("泾源县2024")
    assert removed.id == "泾源县-2024"
    assert [r.id for r in lib.reports()] == ["徐行镇-2024"]
    assert all(h.chunk.org == "徐行镇" for h in lib.search("调解矛盾纠纷", k=10, infer=False).hits)
    assert stored_rows(lib) == 3
    with pytest.raises(BadInput):
        lib.remove("泾源县2024")


def test_interrupted_ingest_leaves_library_as_before(open_lib):
    lib = open_lib()
    lib.add(jingyuan("甲"))

    class Interrupted(FakeEmbedding):
        def __call__(self, input):
            raise KeyboardInterrupt

    # 1) Ctrl-C while embedding
    lib_b = open_lib(Interrupted(), batch_size=2)
    with pytest.raises(KeyboardInterrupt):
        lib_b.add(jingyuan("乙"))
    # 2) crash after the new chunks are written, before the record flips
    def crash(*a, **kw):
        raise KeyboardInterrupt

    with lib.lock:
        lib._store().put_record = crash
    with pytest.raises(KeyboardInterrupt):
        lib.add(jingyuan("丙"))
    fresh = open_lib()
    hits = fresh.search("泾源县调解矛盾纠纷", k=20).hits
    assert hits and all(h.chunk.text.startswith("甲版") for h in hits)
    assert fresh.get("泾源县-2024").chunks[0].text.startswith("甲版")
    # the next successful ingest clears the half-written generation
    assert fresh.add(jingyuan("丁")) == "replaced"
    assert stored_rows(fresh) == 5


def test_replace_is_atomic_for_concurrent_readers(open_lib, monkeypatch):
    writer_lib = open_lib()
    reader_lib = open_lib()
    writer_lib.add(jingyuan("甲"))
    # Widen the race: the reader pauses between taking its snapshot and reading its rows, which is
    # where a writer's flip-then-delete could slip in if reads went to Chroma.
    from vectorstore.view import Snapshot

    rows = Snapshot.rows

    def slow_rows(self, positions):
        time.sleep(0.03)
        return rows(self, positions)

    monkeypatch.setattr(Snapshot, "rows", slow_rows)
    stop = threading.Event()
    problems: list[str] = []
    searches = 0

    def write():
        try:
            for i in range(10):
                writer_lib.add(jingyuan("乙" if i % 2 == 0 else "甲"))
                time.sleep(0.02)  # let the reader interleave with every flip
        finally:
            stop.set()

    reader_lib.search("泾源县", k=1)  # warm up (jieba, BM25 snapshot) before the race starts

    t = threading.Thread(target=write)
    t.start()
    while not stop.is_set() or searches < 3:
        # alternate hybrid and dense-only: the dense half alone must not come back empty either
        mode = ("hybrid", "dense")[searches % 2]
        hits = reader_lib.search("泾源县 调解 法律明白人 执法", k=50, mode=mode).hits
        versions = {h.chunk.text[0] for h in hits}
        searches += 1
        if len(hits) != 5 or len(versions) != 1:
            problems.append(f"search {searches}: {len(hits)} hits, versions {versions}")
    t.join()
    assert not problems, problems


def test_filters_explicit_inferred_and_overridden(open_lib):
    lib = open_lib()
    for r in (jingyuan(), xuxing(), jingjia(2023), jingjia(2024)):
        lib.add(r)
    res = lib.search("徐行镇调解工作怎么样?", k=10)
    assert res.filter.inferred and res.filter.orgs == ["徐行镇"]
    assert {h.chunk.org for h in res.hits} == {"徐行镇"}
    res = lib.search("荆家2023年调解了多少纠纷", k=10)
    assert res.filter.orgs == ["荆家镇"] and res.filter.years == [2023]
    assert {h.chunk.report_id for h in res.hits} == {"荆家镇-2023"}
    # an explicit filter wins over what the question names
    res = lib.search("荆家镇调解纠纷", filter=SearchFilter(orgs=["泾源县"]), k=10)
    assert not res.filter.inferred and {h.chunk.org for h in res.hits} == {"泾源县"}
    res = lib.search("徐行镇调解", infer=False, k=20)
    assert res.filter.is_empty() and len({h.chunk.org for h in res.hits}) > 1
    res = lib.search("存在的问题", filter=SearchFilter(parts=[Part.SHORTCOMINGS]), k=20)
    assert res.hits and {h.chunk.part for h in res.hits} == {Part.SHORTCOMINGS}
    res = lib.search("调解", filter=SearchFilter(levels=["县/区"]), k=20)
    assert {h.chunk.org for h in res.hits} == {"泾源县"}
    assert lib.search("调解", filter=SearchFilter(years=[1999])).hits == []


def test_hits_carry_both_ranks_and_the_chunk_text(open_lib):
    lib = open_lib()
    lib.add(jingyuan())
    lib.add(xuxing())
    hit = lib.search("法律明白人培育了多少名", k=3).hits[0]
    assert "法律明白人120名" in hit.chunk.text and hit.bm25_rank == 1 and hit.dense_rank is not None
    assert lib.get("泾源县-2024").text[hit.chunk.start : hit.chunk.end] == hit.chunk.text


def test_mismatched_embedding_model_is_refused(open_lib):
    open_lib(FakeEmbedding(64)).add(jingyuan())
    with pytest.raises(EmbeddingMismatch, match="fake:hash-64"):
        open_lib(FakeEmbedding(32))


def test_update_meta_moves_chunks_and_labels(open_lib):
    lib = open_lib()
    lib.add(jingjia(2023))
    lib.add(xuxing())
    updated = lib.update_meta("荆家镇", year=2022, level="乡")
    assert updated.id == "荆家镇-2022" and updated.meta.provenance["year"] == "user"
    assert [r.id for r in lib.reports()] == ["徐行镇-2024", "荆家镇-2022"]
    chunks = lib.chunks(SearchFilter(orgs=["荆家镇"]))
    assert {c.year for c in chunks} == {2022} and {c.level for c in chunks} == {"乡"}
    assert all(c.index_text.startswith("【荆家镇 2022年 · ") for c in chunks)
    # the original file ingested again is recognised, not duplicated
    assert lib.add(jingjia(2023)) == "unchanged"
    with pytest.raises(BadInput, match="已有"):
        lib.update_meta("荆家镇", org="徐行镇", year=2024)
    with pytest.raises(BadInput, match="层级"):
        lib.update_meta("荆家镇", level="省")
    assert [r.id for r in lib.reports()] == ["徐行镇-2024", "荆家镇-2022"]


def test_bad_input_stores_nothing(open_lib):
    lib = open_lib()
    broken = jingyuan()
    broken.chunks[1].text = "与正文不符"
    with pytest.raises(BadInput, match="不一致"):
        lib.add(broken)
    assert lib.reports() == [] and stored_rows(lib) == 0
    with pytest.raises(BadInput, match="问题"):
        lib.search("   ")
    assert lib.search("调解").hits == []
