"""Cross-report questions over every matching report — code first, the model only where code finds nothing.

"各乡镇2024年调解矛盾纠纷多少件?" needs every matching report, not the top few passages of the whole library,
and at 100 reports one model call per report is half an hour on the local model. So:

1. scope: the catalog entries the question (or the user's filter) names — bodies, years, levels (各乡镇 → 镇/乡).
   Nothing is decoded: the catalog and the published passages are enough.
2. code: every passage of every report in scope is read once. A figure question gets, per report, the
   sentence giving a figure of each unit asked, on the question's topic (``quote.quoted_answer``: a plan's
   target is not a result unless plans are asked), cited. "哪些单位提到…" is answered by
   ``mentions.find_mentions`` alone.
3. model: only for a report where code found no answer but which the model could answer from — a sentence
   on the question's topic (giving a figure of the unit asked, for a figure question): its own best passages,
   ``prompts/compare.md``, one report at a time. Any other report is 未提及 without asking.

``stream_compare`` yields a ``CompareProgress`` as each report is settled (the code's rows at once, then each
model row) and the ``Comparison`` last; ``compare`` returns just the Comparison. Its coverage line says what
was covered: "基于 N/M 份报告;未提及: …".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from assistant import lexicon as lx
from assistant.answers.citations import REFUSAL, check_reply
from assistant.answers.evidence import citation_for, evidence_block, pack_evidence
from assistant.answers.mentions import find_mentions, mention_terms
from assistant.answers.question import Kind, Question, parse_question
from assistant.answers.quote import distinctive_topic, on_topic, quoted_answer
from assistant.errors import AssistantError, BadInput
from assistant.figures import find_figures
from assistant.llm import as_chat_model, context_budget
from assistant.prompts import load_prompt
from assistant.settings import get_settings
from assistant.textnorm import normalize
from assistant.answers.figure_labels import figure_what
from assistant.types import Chunk, Citation, Evidence, Figure, Part, SearchFilter

log = logging.getLogger(__name__)

# Words that name a level of body in a question, and the levels they mean.
_LEVEL_WORDS = (
    ("乡镇", ["镇", "乡"]), ("街道", ["街道"]), ("各镇", ["镇"]), ("各乡", ["乡"]), ("县区", ["县/区"]),
    ("各县", ["县/区"]), ("各区", ["县/区"]), ("部门", ["部门"]), ("各局", ["部门"]),
)


@dataclass
class ComparisonRow:
    report_id: str
    org: str
    year: int
    level: str
    answer: str  # with [1][2] marks into ``citations``: code's quoted sentences, or the model's checked answer
    mentioned: bool
    figure: Figure | None = None  # the first figure asked, offsets into ``figure_citation.quote``
    figure_what: str = ""
    figure_citation: Citation | None = None
    citations: list[Citation] = field(default_factory=list)
    ungrounded: list[Figure] = field(default_factory=list)
    invented_ids: list[str] = field(default_factory=list)
    found_by: str = ""  # code | model | "" (nothing found)


@dataclass(frozen=True)
class CompareProgress:
    """One report settled: ``done`` of ``total``; ``row`` is its row. ``asking`` counts the reports still
    waiting for the model (code found nothing in them, but they speak of the topic)."""

    done: int
    total: int
    row: ComparisonRow
    asking: int = 0

    def line(self) -> str:
        waiting = f",等待模型 {self.asking} 份" if self.asking else ""
        return f"已查 {self.done}/{self.total} 份报告{waiting}"


@dataclass
class Comparison:
    question: str
    filter: SearchFilter
    rows: list[ComparisonRow]
    model_calls: int = 0
    term: str = ""  # what a mention question looked for ("" otherwise)
    seconds: float = 0.0

    @property
    def covered(self) -> list[ComparisonRow]:
        return [r for r in self.rows if r.mentioned]

    @property
    def not_mentioned(self) -> list[ComparisonRow]:
        return [r for r in self.rows if not r.mentioned]

    def coverage_line(self) -> str:
        missing = "、".join(f"{r.org}({r.year})" for r in self.not_mentioned) or "无"
        return f"基于 {len(self.covered)}/{len(self.rows)} 份报告;未提及: {missing}"

    def to_markdown(self) -> str:
        lines = ["| 单位 | 年度 | 回答 | 数字 | 出处 |", "|---|---|---|---|---|"]
        for r in self.rows:
            cite = r.figure_citation or (r.citations[0] if r.citations else None)
            if cite and r.figure and cite is r.figure_citation:  # the words around the figure
                a, b = max(0, r.figure.start - 20), r.figure.end + 10
                where = f"{cite.part.value} · …{' '.join(cite.quote[a:b].split())}…"
            else:
                where = f"{cite.part.value} · {' '.join(cite.quote[:30].split())}…" if cite else "—"
            fig = f"{r.figure.text}({r.figure_what})" if r.figure else "—"
            answer = r.answer.replace("|", "/").replace("\n", " ") if r.mentioned else "未提及"
            by = {"code": "(程序摘出)", "model": "(模型)"}.get(r.found_by, "") if r.mentioned else ""
            lines.append(f"| {r.org} | {r.year} | {answer}{by} | {fig} | {where.replace('|', '/')} |")
        lines.append("")
        lines.append(self.coverage_line())
        return "\n".join(lines)


def infer_levels(question: str) -> list[str] | None:
    for word, levels in _LEVEL_WORDS:
        if word in question:
            return levels
    return None


def scope(question: Question, catalog: list, filter: SearchFilter | None = None) -> tuple[SearchFilter, list]:
    """The filter to apply (given, else read off the question: its bodies, report years, 各乡镇 → levels) and
    the catalog entries it matches, by level, body and year."""
    if filter is not None and not filter.is_empty():
        f = filter
    else:
        orgs = list(question.bodies) or None
        f = SearchFilter(orgs=orgs, years=list(question.report_years) or None,
                         levels=None if orgs else infer_levels(question.text), inferred=True)
    entries = [e for e in catalog if (not f.orgs or e.org in f.orgs) and (not f.years or e.year in f.years)
               and (not f.levels or e.level in f.levels)]
    return f, sorted(entries, key=lambda e: (e.level, e.org, e.year))


def _plan_then_outcome(question: Question, entries: list) -> int | None:
    """For "芦林镇原计划…目标是多少?…实际成功率多少?" over one body's reports: the latest year, whose report
    tells what came of the earlier one's plan (its figures must be results, the earlier one's are its plans);
    None for any other question."""
    if not (lx.PLAN_WORDS.search(question.text) and lx.OUTCOME_WORDS.search(question.text)):
        return None
    years = sorted({e.year for e in entries})
    return years[-1] if len({e.org for e in entries}) == 1 and len(years) >= 2 else None


def _as_plan(question: Question) -> Question:
    return replace(question, parts=tuple(dict.fromkeys((*question.parts, Part.PLANS))))


def _as_result(question: Question) -> Question:
    return replace(question, parts=tuple(p for p in question.parts if p is not Part.PLANS), plan_years=())


def _report_question(question: str, org: str, year: int) -> str:
    """The question about one report: 各乡镇… → 徐行镇…"""
    q, n = lx.COLLECTIVE.subn(org, question, count=1)
    return q if n else f"{org}{year}年:{question}"


def _row(entry, answer: str = "", mentioned: bool = False, **kw) -> ComparisonRow:
    return ComparisonRow(entry.id, entry.org, entry.year, entry.level, answer, mentioned, **kw)


def _by_code(question: Question, entry, chunks: list[Chunk], limits) -> ComparisonRow | None:
    """The report's own sentences answering a figure question (one per unit asked), or None."""
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in chunks]
    quoted = quoted_answer(question, evidence, limits)
    if quoted is None:
        return None
    text, citations = quoted
    row = _row(entry, answer=text, mentioned=True, citations=citations, found_by="code")
    first = citations[0]
    sentence = text.split("[", 1)[0]
    at = max(first.quote.find(sentence), 0)
    wanted = question.units or ((question.unit,) if question.unit else ())
    figures = [f for f in find_figures(first.quote) if at <= f.start < at + len(sentence) and f.unit != "年"]
    fig = next((f for f in figures if not wanted or (f.unit and any(lx.answers_unit(f.unit, u) for u in wanted))),
               figures[0] if figures else None)
    if fig is not None:
        row.figure, row.figure_citation = fig, first
        row.figure_what = figure_what(first.quote, fig, at, 0)
    return row


