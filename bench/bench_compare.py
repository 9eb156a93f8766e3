"""`compare` over a scale library: seconds, model calls, the coverage line, and whether what code found is right.

    python bench/bench_compare.py                       # 100 reports, the local model (ASSISTANT_LLM_LOCAL_SIZE)
    python bench/bench_compare.py --model none          # code only
    python bench/bench_compare.py --model stopwatch     # a stand-in that refuses at once: counts the calls
    python bench/bench_compare.py --n 500 --question "各乡镇调解矛盾纠纷多少件?"

The library is bench/scale_corpus.py's N-report corpus (ingested once, cached; its vectors are seeded, which
does not matter here: compare reads every report's passages and searches only for the reports it asks the
model about). One run of ``stream_compare`` is timed from the call to the Comparison, with the load average.

Checked by code, apart from the compare code:
- coverage: the rows are exactly the catalog entries the question's scope names (M), each once; N is the
  rows with an answer; the 未提及 list is the rest.
- correctness: the generator does not record the figures it wrote, so up to --sample rows whose figure code
  found are checked against the decoded report: the cited passage is the report's own text at its offsets,
  the figure and the quoted sentence are in it, the figure's unit answers the one asked, and the sentence is
  neither in the 安排 part nor a target (力争/目标…).
- recall: reports marked 未提及 whose text has a sentence outside 安排 with the topic's --keyword and a figure
  of the asked unit (what a reader would call a miss) are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import scale_corpus  # noqa: E402

QUESTION = "各单位调解矛盾纠纷多少件?"


class StopwatchModel:
    """Refuses at once: how many calls compare makes, without a model's time."""

    name = "stopwatch"
    context_window = 32768

    def __init__(self) -> None:
        self.calls = 0

    def complete(self, messages, **kw) -> str:
        from assistant.answers.citations import REFUSAL

        self.calls += 1
        return REFUSAL

    def stream(self, messages, **kw):
        yield self.complete(messages, **kw)


def chosen_model(kind: str):
    if kind == "none":
        return None
    if kind == "stopwatch":
        return StopwatchModel()
    from assistant import runtime

    return runtime.chat_model()


def check_coverage(comparison, catalog) -> list[str]:
    """Problems with the rows and the coverage line (empty: right)."""
    f = comparison.filter
    expected = sorted(e.id for e in catalog if (not f.orgs or e.org in f.orgs) and (not f.years or e.year in f.years)
                      and (not f.levels or e.level in f.levels))
    got = [r.report_id for r in comparison.rows]
    problems = []
    if sorted(got) != expected or len(set(got)) != len(got):
        problems.append(f"rows {len(got)} ≠ reports in scope {len(expected)}")
    covered = [r for r in comparison.rows if r.mentioned]
    missing = [r for r in comparison.rows if not r.mentioned]
    line = comparison.coverage_line()
    want = f"基于 {len(covered)}/{len(expected)} 份报告;未提及: " + ("、".join(f"{r.org}({r.year})" for r in missing) or "无")
    if line != want:
        problems.append(f"coverage line {line[:60]}… ≠ {want[:60]}…")
    return problems


def check_code_rows(comparison, library, sample: int, rng: random.Random) -> tuple[int, list[str]]:
    """(rows checked, problems) for up to ``sample`` rows whose figure code found."""
    from assistant.answers.question import parse_question
    from assistant.figures import find_figures
    from assistant.lexicon import PLAN_SENTENCE, answers_unit
    from assistant.types import Part

    q = parse_question(comparison.question, [(e.org, e.year) for e in library.catalog()])
    asked = q.units or ((q.unit,) if q.unit else ())
    rows = [r for r in comparison.rows if r.found_by == "code" and r.figure is not None]
    problems = []
    picked = rng.sample(rows, min(sample, len(rows)))
    for r in picked:
        report = library.get(r.report_id)
        cite = r.figure_citation
        chunk = next((c for c in report.chunks if c.id == cite.chunk_id), None)
        sentence = r.answer.split("[", 1)[0]
        where = f"{r.org} {r.year}"
        if chunk is None or report.text[chunk.start : chunk.end] != cite.quote:
            problems.append(f"{where}: cited passage is not the report's text at its offsets")
            continue
        if sentence not in report.text:
            problems.append(f"{where}: quoted sentence not in the report: {sentence[:40]}")
        if cite.quote[r.figure.start : r.figure.end] != r.figure.text:
            problems.append(f"{where}: figure {r.figure.text} not at its offsets in the passage")
        if r.figure.text not in sentence or r.figure.value not in [f.value for f in find_figures(sentence)]:
            problems.append(f"{where}: figure {r.figure.text} is not in the sentence quoted")
        if asked and not any(answers_unit(r.figure.unit, u) for u in asked):
            problems.append(f"{where}: {r.figure.text} does not answer the unit asked ({'/'.join(asked)})")
        if chunk.part == Part.PLANS or PLAN_SENTENCE.search(sentence):
            problems.append(f"{where}: {r.figure.text} is a plan's target: {sentence[:40]}")
    return len(picked), problems


