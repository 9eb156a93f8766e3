"""Targets: one small function per case kind that runs the real thing and applies that kind's checks.

A target takes a case and an EvalContext (settings, library, chat model) and returns an Observation:
what the system produced (output, citations) and the outcome of every check the case asked for.
The library and the model are built lazily, so a metadata-only suite never loads Chroma or a model,
and tests hand in fakes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.runtime import Runtime
from assistant.settings import Settings
from assistant.types import Answer, Citation, Part, SearchFilter
from evals import checks
from evals.checks import CheckOutcome
from evals.suite import DraftCase, FilterSpec, MetadataCase, QACase, RetrievalCase

RANK_DEPTH = 10  # hits fetched for a retrieval case: enough for recall@10 and MRR


class EvalContext:
    """What targets need: the settings, and the library and chat model of an ``assistant.runtime.Runtime``
    (built on first use, shared by the cases of one suite, thread-safe). The runner hands in factories
    (a temporary library per corpus); tests hand in fakes."""

    def __init__(self, settings: Settings, **pieces: Any) -> None:
        """``pieces``: Runtime's ``library``, ``model``, ``library_factory``, ``model_factory``."""
        self.settings = settings
        self.runtime = Runtime(settings, **pieces)

    @property
    def library(self) -> Any:
        return self.runtime.library()

    @property
    def model(self) -> Any:
        return self.runtime.chat_model()


@dataclass
class Observation:
    output: Any
    checks: list[CheckOutcome]
    citations: list[dict] = field(default_factory=list)
    rank: int | None = None  # retrieval: 1-based rank of the first relevant hit
    answer: Answer | None = None  # qa: kept for the model-graded judge


def search_filter(spec: FilterSpec | None) -> SearchFilter | None:
    if spec is None:
        return None
    return SearchFilter(orgs=spec.orgs, years=spec.years, levels=spec.levels, parts=spec.parts)


def citation_dict(c: Citation) -> dict:
    d = asdict(c)
    d["part"] = Part(c.part).value
    return d


def run_qa(case: QACase, ctx: EvalContext) -> Observation:
    from assistant.answers.citations import REFUSAL
    from assistant.answers.pipeline import answer

    ans = answer(case.question, library=ctx.library, model=ctx.model, filter=search_filter(case.filter))
    e, text, found = case.expect, ans.text, []
    if e.contains:
        found.append(checks.check_contains(text, e.contains))
    if e.any_of:
        found.append(checks.check_any_of(text, e.any_of))
    if e.not_contains:
        found.append(checks.check_not_contains(text, e.not_contains))
    if e.regex:
        found.append(checks.check_regex(text, e.regex))
    if e.refuses is not None:
        found.append(checks.check_refuses(text, ans.refused, e.refuses, REFUSAL))
    if e.sources:
        found.append(checks.check_sources(ans.citations, e.sources))
    if e.grounded_numbers:
        # The question's own figures are not the answer's inventions; quotes are the cited evidence.
        found.append(checks.check_grounded_numbers(text, [c.quote for c in ans.citations] + [case.question]))
    if e.valid_citations:
        found.append(checks.check_valid_citations(ans.invented_ids))
    output = {
        "text": text,
        "refused": ans.refused,
        "uncited": ans.uncited,
        "invented_ids": list(ans.invented_ids),
        "ungrounded": [f.text for f in ans.ungrounded],
        "filter": ans.filter.describe() if ans.filter else "",
        "note": ans.note,  # what code decided about the reply (refused why, quoted, listed)
        "guard": ans.guard,  # the guard that acted on the reply, if any (evals.results.guard_totals counts them)
        "guard_action": ans.guard_action,  # refused, quoted, repaired
        "route": ans.route,  # single, quote, list, meta, comparison, mention, scope
        "reply": ans.reply,  # the model's raw reply: bench/bench_answers.py --from-eval replays the checks on it
        "seconds_to_first_token": ans.seconds_to_first_token,
        "seconds_total": ans.seconds_total,
    }
    return Observation(output, found, [citation_dict(c) for c in ans.citations], answer=ans)


def run_retrieval(case: RetrievalCase, ctx: EvalContext) -> Observation:
    k = max(case.expect.in_top_k, RANK_DEPTH)
    # Without a filter in the case, search as the answer path does: with the filter its reading of the question builds.
    given = search_filter(case.filter)
    if given is None:
        from assistant.answers.question import question_filter

        given = question_filter(case.question, ctx.library)
    result = ctx.library.search(case.question, filter=given, k=k, infer=False)
    rank = checks.first_relevant_rank(result.hits, case.expect)
    hits = [
        {"rank": r, "org": h.chunk.org, "year": h.chunk.year, "part": Part(h.chunk.part).value,
         "chunk_id": h.chunk.id, "score": round(h.score, 5), "text": h.chunk.text[:120]}
        for r, h in enumerate(result.hits, start=1)
    ]
    output = {"filter": result.filter.describe() if result.filter else "", "hits": hits}
    return Observation(output, [checks.check_in_top_k(rank, case.expect.in_top_k)], rank=rank)


