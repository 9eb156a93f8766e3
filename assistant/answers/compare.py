"""Cross-report questions answered report by report, with a coverage line.

"各乡镇2024年调解矛盾纠纷的件数?" needs every matching report, not the top few chunks of the whole
library. So: pick the reports (bodies, years, levels named in the question or given), retrieve the
best chunks *within each report*, answer per report (model with the same citation rules, and code-
extracted figures when the question asks for a number), then tabulate and say what was covered:
"基于 N/M 份报告;未提及: …".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from assistant.answers.citations import REFUSAL, check_reply
from assistant.answers.evidence import citation_for, evidence_block, make_evidence, pack_evidence
from assistant.errors import AssistantError, BadInput
from assistant.figures import find_figures
from assistant.llm import as_chat_model, context_budget
from assistant.prompts import load_prompt
from assistant.summarize import figure_what
from assistant.types import Citation, Evidence, Figure, Report, SearchFilter

log = logging.getLogger(__name__)

ROW_MAX_TOKENS = 160
CHUNKS_PER_REPORT = 4

# Words that name a level of body in a question, and the levels they mean.
_LEVEL_WORDS = (
    ("乡镇", ["镇", "乡"]), ("街道", ["街道"]), ("各镇", ["镇"]), ("各乡", ["乡"]), ("县区", ["县/区"]),
    ("各县", ["县/区"]), ("各区", ["县/区"]), ("部门", ["部门"]), ("各局", ["部门"]),
)
# "How many …" and the units that answer it.
_COUNT_WORDS = (
    ("件数", ["件", "起", "宗"]), ("人数", ["人", "名", "人次", "位"]), ("人次", ["人次"]), ("次数", ["次", "场次", "场"]),
    ("场次", ["场次", "场"]), ("户数", ["户"]), ("金额", ["元"]), ("率", ["%"]), ("比例", ["%"]), ("多少件", ["件", "起"]),
    ("多少次", ["次", "场次"]), ("多少人", ["人", "名", "人次"]), ("多少", []), ("几", []),
)
# The collective subject of a cross-report question, replaced by each body's name.
_COLLECTIVE = re.compile(r"各(?:乡镇|街道|镇|乡|县区|县|区|部门|单位)|哪些(?:乡镇|街道|镇|乡|单位|部门|县区)|所有(?:乡镇|单位|报告)")


@dataclass
class ComparisonRow:
    report_id: str
    org: str
    year: int
    level: str
    answer: str  # the model's checked answer ([1] = citations[0]) or, without a model, the figure's sentence
    mentioned: bool
    figure: Figure | None = None  # code-extracted, offsets into the cited chunk's text
    figure_what: str = ""
    figure_citation: Citation | None = None
    citations: list[Citation] = field(default_factory=list)
    ungrounded: list[Figure] = field(default_factory=list)
    invented_ids: list[str] = field(default_factory=list)


@dataclass
class Comparison:
    question: str
    filter: SearchFilter
    rows: list[ComparisonRow]

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
                where = f"{cite.part.value} · …{cite.quote[a:b]}…"
            else:
                where = f"{cite.part.value} · {cite.quote[:30]}…" if cite else "—"
            fig = f"{r.figure.text}({r.figure_what})" if r.figure else "—"
            answer = r.answer.replace("|", "/").replace("\n", " ") if r.mentioned else "未提及"
            lines.append(f"| {r.org} | {r.year} | {answer} | {fig} | {where.replace('|', '/')} |")
        lines.append("")
        lines.append(self.coverage_line())
        return "\n".join(lines)


def infer_levels(question: str) -> list[str] | None:
    for word, levels in _LEVEL_WORDS:
        if word in question:
            return levels
    return None


def wanted_units(question: str) -> list[str] | None:
    """Units that would answer a counting question ([] = any number); None when it asks no number."""
    for word, units in _COUNT_WORDS:
        if word in question:
            return units
    return None


def scope(question: str, library, filter: SearchFilter | None = None) -> tuple[SearchFilter, list[Report]]:
    """The filter to apply (given, else read off the question) and every report it matches."""
    f = filter if filter is not None and not filter.is_empty() else library.infer_filter(question)
    if not f.levels and not f.orgs:
        levels = infer_levels(question)
        if levels:
            f = SearchFilter(orgs=f.orgs, years=f.years, levels=levels, parts=f.parts, inferred=True)
    reports = [
        r for r in library.reports()
        if (not f.orgs or r.meta.org in f.orgs) and (not f.years or r.meta.year in f.years)
        and (not f.levels or r.meta.level in f.levels)
    ]
    return f, sorted(reports, key=lambda r: (r.meta.level, r.meta.org, r.meta.year))


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"[\s\d,，。?？!！、:：;；()（）“”]", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


def extract_figure(question: str, evidence: list[Evidence], units: list[str]) -> tuple[Figure, str, Evidence] | None:
    """The figure (of a wanted unit) whose phrase best matches the question, from the report's best chunks."""
    topic = _bigrams(_COLLECTIVE.sub("", question))
    best: tuple[float, Figure, str, Evidence] | None = None
    for rank, ev in enumerate(evidence):
        text = ev.chunk.text
        previous_end = 0
        for fig in find_figures(text):
            sentence_start = max(text.rfind(ch, 0, fig.start) for ch in "。;；\n") + 1
            what = figure_what(text, fig, sentence_start, previous_end)
            previous_end = fig.end
            if units and fig.unit not in units:
                continue
            overlap = len(topic & _bigrams(what)) + 0.25 * len(topic & _bigrams(text[sentence_start : fig.end]))
            score = overlap - 0.01 * rank
            if overlap > 0 and (best is None or score > best[0]):
                best = (score, fig, what, ev)
    return best[1:] if best else None


