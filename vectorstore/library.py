"""The report library: Chroma as the store, hybrid BM25 + dense retrieval over it.

Visibility works by generations. Every write of a report puts its chunks under a fresh generation id,
then rewrites the report's single record to point at that generation, then deletes older generations.
Readers only use chunks whose generation is the one their report record names, and re-check the
records after a search: if a writer flipped a report in between, the search is simply run again. So a
search sees a report's old chunks or its new ones, never both and never neither, and an ingest killed at
any point leaves the previous state visible (half-written chunks belong to no active generation).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from assistant.errors import BadInput, EmbeddingMismatch
from assistant.settings import Settings
from assistant.types import Chunk, Hit, Report, SearchFilter
from vectorstore.bm25 import BM25Index
from vectorstore.chroma_store import ChromaStore, chunk_from_row, chunk_metadata, row_id
from vectorstore.embeddings import ProjectEmbedding, VectorCache, text_hash
from vectorstore.filters import infer_filter, matches, part_cues, to_where
from vectorstore.refs import relabelled, resolve_ref
from vectorstore.retrieval import FusionMethod, fuse, prefer_literal, prefer_parts
from vectorstore.tokenize import tokens

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""progress(done, total): chunks whose vectors are ready, out of the report's chunks."""

SEARCH_RETRIES = 10  # a search re-runs when a writer flipped a report mid-search; this bounds the loop


@dataclass
class SearchResult:
    hits: list[Hit]
    filter: SearchFilter  # the filter actually applied (inferred=True when read off the question)


@dataclass
class _Snapshot:
    """Everything visible at one set of active generations, with the BM25 index built over it."""

    signature: tuple[tuple[str, str], ...]  # sorted (report id, generation)
    records: dict[str, dict]  # report id → record metadata
    keys: list[str]  # Chroma row ids, in BM25 position order
    docs: list[str]
    metas: list[dict]
    bm25: BM25Index
    columns: dict[str, np.ndarray]  # org/year/level/part per position, for fast filter masks

    def mask(self, f: SearchFilter) -> np.ndarray | None:
        if f.is_empty():
            return None
        m = np.ones(len(self.keys), dtype=bool)
        for key, allowed in (("org", f.orgs), ("year", f.years), ("level", f.levels), ("part", f.parts)):
            if allowed:
                m &= np.isin(self.columns[key], [getattr(a, "value", a) for a in allowed])
        return m


def _signature(records: dict[str, dict]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((rid, m["generation"]) for rid, m in records.items()))


