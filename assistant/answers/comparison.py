"""Questions over several reports, answered report by report: the comparison path of ``ask``.

"沅丘县司法局和泓湾区的行政复议纠错率各是多少?" or "芦林镇计划…实际…?" in one retrieval mixes the
bodies or years (the top passages come from one of them, and a small model lends one's figure to the
other). ``assistant.answers.compare`` answers such a question for each report on its own — by code where the
report's sentences give the figure asked, by the model only where they do not — and here its rows become one
Answer, one line per report, with the coverage line in the note. "哪些单位提到了…?" goes the same way, found
by code alone (``mentions.find_mentions``). Each row is yielded as a line as soon as it is settled, so a
reader sees the answer grow over a large library.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answers.citations import REFUSAL
from assistant.answers.compare import CompareProgress, Comparison, stream_compare
from assistant.answers.question import Question
from assistant.figures import find_figures
from assistant.types import Answer, Citation, Figure, SearchFilter

_MARK = re.compile(r"\[(\d+)\]")
_WARNED = re.compile(r"⚠([^⚠\n]+)⚠")


def comparison_answer(question: Question, library, model, given: SearchFilter | None = None) -> Iterator[str | Answer]:
    """One line per report in the question's comparison (``question.comparison_reports``; 各乡镇… reads its
    reports off the question in ``compare``), each with its own citations: the lines as they are settled,
    then the Answer."""
    if given is not None and not given.is_empty():
        scope = given
    elif question.comparison_reports:
        scope = SearchFilter(orgs=sorted({o for o, _ in question.comparison_reports}),
                             years=sorted({y for _, y in question.comparison_reports}), inferred=True)
    else:
        scope = None  # compare reads bodies, years and levels (各乡镇) off the question
    return _streamed(question, stream_compare(question.text, library, model=model, filter=scope), "comparison",
                     model)


def mention_answer(question: Question, library, model=None) -> Iterator[str | Answer]:
    """"哪些单位提到了…?": every report in scope searched by code (``mentions.find_mentions``: exact and
    near-exact terms, traditional characters read as simplified), each report that says it listed with the
    sentence cited. No model."""
    return _streamed(question, stream_compare(question.text, library, model=None), "mention", model)


def _streamed(question: Question, stream, route: str, model) -> Iterator[str | Answer]:
    for item in stream:
        if isinstance(item, CompareProgress):
            if item.row.mentioned or route != "mention":
                yield _row_line(item.row, route) + "\n"
        else:
            yield _as_answer(question, item, route, getattr(model, "name", "") if item.model_calls else "")


def _row_line(row, route: str) -> str:
    return f"{row.org} {row.year}年: {row.answer.strip() if row.mentioned else '未提及'}"


def _lead(comparison: Comparison, route: str) -> str:
    if route == "mention":
        return f"由程序在每份报告中查找“{comparison.term}”(含繁体、简称和稍长的写法),未经模型。"
    asked = f"其中 {comparison.model_calls} 份由模型作答," if comparison.model_calls else ""
    return f"逐份报告分别作答(跨报告比较):数字由程序从原文摘出,{asked}"


def _as_answer(question: Question, comparison: Comparison, route: str, model_name: str = "") -> Answer:
    """The rows as one text ("泓湾区 2022年: …[1]"), their citations numbered across rows, ⚠ marks kept."""
    lines: list[str] = []
    citations: list[Citation] = []
    invented: list[str] = []
    for row in comparison.rows:
        invented += row.invented_ids
        if not row.mentioned:
            if route != "mention":  # a mention question lists the reports that do; the note names the rest
                lines.append(_row_line(row, route))
            continue
        numbers = {}
        for i, c in enumerate(row.citations, start=1):
            known = next((j for j, g in enumerate(citations, start=1) if g.evidence_id == c.evidence_id), None)
            if known is None:
                citations.append(c)
                known = len(citations)
            numbers[i] = known
        text = _MARK.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", row.answer.strip())
        lines.append(f"{row.org} {row.year}年: {text}")
    note = _lead(comparison, route) + comparison.coverage_line()
    common = dict(question=question.text, evidence=[], route=route, note=note, filter=comparison.filter,
                  invented_ids=invented, model=model_name)
    if not comparison.covered:
        return Answer(text=REFUSAL, citations=[], refused=True, **common)
    text = "\n".join(lines)
    return Answer(text=text, citations=citations, ungrounded=_warned_figures(text), uncited=not citations, **common)


def _warned_figures(text: str) -> list[Figure]:
    """Figures inside ⚠…⚠ marks (a row's figure its citation does not hold), with offsets into ``text``."""
    out = []
    for m in _WARNED.finditer(text):
        for f in find_figures(m.group(1)):
            out.append(Figure(f.text, f.value, f.unit, m.start(1) + f.start, m.start(1) + f.end))
    return out
