"""`assistant library check [--repair]`: each kind of damage is made for real in Chroma (rows deleted, stray
rows added, a record gone, two processes writing without the lock as the old code did), found, and repaired
from the stored records; a fresh process then reads Chroma itself (tests/test_store_concurrency.audit).

(Deleting a collection's vector-index folder is not damage: embedded Chroma rebuilds it from its log.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from assistant import runtime
from assistant.cli import main
from assistant.settings import get_settings
from vectorstore import FakeEmbedding, open_library

sys.path.insert(0, os.path.dirname(__file__))
from store_worker import version_report  # noqa: E402
from test_store_concurrency import REPO, audit  # noqa: E402

CLEAN = {"lost": [], "orphans": [], "unindexed": [], "index_error": None}


@pytest.fixture
def lib(monkeypatch):
    library = open_library(get_settings(), embedding=FakeEmbedding())
    for org in ("甲镇", "乙镇", "丙镇"):
        library.add(version_report(org, "原"))
    runtime.reset()
    monkeypatch.setattr(runtime, "library", lambda: library)
    return library


def healthy(found: dict) -> bool:
    return {k: found[k] for k in CLEAN} == CLEAN


def searchable(library, org: str) -> int:
    return sum(h.chunk.org == org for h in library.search("调解矛盾纠纷 法律明白人 执法", k=50, infer=False).hits)


def test_a_healthy_library_checks_clean(lib, capsys):
    result = lib.check()
    assert result.ok and result.reports == 3 and result.rows == 15
    assert main(["library", "check"]) == 0
    assert "✓ 每份报告的片段都在" in capsys.readouterr().out


def test_a_listed_report_without_chunks_is_rebuilt_from_its_record(lib, capsys):
    with lib.lock:
        lib._store().chunks.delete(where={"report_id": "乙镇-2024"})
    result = lib.check()
    assert result.missing_chunks == {"乙镇-2024": (0, 5)} and not result.ok
    assert main(["library", "check"]) == 1
    out = capsys.readouterr().out
    assert "1 份报告缺少片段: 乙镇-2024 (0/5)" in out and "--repair" in out
    assert main(["library", "check", "--repair"]) == 0
    out = capsys.readouterr().out
    assert "已修复: 按存储的报告记录重新写入了 1 份报告: 乙镇-2024" in out
    assert lib.check().ok and searchable(lib, "乙镇") == 5
    assert healthy(audit())


def test_orphan_rows_are_found_and_deleted(lib):
    with lib.lock:
        store = lib._store()
        dim = FakeEmbedding().dim
        store.put_chunks(ids=["ch-x@deadbeef0000", "ch-y@deadbeef0001"],
                         metadatas=[{"report_id": "乙镇-2024", "generation": "deadbeef0000"},
                                    {"report_id": "不存在镇-2024", "generation": "deadbeef0001"}],
                         vectors=[[1.0] + [0.0] * (dim - 1)] * 2)
    result = lib.check()
    assert sorted(result.orphan_rows) == ["ch-x@deadbeef0000", "ch-y@deadbeef0001"] and not result.missing_chunks
    repaired = lib.check(repair=True)
    assert repaired.ok and "删除了 2 个孤立片段行" in repaired.repaired
    assert healthy(audit())


UNLOCKED_WRITER = """
import sys, random
import chromadb
from assistant.settings import get_settings
from vectorstore.chroma_store import chroma_settings
s = get_settings()
client = chromadb.PersistentClient(path=str(s.chroma_dir), settings=chroma_settings())
col = client.get_collection(s.chroma.collection)
rows = col.get(include=["embeddings", "metadatas"])
rng = random.Random(sys.argv[1])
for i in range(40):  # what two old-style writers did: rewrite rows and add/delete others, with no lock
    pick = rng.sample(range(len(rows["ids"])), 5)
    col.upsert(ids=[rows["ids"][p] for p in pick], embeddings=[rows["embeddings"][p] for p in pick],
               metadatas=[rows["metadatas"][p] for p in pick])
    junk = [f"junk-{sys.argv[1]}-{i}-{j}@0000{sys.argv[1]}" for j in range(5)]
    col.add(ids=junk, embeddings=[rows["embeddings"][0]] * 5,
            metadatas=[{"report_id": "乙镇-2024", "generation": "0000" + sys.argv[1]}] * 5)
    if i % 3 == 2:
        col.delete(ids=junk[:3])
"""


def test_damage_from_writers_without_the_lock_is_repaired(lib):
    """The audit's failure made the old way (two processes writing one embedded store at once), then repaired."""
    lib._reconnect()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", UNLOCKED_WRITER, tag], env=env, stderr=subprocess.PIPE, text=True)
             for tag in ("a", "b")]
    for p in procs:
        p.communicate(timeout=300)  # either may die of the damage it causes; what it left is what we repair
    damaged = lib.check()
    assert not damaged.ok and damaged.orphan_rows
    repaired = lib.check(repair=True)
    assert repaired.ok, repaired.describe()
    assert healthy(audit())
    assert all(searchable(lib, org) == 5 for org in ("甲镇", "乙镇", "丙镇"))


def test_a_stale_snapshot_is_found_and_republished(lib, isolated_home):
    with lib.lock:  # a write that reached Chroma but was never published (its process died)
        lib._store().delete_record("丙镇-2024")
    assert lib.check().stale_snapshot
    repaired = lib.check(repair=True)
    assert repaired.ok and "更新了检索快照" in repaired.repaired
    assert [e.id for e in lib.catalog()] == ["乙镇-2024", "甲镇-2024"]
    assert lib.check(repair=True).ok
