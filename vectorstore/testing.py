"""Helpers for tests that need a library: hand-built reports, a real ``chroma run`` server, an audit.

Used by this project's tests and benches (and usable by other modules' tests): ``make_report`` builds a
valid ``Report`` without the ingest pipeline, ``ChromaServer`` starts a throwaway Chroma server on
127.0.0.1, and ``python -m vectorstore.testing audit`` reads the configured store with chromadb alone
(none of the library's code) and prints what it holds as JSON — run it in a fresh process: a process
that has had embedded Chroma open does not see other processes' index updates.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.types import Chunk, Part, Report, ReportMeta, Section


def make_report(
    org: str,
    year: int,
    paragraphs: list[tuple[Part, str]],
    *,
    level: str = "镇",
    title: str | None = None,
) -> Report:
    """A report whose chunks are its paragraphs, with the ingest's label prefix in index_text.

    The content hash is derived from the text, so the same paragraphs give the same hash.
    """
    rid = Report.make_id(org, year)
    text = "\n".join(p for _, p in paragraphs)
    chunks, sections, pos = [], [], 0
    for part, para in paragraphs:
        start, end = pos, pos + len(para)
        chunks.append(
            Chunk(
                id=Chunk.make_id(rid, start, end),
                report_id=rid,
                org=org,
                year=year,
                level=level,
                part=part,
                heading_path=(part.value,),
                text=para,
                start=start,
                end=end,
                index_text=f"【{org} {year}年 · {part.value}】{para}",
            )
        )
        sections.append(Section(part, "", (part.value,), 1, start, end))
        pos = end + 1
    meta = ReportMeta(org=org, level=level, year=year, title=title or f"{org}{year}年法治政府建设情况报告")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return Report(rid, digest, meta, text, sections, [], chunks)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """``chroma run --path DIR --host 127.0.0.1 --port P`` in a subprocess, stopped on exit."""

    def __init__(self, path: Path, port: int | None = None, start_timeout_s: float = 60.0) -> None:
        self.path = Path(path)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.start_timeout_s = start_timeout_s
        self._proc: subprocess.Popen | None = None

    def __enter__(self) -> "ChromaServer":
        exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
        self.path.mkdir(parents=True, exist_ok=True)
        log = open(self.path / "server.log", "wb")
        self._proc = subprocess.Popen(
            [exe, "run", "--path", str(self.path), "--host", self.host, "--port", str(self.port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self._proc.returncode}; see {self.path / 'server.log'}")
            try:
                if httpx.get(f"http://{self.host}:{self.port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"chroma run did not answer within {self.start_timeout_s}s")

    def __exit__(self, *exc) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None


def torn_results(hits, passages_per_report: int) -> list[str]:
    """Reports a search returned torn: passages of two versions (each passage's first character marks its
    version), or fewer passages than the report has. For tests and benches whose reports are built so."""
    seen: dict[str, list[str]] = {}
    for h in hits:
        seen.setdefault(h.chunk.report_id, []).append(h.chunk.text[0])
    return [f"{rid}: {len(v)} passages, versions {sorted(set(v))}" for rid, v in seen.items()
            if len(set(v)) != 1 or len(v) != passages_per_report]


def search_loop(library, question: str, seconds: float, passages_per_report: int, k: int = 200):
    """Search back to back for ``seconds`` (after one warm-up search): (latencies in seconds, problems —
    torn results and errors)."""
    import time

    library.search(question, k=1, infer=False)
    latencies: list[float] = []
    problems: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        t0 = time.perf_counter()
        try:
            hits = library.search(question, k=k, infer=False).hits
        except Exception as exc:  # noqa: BLE001 - reported to the caller
            problems.append(f"{type(exc).__name__}: {exc}"[:200])
            continue
        latencies.append(time.perf_counter() - t0)
        problems += torn_results(hits, passages_per_report)
    return latencies, problems


def audit_store() -> dict:
    """What Chroma holds for the configured library, read directly: reports whose active generation lacks
    chunk rows ("lost"), chunk rows no report points at ("orphans"), rows the vector index does not return
    for their own vector ("unindexed") or an index that fails ("index_error"), and the report ids. All
    empty when healthy."""
    import chromadb

    from assistant.settings import get_settings
    from vectorstore.chroma_store import chroma_settings

    s = get_settings()
    if s.chroma.host:
        client = chromadb.HttpClient(host=s.chroma.host, port=s.chroma.port, settings=chroma_settings())
    else:
        client = chromadb.PersistentClient(path=str(s.chroma_dir), settings=chroma_settings())
    name = s.chroma.collection
    records = client.get_collection(f"{name}-reports").get(include=["metadatas"])
    active = {rid: m["generation"] for rid, m in zip(records["ids"], records["metadatas"])}
    expected = {rid: int(m["chunks"]) for rid, m in zip(records["ids"], records["metadatas"])}
    chunks = client.get_collection(name)
    rows = chunks.get(include=["metadatas"])
    stored: dict[str, int] = {}
    orphans = []
    for key, meta in zip(rows["ids"], rows["metadatas"]):
        if active.get(meta["report_id"]) == meta["generation"]:
            stored[meta["report_id"]] = stored.get(meta["report_id"], 0) + 1
        else:
            orphans.append(key)
    unindexed, index_error = [], None
    try:  # each row looked up by its own vector (after many deletes, one query does not reach every row)
        for s in range(0, len(rows["ids"]), 200):
            got = chunks.get(ids=rows["ids"][s : s + 200], include=["embeddings"])
            found = chunks.query(query_embeddings=list(got["embeddings"]), n_results=min(10, len(rows["ids"])),
                                 include=[])["ids"]
            unindexed += [key for key, hits in zip(got["ids"], found) if key not in hits]
    except Exception as exc:  # noqa: BLE001 - a broken index is a finding
        index_error = f"{type(exc).__name__}: {exc}"
    return {"lost": sorted(rid for rid, n in expected.items() if stored.get(rid, 0) != n), "orphans": orphans,
            "unindexed": unindexed, "index_error": index_error, "reports": sorted(active)}


if __name__ == "__main__":
    import json

    if sys.argv[1:] != ["audit"]:
        sys.exit("usage: python -m vectorstore.testing audit")
    print(json.dumps(audit_store(), ensure_ascii=False))
