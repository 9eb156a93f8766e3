"""Questions over several reports, answered report by report: the comparison path of ``ask``.

"沅丘县司法局和泓湾区的行政复议纠错率各是多少?" or "芦林镇计划…实际…?" in one retrieval mixes the
bodies or years (the top passages come from one of them, and a small model lends one's figure to the
other). ``assistant.answers.compare.compare`` answers such a question once per report, each answer cited to its
own report; here its rows become one Answer, one line per report, with the coverage line in the note.

"哪些单位提到了…?" goes the same way for now: ``mention_answer`` is the hook where the mention finder
(``find_mentions(question, library) -> list[Mention]``, exact and near-exact terms found by code in every
report) replaces ``compare``.
"""

from __future__ import annotations

import re

from assistant.answers.citations import REFUSAL
from assistant.answers.question import Question
from assistant.figures import find_figures
from assistant.types import Answer, Citation, Figure, SearchFilter

_MARK = re.compile(r"\[(\d+)\]")
_WARNED = re.compile(r"⚠([^⚠\n]+)⚠")


def comparison_answer(question: Question, library, model, given: SearchFilter | None = None) -> Answer:
    """One line per report in the question's comparison (``question.comparison_reports``; 各乡镇… reads its
    reports off the question in ``compare``), each with its own citations."""
    from assistant.answers.compare import compare

    if given is not None and not given.is_empty():
        scope = given
    elif question.comparison_reports:
        scope = SearchFilter(orgs=sorted({o for o, _ in question.comparison_reports}),
                             years=sorted({y for _, y in question.comparison_reports}), inferred=True)
    else:
        scope = SearchFilter(years=list(question.report_years) or None, inferred=bool(question.report_years))
    comparison = compare(question.text, library, model=model, filter=None if scope.is_empty() else scope)
    return _as_answer(question, comparison, "comparison", "逐份报告分别作答(跨报告比较)。")


def mention_answer(question: Question, library, model) -> Answer:
    """"哪些单位提到了…?": every report in scope, answered by ``compare`` one report at a time.

    HOOK: the mention finder (``find_mentions(question, library)``, issue 15 part 3) replaces ``compare``
    here: code finds the term in every report and cites the sentence; the model at most phrases the list."""
    from assistant.answers.compare import compare

    scope = SearchFilter(years=list(question.report_years)) if question.report_years else None
    comparison = compare(question.text, library, model=model, filter=scope)
    return _as_answer(question, comparison, "mention", "逐份报告检查是否提到(跨报告)。")


def _as_answer(question: Question, comparison, route: str, lead: str) -> Answer:
    """The rows as one text ("泓湾区 2022年: …[1]"), their citations numbered across rows, ⚠ marks kept."""
    lines: list[str] = []
    citations: list[Citation] = []
    invented: list[str] = []
    for row in comparison.rows:
        invented += row.invented_ids
        if not row.mentioned:
            if route != "mention":  # a mention question lists the reports that do; the note names the rest
                lines.append(f"{row.org} {row.year}年: 未提及")
            continue
        local = row.citations or ([row.figure_citation] if row.figure_citation else [])
        answer = row.answer.strip()
        if (answer == REFUSAL or not row.citations) and row.figure is not None and row.figure_citation is not None:
            local, answer = [row.figure_citation], f"{row.figure_what}{row.figure.text}[1](程序从原文摘出)"
        numbers = {}
        for i, c in enumerate(local, start=1):
            known = next((j for j, g in enumerate(citations, start=1) if g.evidence_id == c.evidence_id), None)
            if known is None:
                citations.append(c)
                known = len(citations)
            numbers[i] = known
        text = _MARK.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", answer)
        lines.append(f"{row.org} {row.year}年: {text}")
    if not comparison.covered:
        return Answer(question=question.text, text=REFUSAL, citations=[], evidence=[], refused=True, route=route,
                      note=lead + comparison.coverage_line(), filter=comparison.filter, invented_ids=invented)
    text = "\n".join(lines)
    return Answer(question=question.text, text=text, citations=citations, evidence=[], route=route,
                  note=lead + comparison.coverage_line(), filter=comparison.filter, invented_ids=invented,
                  ungrounded=_warned_figures(text), uncited=not citations)


def _warned_figures(text: str) -> list[Figure]:
    """Figures inside ⚠…⚠ marks (a row's figure its citation does not hold), with offsets into ``text``."""
    out = []
    for m in _WARNED.finditer(text):
        for f in find_figures(m.group(1)):
            out.append(Figure(f.text, f.value, f.unit, m.start(1) + f.start, m.start(1) + f.end))
    return out