def run_metadata(case: MetadataCase, ctx: EvalContext) -> Observation:
    from assistant.errors import BadInput
    from assistant.ingest import parse_file
    from assistant.textnorm import normalize

    e = case.expect
    try:
        report = parse_file(case.file)
    except BadInput as exc:
        if not e.refusal_ok:
            raise
        # the body is not named in what the file shows: refusing with the reason is the right outcome
        return Observation({"refused": str(exc)}, [checks.CheckOutcome("refused", True, "拒绝(允许)")])
    meta, found = report.meta, []
    for name in ("org", "level", "year", "title"):
        if getattr(e, name) is not None:
            actual, expected = getattr(meta, name), getattr(e, name)
            if name == "org":  # one name in either script: 桐溪鎮 = 桐溪镇
                actual, expected = normalize(actual), normalize(expected)
            found.append(checks.check_equals(f"meta.{name}", actual, expected))
    for name, part in (("shortcomings", Part.SHORTCOMINGS), ("causes", Part.CAUSES), ("plans", Part.PLANS)):
        if getattr(e, name) is not None:
            found.append(checks.check_item_count(report, part, getattr(e, name)))
    if e.parts:
        found.append(checks.check_parts_found(report, e.parts))
    output = {
        "org": meta.org, "level": meta.level, "year": meta.year, "title": meta.title,
        "parts": [p.value for p in report.parts_found()],
        "items": {p.value: [i.heading for i in report.items_of(p)] for p in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)},
    }
    return Observation(output, found)


def run_draft(case: DraftCase, ctx: EvalContext) -> Observation:
    from assistant.drafting import draft_report
    from assistant.drafting.coverage import work_counts
    from assistant.drafting.material import read_material_file
    from assistant.drafting.review import ALL_CHECKS, audit_draft, repair_counts
    from assistant.drafting.writer import prepare_inputs

    library = ctx.library
    draft = draft_report(case.org, case.year, library=library, model=ctx.model, material=list(case.material), peers=case.peers)
    _, check_ctx = prepare_inputs(case.org, case.year, library, list(case.material), case.peers)
    left = audit_draft(draft, check_ctx)  # what a reviewer would still strike in the finished text
    text = checks.draft_text(draft)
    e, found = case.expect, []
    if e.sections:
        found.append(checks.check_sections(draft, e.sections))
    if e.min_chars:
        found.append(checks.check_min_chars(text, e.min_chars))
    if e.contains:
        found.append(checks.check_contains(text, e.contains))
    if e.not_contains:
        found.append(checks.check_not_contains(text, e.not_contains))
    if e.no_foreign_orgs:
        found.append(checks.check_no_foreign_orgs(text, case.org, [e.org for e in library.catalog()]))
    previous = library.get(draft.previous_report_id) if (e.covers_shortcomings or e.grounded_numbers) else None
    if e.covers_shortcomings:
        found.append(checks.check_covers_shortcomings(draft, previous.items_of(Part.SHORTCOMINGS)))
    if e.grounded_numbers:
        # Only last year's own report and this year's material may supply figures: a peer's figures in
        # a draft are another body's facts, exactly what must not be carried over.
        sources = [previous.text] + [read_material_file(m) for m in case.material]
        body = checks.PLACEHOLDER.sub("", text)
        found.append(checks.check_grounded_numbers(body, sources))
    found += [checks.check_review(name, left[name]) for name in ALL_CHECKS if getattr(e, name)]
    if e.material_figures:
        found.append(checks.check_material_figures(draft, [read_material_file(m) for m in case.material]))
    output = {
        "text": text,
        "previous_report_id": draft.previous_report_id,
        "placeholders": list(draft.placeholders),
        "coverage": [{"shortcoming": r.shortcoming.key, "measures": list(r.measures)} for r in draft.coverage],
        "foreign_orgs_removed": sorted({o for s in draft.sections for p in s.paragraphs for o in p.foreign_orgs}),
        **work_counts(draft),  # what the model managed alone vs what the checks had to do
        "review_left": left,  # per reviewer's check: paragraphs it still flags in the finished draft
        "review_repaired": repair_counts(draft),  # per check: paragraphs code repaired or flagged while writing
        "unused_figures": list(draft.unused_figures),
    }
    return Observation(output, found)


Target = Callable[[Any, EvalContext], Observation]
TARGETS: dict[str, Target] = {"qa": run_qa, "retrieval": run_retrieval, "metadata": run_metadata, "draft": run_draft}