class Library:
    """Reports in Chroma with hybrid search. Build one with ``vectorstore.open_library``."""

    def __init__(self, store: ChromaStore, embedding: ProjectEmbedding, settings: Settings) -> None:
        self._store = store
        self._embedding = embedding
        self._settings = settings
        self.fusion: FusionMethod = settings.retrieval.fusion
        self.candidates = 50  # per retriever, before fusion
        self.part_boost = settings.retrieval.part_boost
        self._cache: VectorCache | None = None
        self._snapshot: _Snapshot | None = None
        self._tokens: dict[str, list[str]] = {}  # text_hash → BM25 tokens, so rebuilds re-tokenise only new text
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()

    @property
    def embedding(self) -> ProjectEmbedding:
        return self._embedding

    # --- writing ---------------------------------------------------------------------------------
    def add(self, report: Report, progress: Progress | None = None) -> str:
        """Store a report: "added", "replaced" (same id, new content) or "unchanged" (same content)."""
        _check_report(report)
        with self._write_lock:
            records = self._store.record_metas()
            current = records.get(report.id)
            if current is not None and _same(current, report):
                return "unchanged"
            if current is None and any(
                m.get("content_hash") == report.content_hash and m.get("edited") for m in records.values()
            ):
                return "unchanged"  # this file is already here under metadata a user corrected
            self._write(report, edited=False, progress=progress)
            return "added" if current is None else "replaced"

    def remove(self, ref: str) -> Report:
        """Delete a report and its chunks; returns what was removed."""
        with self._write_lock:
            report = self.get(ref)
            self._store.delete_record(report.id)  # invisible from here on
            self._store.delete_chunks(report.id)
            return report

    def update_meta(self, ref: str, **fields) -> Report:
        """Correct a report's org/level/year/title; its chunks' metadata and label prefixes follow."""
        with self._write_lock:
            old = self.get(ref)
            new = relabelled(old, fields)
            if new.id != old.id and new.id in self._store.record_metas():
                raise BadInput(f"报告库中已有 {new.id}, 不能把 {old.id} 改成同一单位同一年份。")
            self._write(new, edited=True)
            if new.id != old.id:
                self._store.delete_record(old.id)
                self._store.delete_chunks(old.id)
            return new

    def _write(self, report: Report, *, edited: bool, progress: Progress | None = None) -> None:
        generation = uuid.uuid4().hex[:12]
        hashes = [text_hash(c.index_text) for c in report.chunks]
        vectors = self._vectors(report.chunks, hashes, progress)
        self._store.put_chunks(
            ids=[row_id(c.id, generation) for c in report.chunks],
            documents=[c.index_text for c in report.chunks],
            metadatas=[chunk_metadata(c, generation, h) for c, h in zip(report.chunks, hashes)],
            vectors=vectors,
        )
        self._store.put_record(report, generation, edited)  # the atomic flip
        self._store.delete_chunks(report.id, keep_generation=generation)

    def _vectors(self, chunks: list[Chunk], hashes: list[str], progress: Progress | None) -> list:
        """Passage vectors for the chunks: from the disk cache, from Chroma, and only then embedded."""
        total = len(chunks)
        text_of = dict(zip(hashes, (c.index_text for c in chunks)))
        cache = self._vector_cache()
        have: dict[str, object] = dict(cache.get_many(list(text_of)))
        missing = [h for h in text_of if h not in have]
        if missing:
            have.update(self._store.stored_vectors(missing))
        todo = [h for h in text_of if h not in have]

        def report_progress() -> None:
            if progress is not None:
                progress(sum(1 for h in hashes if h in have), total)

        report_progress()
        batch = self._settings.embedding.batch_size
        for s in range(0, len(todo), batch):
            part = todo[s : s + batch]
            vecs = self._embedding([text_of[h] for h in part])
            self._check_dim(len(vecs[0]))
            fresh = {h: np.asarray(v, dtype=np.float32) for h, v in zip(part, vecs)}
            cache.put_many(fresh)  # kept even if this ingest is interrupted later
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
        self._store.record_dim(dim)

    # --- reading ---------------------------------------------------------------------------------
    def reports(self) -> list[Report]:
        return sorted(self._store.load_reports(), key=lambda r: (r.meta.org, r.meta.year))

    def get(self, ref: str) -> Report:
        records = self._store.record_metas()
        rid = resolve_ref(ref, {r: (m["org"], int(m["year"])) for r, m in records.items()})
        loaded = self._store.load_report(rid)
        if loaded is None:  # removed between the two reads
            raise BadInput(f"报告 {rid} 刚刚被删除。")
        return loaded[0]

    def chunks(self, filter: SearchFilter | None = None) -> list[Chunk]:
        """Visible chunks matching the filter, in report order."""
        snap = self._current()
        out = [chunk_from_row(d, m) for d, m in zip(snap.docs, snap.metas) if matches(m, filter)]
        return sorted(out, key=lambda c: (c.org, c.year, c.start))

    def infer_filter(self, question: str) -> SearchFilter:
        records = self._store.record_metas()
        return infer_filter(question, [(m["org"], int(m["year"])) for m in records.values()])

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
        qvec = self._embedding.embed_query([question])[0] if mode != "bm25" else None
        cfg = self._settings.retrieval
        n = max(self.candidates, 4 * k)
        for attempt in range(SEARCH_RETRIES):
            if attempt:
                time.sleep(0.01 * attempt)  # a writer is mid-replace: give it time to finish its delete
            snap = self._current()
            if filter is not None:
                applied = filter
            elif infer:
                applied = infer_filter(question, [(m["org"], int(m["year"])) for m in snap.records.values()])
            else:
                applied = SearchFilter()
            generations = [m["generation"] for m in snap.records.values() if matches(m, _report_level(applied))]
            rows: dict[str, tuple[str, dict]] = {}
            bm25: list[tuple[str, float]] = []
            dense: list[tuple[str, float]] = []
            if generations and mode != "dense":
                for pos, score in snap.bm25.top(question, n, snap.mask(applied)):
                    rows[snap.keys[pos]] = (snap.docs[pos], snap.metas[pos])
                    bm25.append((snap.keys[pos], score))
            if generations and qvec is not None:
                for key, doc, meta, distance in self._store.query(qvec, to_where(applied, generations), n):
                    rows[key] = (doc, meta)
                    dense.append((key, 1.0 - float(distance)))
            if _signature(self._store.record_metas()) == snap.signature:
                break  # no report was flipped while we searched: the result is consistent
        else:
            log.warning("library kept changing during search; returning the last attempt")
        fused = fuse(
            bm25, dense, method=fusion or self.fusion,
            bm25_weight=cfg.bm25_weight, dense_weight=cfg.dense_weight, rrf_k=cfg.rrf_k,
        )
        if mode == "hybrid" and not applied.parts:
            cues = [p.value for p in part_cues(question)]
            fused = prefer_parts(fused, {key: meta["part"] for key, (_, meta) in rows.items()}, cues, self.part_boost)
        fused = prefer_literal(fused, question, {k: m for k, (_, m) in rows.items()}, cfg) if mode == "hybrid" else fused
        hits = [
            Hit(chunk_from_row(*rows[c.key]), c.fused, bm25_rank=c.bm25_rank, dense_rank=c.dense_rank)
            for c in fused[:k]
        ]
        return SearchResult(hits=hits, filter=applied)

    def as_retriever(self, filter: SearchFilter | None = None, k: int | None = None):
        """This library as a LangChain retriever (``assistant.retriever.LibraryRetriever``): ``search`` with
        ``filter`` (None: read the scope off each question) returning ``Document``s."""
        from assistant.retriever import LibraryRetriever

        return LibraryRetriever(library=self, search_filter=filter, k=k)

    # --- the derived BM25 snapshot ---------------------------------------------------------------
    def _current(self) -> _Snapshot:
        """The snapshot for the active generations now in Chroma, rebuilt when they changed."""
        records = self._store.record_metas()
        with self._read_lock:
            if self._snapshot is not None and self._snapshot.signature == _signature(records):
                self._snapshot.records = records
                return self._snapshot
            for attempt in range(SEARCH_RETRIES):
                generations = sorted(m["generation"] for m in records.values())
                rows = list(self._store.iter_rows(to_where(None, generations))) if generations else []
                after = self._store.record_metas()
                if _signature(after) == _signature(records):
                    self._snapshot = self._build(records, rows)
                    return self._snapshot
                if attempt == SEARCH_RETRIES - 1:
                    break
                records = after  # a writer flipped a report while we read: read again
                time.sleep(0.01 * (attempt + 1))
            # Still changing: use the last read (it may miss a report being replaced), but do not cache
            # it — the next search reads again, and its own check sees the signature moved.
            log.warning("library kept changing while its BM25 index was rebuilt")
            return self._build(records, rows)

    def _build(self, records: dict[str, dict], rows: list[tuple[str, str, dict]]) -> _Snapshot:
        rows.sort(key=lambda r: r[0])  # stable positions whatever order Chroma returns
        keys = [r[0] for r in rows]
        docs = [r[1] for r in rows]
        metas = [r[2] for r in rows]
        token_lists = []
        for doc, meta in zip(docs, metas):
            h = meta["text_hash"]
            if h not in self._tokens:
                self._tokens[h] = tokens(doc)
            token_lists.append(self._tokens[h])
        live = {m["text_hash"] for m in metas}
        self._tokens = {h: t for h, t in self._tokens.items() if h in live}
        columns = {key: np.array([m[key] for m in metas]) for key in ("org", "year", "level", "part")}
        return _Snapshot(_signature(records), records, keys, docs, metas, BM25Index(token_lists), columns)


def _report_level(f: SearchFilter) -> SearchFilter:
    """The part of a filter that selects whole reports (parts select chunks within them)."""
    return SearchFilter(orgs=f.orgs, years=f.years, levels=f.levels)


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
