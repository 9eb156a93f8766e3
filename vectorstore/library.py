"""The report library: Chroma as the store of record, published snapshots for reading, hybrid retrieval.

## Generations, the write lock and snapshots

*Writes.* Every write of a report puts its chunk rows under a fresh generation id (``<chunk id>@<gen>``),
then rewrites the report's single record to name that generation (the flip), then deletes the rows of
the generation it replaced. One writer at a time: a file lock in the data home (``vectorstore.locking``)
is held from the read of the current record to the flip and the delete, so two processes importing two
versions of one report are ordered (the second says 替换) and no write deletes rows another is writing.
Before the first row is written the write is announced in a journal in the data home; a process killed
at any point leaves the journal entry, and the next process that opens the library (or writes, or
publishes) deletes the rows of generations that never became active and brings the snapshot up to date.

*Reads.* Searches, listings and ``get`` never touch Chroma. They read the published snapshot
(``vectorstore.view``): an immutable folder with the catalog, the chunk rows, their vectors and the BM25
arrays of one set of active generations, named by ``view.json``, which a writer replaces atomically
after its writes. A reader therefore sees every report as of one moment — a report's old chunks or its
new ones, never both and never neither — and never waits for a writer. Dense retrieval is exact cosine
similarity over the snapshot's vectors (numpy; 10k chunks × 384 dims is a few milliseconds), BM25 is
``vectorstore.bm25``; neither needs chromadb, jieba's whole dictionary or bm25s in a search process.

*Why not read Chroma directly:* two processes with one embedded Chroma store open corrupt its vector index
(reproduced in tests/test_store_concurrency.py: ids missing from the index, ``Error finding id``) and a
long-lived process's index does not see another process's writes; and importing chromadb alone takes
≈2 s on a 2-core machine. So embedded Chroma is opened only under the write lock.

*Publishing.* A single ``add``/``remove``/``update_meta`` publishes a new snapshot before it returns. A long
import (``with library.batch():``) publishes every ``settings.library.publish_interval_s`` and at the end, so
searches keep answering from the previous snapshot meanwhile. Publishing reads the records from Chroma
(the truth), carries unchanged reports over from the previous snapshot as bytes and array slices, adds
what this process just wrote, and fetches anything else (another process's writes) from Chroma.

*A Chroma server* (``ASSISTANT_CHROMA_HOST``) is safe for concurrent requests, so reads there ask the server
for the current records (one request per search) and refresh the local snapshot when they changed. The
file lock protects writers that share this data home; see ARCHITECTURE.md for several machines.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from assistant.errors import BadInput, EmbeddingMismatch, StoreUnavailable
from assistant.settings import Settings
from assistant.types import Chunk, Hit, Report, SearchFilter
from vectorstore.bm25 import TermCounts
from vectorstore.catalog import CatalogEntry, catalog_entry
from vectorstore.chroma_store import chunk_from_row, chunk_metadata, row_id, row_metadata
from vectorstore.embeddings import ProjectEmbedding, VectorCache, text_hash
from vectorstore.filters import infer_filter, part_cues
from vectorstore.locking import Journal, WriteLock
from vectorstore.refs import relabelled, resolve_ref
from vectorstore.retrieval import FusionMethod, fuse, prefer_figures, prefer_literal, prefer_parts
from vectorstore.view import Segment, Snapshot, SnapshotGone, ViewStore, unit_rows

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""progress(done, total): chunks whose vectors are ready, out of the report's chunks."""


@dataclass
class SearchResult:
    hits: list[Hit]
    filter: SearchFilter  # the filter actually applied (inferred=True when read off the question)


def store_key(settings: Settings, injected: bool) -> str:
    """Names the snapshot folder and journal of one store: embedded, injected client, or server + port."""
    where = "client" if injected else (f"{settings.chroma.host}-{settings.chroma.port}" if settings.chroma.host
                                       else "embedded")
    return re.sub(r"[^0-9A-Za-z._-]", "_", f"{where}-{settings.chroma.collection}")