def _worth_asking(question: Question, chunks: list[Chunk], limits, ask_char_share: float) -> list[Chunk]:
    """The report's passages the model may answer from where code did not: those with a sentence on the
    question's topic that, for a figure question, gives a figure of a unit asked (without one, the guards would
    refuse any count the model gave). On the topic here means sharing one of its distinctive bigrams, or
    ``ask_char_share`` of its characters (a paraphrase: 受理信访 → 处理群众来信来访) — stricter than the guards'
    reading, because each passage kept costs a model call. A question about a part ("各乡镇存在哪些不足?") is
    answered from that part. Empty: the report is 未提及 without asking the model."""
    if not question.asks_figure and question.parts:
        return [c for c in chunks if c.part in question.parts]
    topic = distinctive_topic(question, [c.text for c in chunks], limits)
    strict = limits.model_copy(update={"topic_char_share": max(ask_char_share, limits.topic_char_share)})
    asked = question.units or ((question.unit,) if question.unit else ())
    kept = []
    for chunk in chunks:
        for sentence in lx.SENTENCE.findall(chunk.text):
            plain = normalize(sentence)
            if not (any(b in plain for b in topic) and on_topic(sentence, question, topic, limits)) \
                    and not on_topic(sentence, question, set(), strict):
                continue
            figures = [f for f in find_figures(sentence) if f.unit != "年"]
            if not question.asks_figure or any(
                    not asked or (f.unit and any(lx.answers_unit(f.unit, u) for u in asked)) for f in figures):
                kept.append(chunk)
                break
    return kept


