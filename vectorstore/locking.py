"""One writer at a time across processes, and a journal of writes that have not been published yet.

``WriteLock`` is a ``filelock`` lock file in the data home, re-entrant within a process and shared by its
threads. Embedded Chroma is used only while holding it: two processes with the same embedded store open
lose vectors from its index (reproduced in tests/test_store_concurrency.py), so readers never open Chroma
and writers open it under this lock.

``Journal`` has one small JSON file per write (report id, new generation, the previous one, done or
not). It is created before any chunk row is written, marked done when the write is complete in Chroma,
and removed once a published snapshot reflects it. Entries left behind by a process that died mid-write tell the next process
that opens the library what to clean up: chunk rows of a generation that never became active (orphans)
and a snapshot older than Chroma.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

from assistant.errors import StoreUnavailable


class WriteLock:
    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.timeout_s = timeout_s
        self._file = None  # made on first use: a search never takes the lock, and filelock costs ≈35 ms to import
        self._thread = threading.RLock()
        self._depth = 0

    @property
    def held(self) -> bool:
        """True while this process holds the lock (in any thread)."""
        return self._depth > 0

    def acquire(self, timeout_s: float | None = None) -> bool:
        """Wait up to ``timeout_s`` (default: the configured one); False when another process kept it."""
        from filelock import Timeout

        timeout = self.timeout_s if timeout_s is None else timeout_s
        if not self._thread.acquire(timeout=timeout if timeout >= 0 else -1):
            return False
        if self._depth == 0:
            if self._file is None:
                from filelock import FileLock

                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = FileLock(str(self.path), thread_local=False)
            try:
                self._file.acquire(timeout=timeout, poll_interval=0.02)
            except Timeout:
                self._thread.release()
                return False
        self._depth += 1
        return True

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self._file.release()
        self._thread.release()

    def __enter__(self) -> "WriteLock":
        if not self.acquire():
            raise StoreUnavailable(
                f"另一个进程正在写入报告库, 等待 {self.timeout_s:g} 秒后仍未结束。请稍后再试"
                " (等待时间可用 ASSISTANT_LIBRARY_LOCK_TIMEOUT_S 调整)。"
            )
        return self

    def __exit__(self, *exc) -> None:
        self.release()


class Journal:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def begin(self, write_id: str, report_id: str, generation: str | None, previous: str | None) -> None:
        """Announce a write: ``generation`` (None for a removal) replaces ``previous`` (None for a new report)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._put(write_id, {"id": write_id, "report_id": report_id, "generation": generation, "previous": previous,
                             "done": False, "pid": os.getpid(), "host": socket.gethostname(), "started": time.time()})

    def mark_done(self, write_id: str) -> None:
        """The write finished in Chroma (new rows written, record flipped, old rows deleted)."""
        path = self.folder / f"{write_id}.json"
        entry = json.loads(path.read_text(encoding="utf-8"))
        entry["done"] = True
        self._put(write_id, entry)

    def _put(self, write_id: str, entry: dict) -> None:
        # Written whole or not at all (rename). Not fsynced: it has to outlive the process (a kill, a crash
        # of the program), which the page cache guarantees; after a power cut, `library check --repair`.
        tmp = self.folder / f".{write_id}.tmp"
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / f"{write_id}.json")

    def entries(self) -> list[dict]:
        if not self.folder.is_dir():
            return []
        out = []
        for p in sorted(self.folder.glob("*.json")):
            try:
                out.append(json.loads(p.read_text(encoding="utf-8")))
            except (OSError, ValueError):  # cut short by a crash before the rows were written
                out.append({"id": p.stem, "report_id": None, "generation": None, "previous": None, "done": True})
        return out

    def stale_entries(self) -> list[dict]:
        """Entries whose process is gone (this machine's only: another's may still be writing)."""
        return [e for e in self.entries() if not _alive(e)]

    def own_entries(self) -> list[dict]:
        return [e for e in self.entries() if e.get("pid") == os.getpid() and e.get("host") == socket.gethostname()]

    def end(self, write_ids: list[str]) -> None:
        for w in write_ids:
            (self.folder / f"{w}.json").unlink(missing_ok=True)


def _alive(entry: dict) -> bool:
    if entry.get("host") != socket.gethostname() or not entry.get("pid"):
        return entry.get("host") != socket.gethostname()  # another machine's: assume it still runs
    try:
        os.kill(int(entry["pid"]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