def _report_question(question: str, report: Report) -> str:
    """The question about one report: 各乡镇… → 徐行镇…"""
    q, n = _COLLECTIVE.subn(report.meta.org, question, count=1)
    return q if n else f"{report.meta.org}{report.meta.year}年:{question}"


def _row_for(question: str, report: Report, library, model, units: list[str] | None) -> ComparisonRow:
    q = _report_question(question, report)
    hits = library.search(q, filter=SearchFilter(orgs=[report.meta.org], years=[report.meta.year]),
                          k=CHUNKS_PER_REPORT, infer=False).hits
    evidence = make_evidence(hits)
    row = ComparisonRow(report.id, report.meta.org, report.meta.year, report.meta.level, "", mentioned=False)
    found = extract_figure(q, evidence, units) if units is not None else None
    if found:
        fig, what, ev = found
        row.figure, row.figure_what, row.figure_citation = fig, what, citation_for(ev)
    if model is not None and evidence:
        _model_answer(row, q, report, evidence, model)
    elif found:
        ev_text = found[2].chunk.text
        s = max(ev_text.rfind(ch, 0, found[0].start) for ch in "。;；\n") + 1
        e = min((i for i in (ev_text.find(ch, found[0].end) for ch in "。;；\n") if i >= 0), default=len(ev_text))
        row.answer, row.mentioned = ev_text[s : e + 1].strip(), True
        row.citations = [row.figure_citation]
    elif model is None and units is None and evidence:
        # No model and no number asked: the best passage is all code can honestly offer.
        best = evidence[0]
        row.answer = "相关段落: " + best.chunk.text[:80] + ("…" if len(best.chunk.text) > 80 else "")
        row.citations, row.mentioned = [citation_for(best)], True
    return row


def _model_answer(row: ComparisonRow, q: str, report: Report, evidence: list[Evidence], model) -> None:
    prompt = load_prompt("compare")
    empty = prompt.render(report_label=report.meta.label, evidence="", question=q, refusal=REFUSAL)
    packed = pack_evidence(evidence, context_budget(model.context_window, empty, ROW_MAX_TOKENS))
    messages = prompt.render(report_label=report.meta.label, evidence=evidence_block(packed), question=q,
                             refusal=REFUSAL)
    try:
        raw = model.complete(messages, max_tokens=ROW_MAX_TOKENS)
    except AssistantError as exc:
        row.answer = f"(模型未能回答: {exc})"
        row.mentioned = row.figure is not None
        return
    checked = check_reply(raw, packed)
    row.invented_ids = checked.invented_ids
    if checked.refused:
        # The model found nothing; a code-extracted figure alone still counts as a mention, shown as such.
        row.answer = REFUSAL
        row.mentioned = row.figure is not None
        return
    row.answer, row.citations, row.ungrounded = checked.text, checked.citations, checked.ungrounded
    row.mentioned = bool(checked.citations)


def compare(question: str, library, model=None, filter: SearchFilter | None = None) -> Comparison:
    """Answer ``question`` for every report in scope and tabulate the answers with their coverage.
    ``model``: our ``ChatModel``, a LangChain chat model, or None (figures extracted by code only)."""
    model = as_chat_model(model)
    q = (question or "").strip()
    if not q:
        raise BadInput("问题不能为空,请输入要比较的内容。")
    f, reports = scope(q, library, filter)
    if not reports:
        raise BadInput(f"没有符合条件的报告({f.describe()})。请先导入报告,或放宽单位、年度、层级条件。")
    units = wanted_units(q)
    rows = [_row_for(q, r, library, model, units) for r in reports]
    return Comparison(q, f, rows)