class Library:
    """Reports in Chroma with hybrid search. Build one with ``vectorstore.open_library``."""

    def __init__(self, settings: Settings, embedding: ProjectEmbedding, client=None) -> None:
        from vectorstore.tokenize import QueryTokenizer

        self._settings = settings
        self._embedding = embedding
        self.fusion: FusionMethod = settings.retrieval.fusion
        self.candidates = 50  # per retriever, before fusion
        self.part_boost = settings.retrieval.part_boost
        # A server or an injected client can change under us without our journal knowing: check it on reads.
        self._verified = client is not None or bool(settings.chroma.host)
        key = store_key(settings, client is not None)
        self._client = client
        self._chroma = None
        self.view = ViewStore(settings.cache_dir / "views" / key)
        self.lock = WriteLock(settings.home / "library" / "write.lock", settings.library.lock_timeout_s)
        self.journal = Journal(settings.home / "library" / key / "journal")
        self._tokenizer = QueryTokenizer(settings.cache_dir)
        self._cache: VectorCache | None = None
        self._staged: dict[str, Segment] = {}  # generation → what this process wrote and has not published
        self._batch_depth = 0
        self._last_publish = 0.0
        self._publish_cost = 0.0
        if self._verified:
            self._store()  # connect now: an unreachable server is a clear error at open, not at first search
        self._check_embedding(self.view.current())
        if self.journal.stale_entries():
            self._recover()

    @property
    def embedding(self) -> ProjectEmbedding:
        return self._embedding

    @property
    def _store_path_exists(self) -> bool:
        return (self._settings.chroma_dir / "chroma.sqlite3").exists()

    def _store(self):
        """The Chroma collections, connected on first use. Embedded: only while holding the write lock."""
        from vectorstore.chroma_store import ChromaStore, connect

        if not self._verified and not self.lock.held:
            raise RuntimeError("embedded Chroma is used only under the library's write lock")
        if self._chroma is None:
            client = self._client or connect(self._settings)
            self._chroma = ChromaStore(client, self._settings.chroma.collection, self._embedding)
        return self._chroma

    # --- reading ---------------------------------------------------------------------------------
    def _snapshot(self) -> Snapshot | None:
        """The snapshot to read: the published one, refreshed first when the store holds something newer."""
        snap = self.view.current()
        if self._verified:
            truth = self._store().record_metas()
            if snap is None or snap.signature != {rid: m["generation"] for rid, m in truth.items()}:
                # While a writer of this home holds the lock it will publish soon: answer from what we have.
                if self.lock.acquire(timeout_s=0 if snap is not None else None):
                    try:
                        snap = self._publish()
                    finally:
                        self.lock.release()
                elif snap is None:
                    raise StoreUnavailable("另一个进程正在写入报告库, 请稍后再试。")
        elif snap is None and self._store_path_exists:
            # A store built before snapshots existed, or a cleared cache: build the snapshot once.
            with self.lock:
                snap = self.view.current() or self._publish()
        self._check_embedding(snap)
        return snap

    def _check_embedding(self, snap: Snapshot | None) -> None:
        if snap is None or snap.embedding is None:
            return
        key, dim = self._embedding.key, self._embedding.dim_if_known()
        if snap.embedding != key or (dim is not None and snap.dim is not None and dim != snap.dim):
            raise EmbeddingMismatch(
                f"报告库 {self._settings.chroma.collection} 是用向量模型 {snap.embedding} (维度 {snap.dim}) 建立的,"
                f" 当前配置的是 {key} (维度 {dim if dim else '未知'})。不同模型的向量不能混用: 请改回原来的向量模型设置,"
                " 或换一个数据目录 (ASSISTANT_HOME) / 集合名 (ASSISTANT_CHROMA_COLLECTION) 重新导入报告。"
            )

    def _read(self, fn):
        """Run ``fn(snapshot)``; a snapshot removed under us (two publishes during one read) is re-read."""
        for attempt in range(3):
            snap = self._snapshot()
            try:
                return fn(snap)
            except SnapshotGone:
                if attempt == 2:
                    raise StoreUnavailable("报告库正在频繁更新, 暂时无法读取, 请稍后再试。") from None
                time.sleep(0.05)

    def catalog(self) -> list[CatalogEntry]:
        """One light entry per report (no report is decoded), sorted by body then year."""
        return self._read(lambda s: list(s.catalog) if s else [])

    def reports(self) -> list[Report]:
        """Every report, decoded (use ``catalog()`` to list or pick reports)."""
        return self._read(lambda s: [s.report(e.id) for e in s.catalog] if s else [])

    def get(self, ref: str) -> Report:
        def one(snap: Snapshot | None) -> Report:
            catalog = {rid: (org, year) for rid, org, year in snap.names} if snap else {}
            return snap.report(resolve_ref(ref, catalog))

        return self._read(one)

    def chunks(self, filter: SearchFilter | None = None) -> list[Chunk]:
        """Visible chunks matching the filter, in report order."""

        def select(snap: Snapshot | None) -> list[Chunk]:
            if snap is None or not snap.size:
                return []
            m = snap.mask(filter)
            positions = np.flatnonzero(m) if m is not None else range(snap.size)
            return [chunk_from_row(doc, meta) for _, doc, meta in snap.rows(positions)]

        return sorted(self._read(select), key=lambda c: (c.org, c.year, c.start))

    def infer_filter(self, question: str) -> SearchFilter:
        names = self._read(lambda s: s.names if s else [])
        return infer_filter(question, [(org, year) for _, org, year in names])

    def search(
        self,
        question: str,
        filter: SearchFilter | None = None,
        k: int = 8,
        infer: bool = True,
        *,
        mode: str = "hybrid",
        fusion: FusionMethod | None = None,
    ) -> SearchResult:
        """The k best chunks for a question. ``mode`` ("hybrid", "bm25", "dense") exists for the bench."""
        question = (question or "").strip()
        if not question:
            raise BadInput("请输入要检索的问题。")
        if k < 1:
            raise BadInput(f"k 必须至少为 1, 收到 {k}。")
        if mode not in ("hybrid", "bm25", "dense"):
            raise ValueError(f"unknown search mode {mode!r}")
        return self._read(lambda snap: self._search(snap, question, filter, k, infer, mode, fusion))

    def _search(self, snap, question, filter, k, infer, mode, fusion) -> SearchResult:
        if filter is not None:
            applied = filter
        elif infer:
            applied = infer_filter(question, [(org, year) for _, org, year in snap.names] if snap else [])
        else:
            applied = SearchFilter()
        if snap is None or not snap.size:
            return SearchResult(hits=[], filter=applied)
        n = max(self.candidates, 4 * k)
        mask = snap.mask(applied)
        bm25: list[tuple[int, float]] = []
        dense: list[tuple[int, float]] = []
        if mode != "dense":
            bm25 = snap.bm25.top(self._tokenizer.tokens(question), n, mask)
        if mode != "bm25":
            qvec = unit_rows([self._embedding.embed_query([question])[0]])[0]
            if qvec.shape[0] != snap.vectors.shape[1]:
                self._check_embedding(snap)
                raise EmbeddingMismatch(f"问题向量维度 {qvec.shape[0]} 与报告库 ({snap.vectors.shape[1]}) 不一致。")
            dense = _top_similar(np.asarray(snap.vectors @ qvec), n, mask)
        positions = list(dict.fromkeys([p for p, _ in bm25] + [p for p, _ in dense]))
        rows = dict(zip(positions, snap.rows(positions)))
        key = {p: rows[p][0] for p in positions}
        cfg = self._settings.retrieval
        fused = fuse(
            [(key[p], s) for p, s in bm25], [(key[p], s) for p, s in dense], method=fusion or self.fusion,
            bm25_weight=cfg.bm25_weight, dense_weight=cfg.dense_weight, rrf_k=cfg.rrf_k,
        )
        if mode == "hybrid" and not applied.parts:
            # The caller's reading of the question (SearchFilter.prefer_parts) wins; only without one is it read here.
            preferred = applied.prefer_parts if applied.prefer_parts is not None else part_cues(question)
            cues = [getattr(p, "value", p) for p in preferred]
            fused = prefer_parts(fused, {rows[p][0]: rows[p][2]["part"] for p in positions}, cues, self.part_boost)
        if mode == "hybrid" and applied.prefer_figures is not None:
            fused = prefer_figures(fused, {rows[p][0]: rows[p][2].get("text", "") for p in positions},
                                   applied.prefer_figures, cfg.figure_boost)
        if mode == "hybrid":
            fused = prefer_literal(fused, question, {rows[p][0]: rows[p][2] for p in positions}, cfg)
        by_key = {row[0]: row for row in rows.values()}
        hits = [
            Hit(chunk_from_row(by_key[c.key][1], by_key[c.key][2]), c.fused, bm25_rank=c.bm25_rank,
                dense_rank=c.dense_rank)
            for c in fused[:k]
        ]
        return SearchResult(hits=hits, filter=applied)

    def as_retriever(self, filter: SearchFilter | None = None, k: int | None = None):
        """This library as a LangChain retriever (``assistant.answers.retriever.LibraryRetriever``): ``search`` with
        ``filter`` (None: read the scope off each question) returning ``Document``s."""
        from assistant.answers.retriever import LibraryRetriever

        return LibraryRetriever(library=self, search_filter=filter, k=k)

    # --- writing ---------------------------------------------------------------------------------
    def add(self, report: Report, progress: Progress | None = None) -> str:
        """Store a report: "added", "replaced" (same id, new content) or "unchanged" (same content)."""
        _check_report(report)
        with self.lock:
            same, current = self._stored(report)
            if same:
                return "unchanged"
        hashes = [text_hash(c.index_text) for c in report.chunks]
        # the slow part, outside the lock; a replaced report's unchanged passages keep their vectors
        vectors = self._vectors(report.chunks, hashes, progress, reuse_from=report.id if current else None)
        counts = _term_counts(report.chunks)
        with self.lock:
            same, current = self._stored(report)  # again: another process may have written it meanwhile
            if same:
                return "unchanged"
            self._write(report, edited=False, hashes=hashes, vectors=vectors, counts=counts,
                        previous=current["generation"] if current else None)
            self._maybe_publish()
            return "added" if current is None else "replaced"

    def _stored(self, report: Report) -> tuple[bool, dict | None]:
        """(is this content stored already, the current record of its id). Stored already also means
        stored under metadata a user corrected (so under another id)."""
        store = self._store()
        current = store.record_meta(report.id)
        if current is not None:
            return _same(current, report), current
        return store.edited_copy_exists(report.content_hash), None

    def _load_stored(self, ref: str) -> tuple[Report, dict, dict]:
        """(report, its record metadata, every record's metadata) as Chroma holds them now (lock held)."""
        store = self._store()
        records = store.record_metas()
        rid = resolve_ref(ref, {r: (m["org"], int(m["year"])) for r, m in records.items()})
        loaded = store.load_report(rid)
        if loaded is None:
            raise BadInput(f"报告 {rid} 刚刚被删除。")
        return loaded[0], loaded[1], records

    def remove(self, ref: str) -> Report:
        """Delete a report and its chunks; returns what was removed."""
        with self.lock:
            report, meta, _ = self._load_stored(ref)
            self._delete(report.id, meta["generation"])
            self._publish()
            return report

    def update_meta(self, ref: str, **fields) -> Report:
        """Correct a report's org/level/year/title; its chunks' metadata and label prefixes follow."""
        with self.lock:
            old, meta, records = self._load_stored(ref)
            new = relabelled(old, fields)
            if new.id != old.id and new.id in records:
                raise BadInput(f"报告库中已有 {new.id}, 不能把 {old.id} 改成同一单位同一年份。")
            hashes = [text_hash(c.index_text) for c in new.chunks]
            vectors = self._vectors(new.chunks, hashes, None, reuse_from=old.id)
            self._write(new, edited=True, hashes=hashes, vectors=vectors, counts=_term_counts(new.chunks),
                        previous=meta["generation"] if new.id == old.id else None)
            if new.id != old.id:
                self._delete(old.id, meta["generation"])
            self._publish()
            return new

    def _write(self, report: Report, *, edited: bool, hashes: list[str], vectors: list, counts: TermCounts,
               previous: str | None) -> None:
        """New generation's rows → flip the record → delete the previous generation (lock held)."""
        store = self._store()
        generation = uuid.uuid4().hex[:12]
        self._check_dim(len(vectors[0]))
        self.view.write_report(generation, report)
        keys = [row_id(c.id, generation) for c in report.chunks]
        self.journal.begin(generation, report.id, generation, previous)
        store.put_chunks(ids=keys, metadatas=[row_metadata(c, generation, h) for c, h in zip(report.chunks, hashes)],
                         vectors=vectors)
        store.put_record(report, generation, edited)  # the flip
        if previous is not None:
            store.delete_generation(report.id, previous)
        self.journal.mark_done(generation)
        self._staged[generation] = _segment(report, edited, generation, hashes, vectors, counts)

    def _delete(self, report_id: str, generation: str) -> None:
        write_id = f"rm-{uuid.uuid4().hex[:12]}"
        self.journal.begin(write_id, report_id, None, generation)
        store = self._store()
        store.delete_record(report_id)  # invisible from the next snapshot on
        store.delete_generation(report_id, generation)
        self.journal.mark_done(write_id)

    def _vectors(self, chunks: list[Chunk], hashes: list[str], progress: Progress | None,
                 reuse_from: str | None = None) -> list:
        """Passage vectors for the chunks: from the disk cache, from Chroma's rows of report ``reuse_from``
        (a report being replaced or repaired), and only then embedded."""
        total = len(chunks)
        text_of = dict(zip(hashes, (c.index_text for c in chunks)))
        cache = self._vector_cache()
        have: dict[str, object] = dict(cache.get_many(list(text_of)))
        missing = [h for h in text_of if h not in have]
        if missing and reuse_from is not None:
            with self.lock:
                try:
                    have.update(self._store().stored_vectors(reuse_from, missing))
                except Exception as exc:  # noqa: BLE001 - a damaged index: embed again instead (check repairs it)
                    log.warning("could not read stored vectors from Chroma (%s); embedding again", exc)
        todo = [h for h in text_of if h not in have]

        def report_progress() -> None:
            if progress is not None:
                progress(sum(1 for h in hashes if h in have), total)

        report_progress()
        batch = self._settings.embedding.batch_size
        for s in range(0, len(todo), batch):
            part = todo[s : s + batch]
            vecs = self._embedding([text_of[h] for h in part])
            fresh = {h: np.asarray(v, dtype=np.float32) for h, v in zip(part, vecs)}
            cache.put_many(fresh)  # kept even if this ingest is interrupted later: a re-run resumes here
            have.update(fresh)
            report_progress()
        return [np.asarray(have[h], dtype=np.float32) for h in hashes]

    def _vector_cache(self) -> VectorCache:
        if self._cache is None:
            path = self._settings.cache_dir / "embeddings.sqlite"
            self._cache = VectorCache(path, self._embedding.key, self._embedding.dim_if_known())
        return self._cache

    def _check_dim(self, dim: int) -> None:
        expected = self._embedding.dim_if_known()
        if expected is not None and dim != expected:
            raise EmbeddingMismatch(f"向量模型 {self._embedding.key} 返回了 {dim} 维向量, 应为 {expected} 维。")
        self._store().record_dim(dim)

    # --- publishing ------------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many writes: publish every ``publish_interval_s`` and once at the end, not after each write."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and (self._staged or self.journal.own_entries()):
                with self.lock:
                    self._publish()

    def _maybe_publish(self) -> None:
        # Publishing costs more as the library grows (≈0.3 s at 10k chunks): never spend more than about
        # 5% of an import on it.
        interval = max(self._settings.library.publish_interval_s, 20 * self._publish_cost)
        if self._batch_depth == 0 or time.monotonic() - self._last_publish >= interval:
            started = time.monotonic()
            self._publish()
            self._publish_cost = time.monotonic() - started

    def _recover(self) -> None:
        """Journal entries of a process that is gone: it died mid-write or before publishing. Clean up now
        unless another writer holds the lock (its own publish will)."""
        if not self.lock.acquire(timeout_s=0):
            return  # a writer is running; it will publish and clean up
        try:
            self._publish()
        finally:
            self.lock.release()

    def _publish(self) -> Snapshot:
        """Make the snapshot match Chroma's records; collect rows of writes that died (lock held)."""
        store = self._store()
        truth = store.record_metas()
        active = {rid: m["generation"] for rid, m in truth.items()}
        entries = self.journal.entries()
        self._collect_orphans(entries, active)
        base = self.view.current()
        if base is not None and base.signature == active and not self._staged:
            self.journal.end([e["id"] for e in entries])
            self._last_publish = time.monotonic()
            return base
        keep, segments, fetch = [], [], []
        for rid, gen in active.items():
            if base is not None and base.signature.get(rid) == gen:
                keep.append(rid)
            elif gen in self._staged:
                segments.append(self._staged[gen])
            else:
                fetch.append((rid, truth[rid]))
        if fetch:
            segments.extend(self._fetch(fetch))
        dim = self._embedding.dim_if_known() or (segments[0].vectors.shape[1] if segments else base and base.dim)
        snap = self.view.publish(base, keep, segments, self._embedding.key, dim)
        self.journal.end([e["id"] for e in entries])
        self._staged.clear()
        self._last_publish = time.monotonic()
        if segments:
            from vectorstore.tokenize import write_dictionary

            write_dictionary(self._settings.cache_dir)  # once: lets searches start without jieba's dictionary
        return snap

    def _collect_orphans(self, entries: list[dict], active: dict[str, str]) -> None:
        """Rows of journaled writes that died: a generation never flipped, or a previous one not deleted."""
        store = self._store()
        for e in entries:
            if e.get("done"):
                continue
            rid = e.get("report_id")
            for gen in (e.get("generation"), e.get("previous")):
                if gen and active.get(rid) != gen:
                    store.delete_generation(rid, gen)

    def _fetch(self, wanted: list[tuple[str, dict]]) -> list[Segment]:
        """Segments for reports this process did not write, read back from Chroma: the text from the
        report records, the vectors from the vector cache (else from the rows, else embedded again)."""
        store = self._store()
        rows = store.generation_rows([m["generation"] for _, m in wanted])
        reports = {r.id: r for r in store.load_reports([rid for rid, _ in wanted])}
        segments = []
        for rid, m in wanted:
            gen, report = m["generation"], reports.get(rid)
            keys = [row_id(c.id, gen) for c in report.chunks] if report else []
            if report is None or set(keys) != set(rows.get(gen, [])):
                log.warning("report %s: %d of %d chunk rows in Chroma; left out until repaired (assistant library"
                            " check --repair)", rid, len(rows.get(gen, [])), len(keys))
                continue
            hashes = [text_hash(c.index_text) for c in report.chunks]
            vectors: dict[str, object] = dict(self._vector_cache().get_many(hashes))
            missing = [k for k, h in zip(keys, hashes) if h not in vectors]
            if missing:
                stored = store.vectors_of(missing)
                vectors.update({h: stored[k] for k, h in zip(keys, hashes) if k in stored})
            todo = [i for i, h in enumerate(hashes) if h not in vectors]
            if todo:
                fresh = self._embedding([report.chunks[i].index_text for i in todo])
                vectors.update({hashes[i]: v for i, v in zip(todo, fresh)})
            if not self.view.has_report(gen):
                self.view.write_report(gen, report)
            segments.append(_segment(report, bool(m.get("edited")), gen, hashes, [vectors[h] for h in hashes],
                                     _term_counts(report.chunks)))
        return segments

    # --- consistency -------------------------------------------------------------------------------
    def check(self, repair: bool = False):
        """Compare Chroma's records, chunk rows and vector index; with ``repair``, rebuild what is broken
        from the stored records. Returns a ``vectorstore.check.CheckResult``."""
        from vectorstore.check import run_check

        with self.lock:
            self._reconnect()  # a process that had embedded Chroma open does not see others' index updates
            return run_check(self, repair)

    def _reconnect(self) -> None:
        if self._chroma is not None and self._client is None and not self._settings.chroma.host:
            self._chroma.client.close()
            self._chroma = None