def check_recall(comparison, library, keyword: str) -> list[str]:
    """未提及 reports that do have a sentence with ``keyword`` and a figure of the asked unit outside 安排."""
    from assistant.answers.question import parse_question
    from assistant.figures import find_figures
    from assistant.lexicon import SENTENCE, answers_unit
    from assistant.types import Part, SearchFilter

    q = parse_question(comparison.question, [(e.org, e.year) for e in library.catalog()])
    asked = q.units or ((q.unit,) if q.unit else ())
    missed = []
    for r in comparison.rows:
        if r.mentioned:
            continue
        for chunk in library.chunks(SearchFilter(orgs=[r.org], years=[r.year])):
            if chunk.part == Part.PLANS:
                continue
            for s in SENTENCE.findall(chunk.text):
                if keyword in s and any(f.unit and any(answers_unit(f.unit, u) for u in asked) for f in find_figures(s)):
                    missed.append(f"{r.org} {r.year}: {s.strip()[:60]}")
                    break
            else:
                continue
            break
    return missed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="reports in the scale library")
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--model", default="local", choices=["local", "stopwatch", "none"])
    ap.add_argument("--sample", type=int, default=20, help="code-found rows checked against the report text")
    ap.add_argument("--keyword", default="纠纷", help="the topic word of the recall check")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args()

    home = scale_corpus.ingest(args.n)[0]
    os.environ["ASSISTANT_HOME"] = str(home)
    from assistant.settings import get_settings

    get_settings.cache_clear()
    from assistant import runtime
    from assistant.answers.compare import Comparison, stream_compare

    library = runtime.library()
    model = chosen_model(args.model)
    load_before = os.getloadavg()
    started = time.perf_counter()
    first_row = None
    comparison = None
    for item in stream_compare(args.question, library, model=model):
        if isinstance(item, Comparison):
            comparison = item
        elif first_row is None:
            first_row = time.perf_counter() - started
    seconds = time.perf_counter() - started
    load_after = os.getloadavg()
    assert comparison is not None

    coverage_problems = check_coverage(comparison, library.catalog())
    checked, row_problems = check_code_rows(comparison, library, args.sample, random.Random(13))
    missed = check_recall(comparison, library, args.keyword)
    by = {k: sum(r.found_by == k for r in comparison.rows) for k in ("code", "model")}
    result = {
        "reports": len(comparison.rows), "question": args.question, "model": getattr(model, "name", "none"),
        "seconds": round(seconds, 1), "first_row_s": round(first_row or 0.0, 2),
        "model_calls": comparison.model_calls, "found_by_code": by["code"], "found_by_model": by["model"],
        "covered": len(comparison.covered), "coverage_line_right": not coverage_problems,
        "code_rows_checked": checked, "code_row_problems": row_problems, "possible_misses": missed,
        "load_average": [round(x, 1) for x in (*load_before[:1], *load_after[:1])], "cores": os.cpu_count(),
    }
    print(f"compare over {result['reports']} reports: {result['seconds']} s (first row after {result['first_row_s']} s), "
          f"model {result['model']}: {result['model_calls']} calls")
    print(f"answered by code {by['code']}, by the model {by['model']}; {comparison.coverage_line()[:80]}…")
    print(f"coverage line right: {'yes' if not coverage_problems else 'NO: ' + '; '.join(coverage_problems)}")
    print(f"code-found rows checked against the report text: {checked}, problems: {len(row_problems)}")
    for p in row_problems:
        print(f"  ✗ {p}")
    print(f"未提及 reports with a '{args.keyword}' sentence giving the asked unit (possible misses): {len(missed)}")
    for m in missed[:10]:
        print(f"  ? {m}")
    print(f"(load average {load_before[0]:.1f} → {load_after[0]:.1f} on {os.cpu_count()} cores)")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if not coverage_problems and not row_problems else 1


if __name__ == "__main__":
    sys.exit(main())
