"""Published snapshots: what searches read, kept in the data home beside Chroma and derived from it.

A snapshot is one folder holding everything a search or a listing needs for one set of active report
generations: the catalog, the chunk rows (a JSON-lines file read by offset), their vectors (``.npy``,
memory-mapped), BM25 arrays (``vectorstore.bm25``) and filter columns. It never changes once written.
``view.json`` names the current snapshot and is replaced atomically (``os.replace``), so a reader loads
one whole snapshot or the one before, never a mix. Report documents (for ``get``) are stored once per
generation under ``reports/``.

    <cache>/views/<store key>/view.json
                             /snap-<id>/{meta.json, catalog.json, rows.jsonl, rows_offsets.npy, vectors.npy,
                                         columns.npy, bm25_*.npy, bm25_vocab.json}
                             /reports/<generation>.json.z

Only a writer holding the library's write lock publishes; the two newest snapshots are kept so a reader
that has just read ``view.json`` still finds its folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.types import Report, SearchFilter
from vectorstore.bm25 import BM25Index, TermCounts
from vectorstore.catalog import CatalogEntry

FORMAT = 1
KEEP_SNAPSHOTS = 2
COLUMNS = ("org", "year", "level", "part")  # the chunk metadata a filter can select on


class SnapshotGone(Exception):
    """The snapshot a reader was about to open was replaced and removed meanwhile: read view.json again."""


@dataclass
class Segment:
    """One report generation's rows, ready to go into a snapshot."""

    entry: CatalogEntry
    generation: str
    keys: list[str]
    docs: list[str]
    metas: list[dict]
    vectors: np.ndarray  # (chunks, dim) float32, unit length
    counts: TermCounts  # BM25 term counts of ``docs``


def unit_rows(vectors) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