def _model_row(question: Question, entry, passages: list[Chunk], model, settings) -> ComparisonRow:
    """The model's answer for one report from ``passages`` (its own, at most ``compare.model_passages``)."""
    q = _report_question(question.text, entry.org, entry.year)
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in passages[: settings.compare.model_passages]]
    row = _row(entry)
    prompt = load_prompt("compare")
    label = f"{entry.org} {entry.year}年"
    max_tokens = settings.compare.row_max_tokens
    empty = prompt.render(report_label=label, evidence="", question=q, refusal=REFUSAL)
    packed = pack_evidence(evidence, context_budget(model.context_window, empty, max_tokens))
    messages = prompt.render(report_label=label, evidence=evidence_block(packed), question=q, refusal=REFUSAL)
    try:
        raw = model.complete(messages, max_tokens=max_tokens)
    except AssistantError as exc:
        row.answer = f"(模型未能回答: {exc})"
        return row
    checked = check_reply(raw, packed)
    row.invented_ids = checked.invented_ids
    if checked.refused:
        row.answer = REFUSAL
        return row
    row.answer, row.citations, row.ungrounded = checked.text, checked.citations, checked.ungrounded
    row.mentioned = bool(checked.citations)
    row.found_by = "model" if row.mentioned else ""
    return row


def _best_passage_row(entry, passages: list[Chunk]) -> ComparisonRow:
    """Without a model, for a question code cannot answer: the report's first passage on it is all it can offer."""
    best = Evidence(Evidence.make_id(passages[0].id), passages[0], 1.0)
    text = best.chunk.text
    return _row(entry, answer="相关段落: " + text[:80] + ("…" if len(text) > 80 else ""), mentioned=True,
                citations=[citation_for(best)], found_by="code")


def stream_compare(question: str, library, model=None, filter: SearchFilter | None = None
                   ) -> Iterator[CompareProgress | Comparison]:
    """Answer ``question`` for every report in scope: a ``CompareProgress`` per report as it is settled, the
    ``Comparison`` last. ``model``: our ``ChatModel``, a LangChain chat model, or None (code only)."""
    started = time.perf_counter()
    settings = get_settings()
    model = as_chat_model(model)
    text = (question or "").strip()
    if not text:
        raise BadInput("问题不能为空,请输入要比较的内容。")
    catalog = library.catalog()
    q = parse_question(text, [(e.org, e.year) for e in catalog])
    f, entries = scope(q, catalog, filter)
    if not entries:
        raise BadInput(f"没有符合条件的报告({f.describe()})。请先导入报告,或放宽单位、年度、层级条件。")
    total = len(entries)
    rows: dict[str, ComparisonRow] = {}

    def settled(row: ComparisonRow, asking: int = 0) -> CompareProgress:
        rows[row.report_id] = row
        return CompareProgress(len(rows), total, row, asking)

    if q.kind is Kind.MENTION:
        found = {m.report_id: m for m in find_mentions(q, library, [(e.id, e.org, e.year) for e in entries], f)}
        for e in entries:
            m = found.get(e.id)
            yield settled(_row(e, answer=f"{m.sentence}[1]", mentioned=True, citations=[m.citation], found_by="code")
                          if m else _row(e))
        terms = mention_terms(q)
        yield Comparison(text, f, [rows[e.id] for e in entries], 0, "、".join(terms), time.perf_counter() - started)
        return

    by_report: dict[str, list[Chunk]] = {}
    for c in library.chunks(f):
        by_report.setdefault(c.report_id, []).append(c)
    pending: list[tuple] = []  # (entry, the passages the model would read)
    outcome_after = _plan_then_outcome(q, entries)
    for e in entries:
        chunks = by_report.get(e.id, [])
        asked = q if outcome_after is None else _as_plan(q) if e.year < outcome_after else _as_result(q)
        row = _by_code(asked, e, chunks, settings.guards) if q.asks_figure else None
        passages = _worth_asking(q, chunks, settings.guards, settings.compare.ask_char_share) if row is None else []
        if row is not None:
            yield settled(row)
        elif passages:
            pending.append((e, passages))
        else:
            yield settled(_row(e))
    calls = 0
    for i, (e, passages) in enumerate(pending):
        if model is not None:
            calls += 1
            yield settled(_model_row(q, e, passages, model, settings), len(pending) - i - 1)
        elif not q.asks_figure:
            yield settled(_best_passage_row(e, passages))
        else:
            yield settled(_row(e))
    yield Comparison(text, f, [rows[e.id] for e in entries], calls, "", time.perf_counter() - started)


def compare(question: str, library, model=None, filter: SearchFilter | None = None) -> Comparison:
    """Answer ``question`` for every report in scope and tabulate the answers with their coverage
    (``stream_compare`` without the progress)."""
    for item in stream_compare(question, library, model=model, filter=filter):
        if isinstance(item, Comparison):
            return item
    raise AssertionError("stream_compare ends with a Comparison")
