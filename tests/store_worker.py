"""A second process for the library's cross-process tests and bench: ``python tests/store_worker.py CMD ...``.

It opens the library the environment describes (ASSISTANT_HOME, ASSISTANT_CHROMA_*) with fake embeddings,
does one job and prints one JSON line. Jobs:

    add ORG VERSION [--pause-after-write S] [--pause-after-flip S]   add a version of a small report
    kill-after-write ORG VERSION     write a version's chunks, then SIGKILL itself before the flip
    replace-loop SECONDS ORG...      replace the given reports with alternating versions until time is up
                                     (STORE_WORKER_PAUSE=S: pause S after each write and each flip)
    search-loop SECONDS              search until time is up; latencies and any mixed/empty result
    ingest DIR SLOW                  ingest_paths of a folder, the fake model taking SLOW seconds per batch;
                                     one JSON line per file as it is stored

The pauses widen the windows a concurrent writer can slip into, as the audit of issue 12 did.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.settings import get_settings  # noqa: E402
from assistant.types import Part  # noqa: E402
from vectorstore import FakeEmbedding, open_library  # noqa: E402
from vectorstore.testing import make_report, search_loop  # noqa: E402

PARAGRAPHS = (
    (Part.MEASURES, "{v}版:{org}全年调解矛盾纠纷930件,调解成功率96.77%。"),
    (Part.MEASURES, "{v}版:{org}培育法律明白人120名,开展普法活动45场次。"),
    (Part.LEADERSHIP, "{v}版:{org}主要负责人认真履行法治建设第一责任人职责。"),
    (Part.SHORTCOMINGS, "{v}版:{org}行政执法人员素质有待提高。"),
    (Part.PLANS, "{v}版:{org}加强行政执法证管理,实现持证上岗。"),
)
QUESTION = "调解矛盾纠纷 法律明白人 第一责任人 执法人员 持证上岗"


def version_report(org: str, version: str, year: int = 2024):
    """A five-chunk report whose every chunk starts with its version mark, so mixed results show."""
    return make_report(org, year, [(p, t.format(v=version, org=org)) for p, t in PARAGRAPHS])


def _library():
    return open_library(get_settings(), embedding=FakeEmbedding())


def _store(lib):
    """The library's Chroma store object (embedded Chroma is only opened under the write lock); patching
    its methods patches what the library's writes call."""
    with lib.lock:
        return lib._store()


def _pause_store(lib, after_write: float, after_flip: float) -> None:
    store = _store(lib)
    put_chunks, put_record = store.put_chunks, store.put_record

    def slow_put_chunks(*a, **kw):
        put_chunks(*a, **kw)
        time.sleep(after_write)

    def slow_put_record(*a, **kw):
        put_record(*a, **kw)
        time.sleep(after_flip)

    store.put_chunks, store.put_record = slow_put_chunks, slow_put_record


def main(argv: list[str]) -> int:
    cmd, args = argv[0], argv[1:]
    if cmd == "add":
        org, version = args[0], args[1]
        lib = _library()
        opts = dict(zip(args[2::2], map(float, args[3::2])))
        _pause_store(lib, opts.get("--pause-after-write", 0.0), opts.get("--pause-after-flip", 0.0))
        status = lib.add(version_report(org, version))
        print(json.dumps({"status": status}))
    elif cmd == "kill-after-write":
        org, version = args
        lib = _library()
        store = _store(lib)
        put_chunks = store.put_chunks

        def write_then_die(*a, **kw):
            put_chunks(*a, **kw)
            os.kill(os.getpid(), signal.SIGKILL)

        store.put_chunks = write_then_die
        lib.add(version_report(org, version))
    elif cmd == "replace-loop":
        seconds, orgs = float(args[0]), args[1:]
        pause = float(os.environ.get("STORE_WORKER_PAUSE", "0"))
        lib = _library()
        _pause_store(lib, pause, pause)
        writes, errors = 0, []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for org in orgs:
                try:
                    lib.add(version_report(org, "甲" if writes % 2 else "乙"))
                except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])
                writes += 1
        print(json.dumps({"writes": writes, "errors": errors[:5], "error_count": len(errors)}, ensure_ascii=False))
    elif cmd == "search-loop":
        seconds = float(args[0])
        latencies, problems = search_loop(_library(), QUESTION, seconds, len(PARAGRAPHS), k=50)
        print(json.dumps({"latencies": latencies, "problems": problems[:10], "problem_count": len(problems)},
                         ensure_ascii=False))
    elif cmd == "ingest":
        from assistant.ingest import ingest_paths

        folder, slow = args[0], float(args[1])

        class SlowFake(FakeEmbedding):
            def __call__(self, input):
                time.sleep(slow)
                return super().__call__(input)

        lib = open_library(get_settings(), embedding=SlowFake())
        summary = ingest_paths(lib, [folder], progress=False,
                               on_result=lambda r: print(json.dumps({"file": r.path.name, "status": r.status}), flush=True))
        print(json.dumps({"done": summary.describe()}, ensure_ascii=False))
    else:
        print(f"unknown command {cmd}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