class Snapshot:
    """One published snapshot, loaded lazily from its folder (arrays memory-mapped)."""

    def __init__(self, view: "ViewStore", folder: Path) -> None:
        self.view = view
        self.folder = folder
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SnapshotGone(str(folder)) from exc
        self.embedding: str | None = meta["embedding"]
        self.dim: int = meta["dim"]
        self.size: int = meta["rows"]
        self.signature: dict[str, str] = dict(meta["signature"])
        self.spans: dict[str, tuple[int, int]] = {rid: tuple(s) for rid, s in meta["spans"].items()}
        self.tables: dict[str, list] = meta["tables"]
        # (id, org, year) of every report: enough to read bodies and years off a question or resolve a ref
        self._catalog: list[CatalogEntry] | None = None
        names = meta.get("names") or [(e.id, e.org, e.year) for e in self.catalog]  # older snapshots lack it
        self.names: list[tuple[str, str, int]] = [tuple(n) for n in names]
        self._bm25: BM25Index | None = None
        self._arrays: dict[str, np.ndarray] = {}

    @property
    def catalog(self) -> list[CatalogEntry]:
        """The catalog entries, sorted by body then year (read on first use: a search needs only ``names``)."""
        if self._catalog is None:
            try:
                raw = json.loads((self.folder / "catalog.json").read_text(encoding="utf-8"))
            except FileNotFoundError as exc:
                raise SnapshotGone(str(self.folder)) from exc
            self._catalog = [CatalogEntry.from_json(e) for e in raw]
        return self._catalog

    @property
    def by_id(self) -> dict[str, CatalogEntry]:
        return {e.id: e for e in self.catalog}

    # --- lazily loaded arrays ------------------------------------------------------------------------
    def _array(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            try:
                self._arrays[name] = np.load(self.folder / f"{name}.npy", mmap_mode="r")
            except FileNotFoundError as exc:
                raise SnapshotGone(str(self.folder)) from exc
        return self._arrays[name]

    @property
    def vectors(self) -> np.ndarray:
        return self._array("vectors")

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            try:
                self._bm25 = BM25Index.load(self.folder)
            except FileNotFoundError as exc:
                raise SnapshotGone(str(self.folder)) from exc
        return self._bm25

    def mask(self, f: SearchFilter | None) -> np.ndarray | None:
        """Rows a filter allows (None: all)."""
        if f is None or f.is_empty():
            return None
        cols = self._array("columns")
        m = np.ones(self.size, dtype=bool)
        for i, (key, allowed) in enumerate(zip(COLUMNS, (f.orgs, f.years, f.levels, f.parts))):
            if allowed:
                table = self.tables[key]
                codes = [table.index(v) for v in (getattr(a, "value", a) for a in allowed) if v in table]
                m &= np.isin(cols[:, i], codes)
        return m

    def rows(self, positions) -> list[tuple[str, str, dict]]:
        """(row id, document, metadata) of the rows at ``positions``."""
        offsets = self._array("rows_offsets")
        out = []
        try:
            with open(self.folder / "rows.jsonl", "rb") as f:
                for p in positions:
                    f.seek(int(offsets[p]))
                    out.append(tuple(json.loads(f.read(int(offsets[p + 1] - offsets[p])))))
        except FileNotFoundError as exc:
            raise SnapshotGone(str(self.folder)) from exc
        return out

    def report(self, report_id: str) -> Report:
        return self.view.read_report(self.signature[report_id])


class ViewStore:
    """The folder of one library's published snapshots (one per store: embedded, or server + collection)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._cached: tuple[tuple, Snapshot] | None = None

    @property
    def _view_file(self) -> Path:
        return self.folder / "view.json"

    def exists(self) -> bool:
        return self._view_file.exists()

    def current(self) -> Snapshot | None:
        """The published snapshot (cached until view.json changes); None when nothing was published."""
        for _ in range(5):
            try:
                st = os.stat(self._view_file)
            except FileNotFoundError:
                return None
            stamp = (st.st_mtime_ns, st.st_ino, st.st_size)
            if self._cached is not None and self._cached[0] == stamp:
                return self._cached[1]
            try:
                name = json.loads(self._view_file.read_text(encoding="utf-8"))["snapshot"]
                snap = Snapshot(self, self.folder / name)
            except (SnapshotGone, FileNotFoundError, ValueError):
                time.sleep(0.01)  # replaced while we read it: the next read finds the new one
                continue
            self._cached = (stamp, snap)
            return snap
        raise SnapshotGone(str(self.folder))

    # --- report documents ------------------------------------------------------------------------
    def _report_path(self, generation: str) -> Path:
        return self.folder / "reports" / f"{generation}.json.z"

    def has_report(self, generation: str) -> bool:
        return self._report_path(generation).exists()

    def write_report(self, generation: str, report: Report) -> None:
        path = self._report_path(generation)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex[:6]}.tmp")
        tmp.write_bytes(zlib.compress(json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8"), 6))
        os.replace(tmp, path)

    def read_report(self, generation: str) -> Report:
        try:
            raw = self._report_path(generation).read_bytes()
        except FileNotFoundError as exc:
            raise SnapshotGone(generation) from exc
        return Report.from_dict(json.loads(zlib.decompress(raw).decode("utf-8")))

    # --- publishing (write lock held) --------------------------------------------------------------
    def publish(self, base: Snapshot | None, keep: list[str], segments: list[Segment],
                embedding: str | None, dim: int | None) -> Snapshot:
        """A new snapshot: the ``keep`` reports as they are in ``base`` plus ``segments``; made current."""
        parts: list[tuple[str, object]] = [(rid, base) for rid in keep] + [(s.entry.id, s) for s in segments]
        parts.sort(key=lambda p: p[0])
        base_entries = base.by_id if base is not None else {}
        name = f"snap-{time.time_ns():x}-{uuid.uuid4().hex[:6]}"
        tmp = self.folder / f".{name}.tmp"
        tmp.mkdir(parents=True)
        catalog, spans, signature, counts, vectors, columns = [], {}, [], [], [], []
        tables: dict[str, list] = {k: [] for k in COLUMNS}
        codes: dict[str, dict] = {k: {} for k in COLUMNS}

        def code(key: str, value) -> int:
            if value not in codes[key]:
                codes[key][value] = len(tables[key])
                tables[key].append(value)
            return codes[key][value]

        offsets = [0]
        pos = 0
        with open(tmp / "rows.jsonl", "wb") as rows_out:
            for rid, src in parts:
                if isinstance(src, Segment):
                    entry, generation, n = src.entry, src.generation, len(src.keys)
                    for key, doc, meta in zip(src.keys, src.docs, src.metas):
                        data = json.dumps([key, doc, meta], ensure_ascii=False).encode("utf-8") + b"\n"
                        rows_out.write(data)
                        offsets.append(offsets[-1] + len(data))
                    vectors.append(src.vectors)
                    counts.append(src.counts)
                    columns.append(np.asarray([[code(k, m[k]) for k in COLUMNS] for m in src.metas],
                                              dtype=np.int32).reshape(n, len(COLUMNS)))
                else:  # carried over from the base snapshot as bytes and array slices, nothing decoded
                    entry, generation = base_entries[rid], src.signature[rid]
                    start, end = src.spans[rid]
                    n = end - start
                    so = src._array("rows_offsets")
                    with open(src.folder / "rows.jsonl", "rb") as f:
                        f.seek(int(so[start]))
                        rows_out.write(f.read(int(so[end] - so[start])))
                    offsets.extend((np.asarray(so[start + 1 : end + 1]) - so[start] + offsets[-1]).tolist())
                    vectors.append(np.asarray(src.vectors[start:end]))
                    counts.append(src.bm25.counts.slice(start, end))
                    old = np.asarray(src._array("columns")[start:end])
                    remapped = np.empty_like(old)
                    for i, key in enumerate(COLUMNS):
                        lookup = np.asarray([code(key, v) for v in src.tables[key]], dtype=np.int32)
                        remapped[:, i] = lookup[old[:, i]] if n else old[:, i]
                    columns.append(remapped)
                catalog.append(entry)
                spans[rid] = (pos, pos + n)
                signature.append((rid, generation))
                pos += n
        dim_out = dim if dim is not None else (vectors[0].shape[1] if vectors else None)
        np.save(tmp / "rows_offsets.npy", np.asarray(offsets, dtype=np.int64))
        np.save(tmp / "vectors.npy", np.concatenate(vectors) if vectors else np.zeros((0, dim_out or 0), np.float32))
        np.save(tmp / "columns.npy", np.concatenate(columns) if columns else np.zeros((0, len(COLUMNS)), np.int32))
        BM25Index(TermCounts.concat(counts).compact() if counts else TermCounts.from_tokens([])).save(tmp)
        catalog.sort(key=lambda e: (e.org, e.year, e.id))
        (tmp / "catalog.json").write_text(json.dumps([e.to_json() for e in catalog], ensure_ascii=False),
                                          encoding="utf-8")
        meta = {"format": FORMAT, "embedding": embedding, "dim": dim_out, "rows": pos, "signature": signature,
                "spans": spans, "tables": tables, "names": [(e.id, e.org, e.year) for e in catalog],
                "created": time.time()}
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / name)
        view_tmp = self.folder / f".view.{uuid.uuid4().hex[:6]}.tmp"
        view_tmp.write_text(json.dumps({"snapshot": name}), encoding="utf-8")
        os.replace(view_tmp, self._view_file)  # the moment readers switch
        self._collect(keep_name=name, previous=base)
        return self.current()

    def _collect(self, keep_name: str, previous: Snapshot | None) -> None:
        """Remove snapshots older than the previous one, and report documents neither of the two uses."""
        snaps = sorted((p for p in self.folder.glob("snap-*") if p.is_dir()), key=lambda p: p.name)
        keep = {keep_name} | ({previous.folder.name} if previous is not None else set())
        for p in snaps[:-KEEP_SNAPSHOTS]:
            if p.name not in keep:
                shutil.rmtree(p, ignore_errors=True)
        for p in self.folder.glob(".snap-*.tmp"):  # a publisher that died midway
            shutil.rmtree(p, ignore_errors=True)
        live = set()
        for name in {keep_name} | ({previous.folder.name} if previous is not None else set()):
            try:
                live |= set(dict(json.loads((self.folder / name / "meta.json").read_text())["signature"]).values())
            except (OSError, ValueError):
                pass
        reports = self.folder / "reports"
        if reports.is_dir():
            for p in reports.glob("*.json.z"):
                if p.name[: -len(".json.z")] not in live:
                    p.unlink(missing_ok=True)
