"""``assistant library check [--repair]``: does Chroma hold what its records say, and can searches find it?

Found by reading Chroma itself (records, every chunk row's metadata, a query asking the vector index for
every row) and compared with the published snapshot:

* reports listed without all their chunks (a record whose active generation has fewer rows than it says);
* chunk rows no report points at (orphans: a generation that never became active or was never deleted);
* rows of active generations the vector index does not return for their own vector, or an index that
  fails to answer at all;
* a snapshot older than Chroma's records.

Repair rebuilds from the stored records: each damaged report is written again as a new generation (its
record holds the whole parsed report; vectors come from the vector cache, else are embedded again), orphan
rows are deleted, a broken vector index is dropped and every report rewritten, and a snapshot is published.
Runs under the library's write lock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from vectorstore.embeddings import text_hash
from vectorstore.library import _term_counts

log = logging.getLogger(__name__)


@dataclass
class CheckResult:
    reports: int = 0
    rows: int = 0
    missing_chunks: dict[str, tuple[int, int]] = field(default_factory=dict)  # report → (stored, expected)
    orphan_rows: list[str] = field(default_factory=list)
    unindexed: list[str] = field(default_factory=list)  # rows of active reports the vector index lacks
    unindexed_reports: list[str] = field(default_factory=list)
    index_error: str | None = None
    stale_snapshot: bool = False
    repaired: list[str] = field(default_factory=list)  # what --repair did, one Chinese line each

    @property
    def ok(self) -> bool:
        return not (self.missing_chunks or self.orphan_rows or self.unindexed or self.index_error
                    or self.stale_snapshot)

    def describe(self) -> str:
        lines = [f"报告库检查: {self.reports} 份报告, {self.rows} 个片段行"]
        if self.missing_chunks:
            shown = "、".join(f"{rid} ({got}/{want})" for rid, (got, want) in sorted(self.missing_chunks.items())[:10])
            lines.append(f"✗ {len(self.missing_chunks)} 份报告缺少片段: {shown}")
        if self.orphan_rows:
            lines.append(f"✗ {len(self.orphan_rows)} 个片段行不属于任何报告 (孤立行)")
        if self.index_error:
            lines.append(f"✗ 向量索引无法查询: {self.index_error}")
        elif self.unindexed:
            lines.append(f"✗ {len(self.unindexed)} 个片段不在向量索引中")
        if self.stale_snapshot:
            lines.append("✗ 检索快照落后于报告库")
        if self.ok:
            lines.append("✓ 每份报告的片段都在, 没有孤立行, 向量索引完整, 检索快照是最新的")
        lines.extend(f"已修复: {line}" for line in self.repaired)
        return "\n".join(lines)


def inspect(library) -> CheckResult:
    """What is wrong now (write lock held)."""
    store = library._store()
    records = store.record_metas()
    active = {rid: m["generation"] for rid, m in records.items()}
    live = {g for e in library.journal.entries() if e not in library.journal.stale_entries()
            for g in (e.get("generation"), e.get("previous")) if g}
    result = CheckResult(reports=len(records))
    stored: dict[str, int] = {}
    active_rows: dict[str, str] = {}  # row id → report id
    for key, meta in store.row_keys():
        result.rows += 1
        rid, gen = meta.get("report_id"), meta.get("generation")
        if active.get(rid) == gen:
            stored[rid] = stored.get(rid, 0) + 1
            active_rows[key] = rid
        elif gen not in live:
            result.orphan_rows.append(key)
    for rid, m in records.items():
        want = int(m.get("chunks", 0))
        if stored.get(rid, 0) != want:
            result.missing_chunks[rid] = (stored.get(rid, 0), want)
    try:
        result.unindexed = sorted(store.unindexed(list(active_rows)))
        result.unindexed_reports = sorted({active_rows[k] for k in result.unindexed})
    except Exception as exc:  # noqa: BLE001 - a broken index is what this check is for
        result.index_error = f"{type(exc).__name__}: {exc}"[:300]
    snap = library.view.current()
    result.stale_snapshot = (snap.signature if snap else {}) != active
    return result


def run_check(library, repair: bool) -> CheckResult:
    result = inspect(library)
    if not repair or result.ok:
        return result
    store = library._store()
    records = store.record_metas()
    done: list[str] = []
    rewrite = set(result.missing_chunks) | set(result.unindexed_reports)
    if result.index_error:
        store.recreate_chunks()
        rewrite = set(records)
        done.append(f"重建了向量索引 (原索引无法查询), 重新写入全部 {len(records)} 份报告")
    elif result.orphan_rows:
        store.delete_rows(result.orphan_rows)
        done.append(f"删除了 {len(result.orphan_rows)} 个孤立片段行")
    for rid in sorted(rewrite):
        loaded = store.load_report(rid)
        if loaded is None:
            continue
        report, meta = loaded
        hashes = [text_hash(c.index_text) for c in report.chunks]
        vectors = library._vectors(report.chunks, hashes, None, reuse_from=rid)

        previous = None if result.index_error else meta["generation"]
        library._write(report, edited=bool(meta.get("edited")), hashes=hashes, vectors=vectors,
                       counts=_term_counts(report.chunks), previous=previous)
    if rewrite and not result.index_error:
        done.append(f"按存储的报告记录重新写入了 {len(rewrite)} 份报告: {'、'.join(sorted(rewrite)[:10])}")
    library._publish()
    if result.stale_snapshot:
        done.append("更新了检索快照")
    after = inspect(library)
    after.repaired = done
    return after