def _top_similar(sims: np.ndarray, n: int, mask: np.ndarray | None) -> list[tuple[int, float]]:
    """The ``n`` most similar (position, cosine) within ``mask``, best first."""
    allowed = np.flatnonzero(mask) if mask is not None else np.arange(len(sims))
    if not len(allowed):
        return []
    s = sims[allowed]
    n = min(n, len(allowed))
    idx = np.argpartition(-s, n - 1)[:n]
    idx = idx[np.lexsort((idx, -s[idx]))]
    return [(int(allowed[i]), float(s[i])) for i in idx]


def _segment(report: Report, edited: bool, generation: str, hashes: list[str], vectors: list,
             counts: TermCounts) -> Segment:
    return Segment(catalog_entry(report, edited), generation, [row_id(c.id, generation) for c in report.chunks],
                   [c.index_text for c in report.chunks],
                   [chunk_metadata(c, generation, h) for c, h in zip(report.chunks, hashes)], unit_rows(vectors), counts)


def _term_counts(chunks: list[Chunk]) -> TermCounts:
    from vectorstore.tokenize import tokens

    return TermCounts.from_tokens([tokens(c.index_text) for c in chunks])


def _same(record: dict, report: Report) -> bool:
    m = report.meta
    return (
        record.get("content_hash") == report.content_hash
        and record.get("org") == m.org
        and int(record.get("year", -1)) == m.year
        and record.get("level") == m.level
        and record.get("title") == m.title
    )


def _check_report(report: Report) -> None:
    """Refuse a report whose chunks would break traceability; nothing is stored then."""
    if report.id != Report.make_id(report.meta.org, report.meta.year):
        raise BadInput(f"报告 id {report.id} 与单位/年份 ({report.meta.org} {report.meta.year}) 不一致。")
    if not report.chunks:
        raise BadInput(f"{report.meta.label} 没有可检索的正文, 未导入。")
    seen: set[str] = set()
    for c in report.chunks:
        if c.id in seen:
            raise BadInput(f"{report.meta.label}: 分块 {c.id} 重复, 未导入。")
        seen.add(c.id)
        if c.report_id != report.id or report.text[c.start : c.end] != c.text:
            raise BadInput(f"{report.meta.label}: 分块 {c.id} 与报告正文不一致, 未导入。")
