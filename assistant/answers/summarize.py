"""A structured summary of one report, every line traceable to its passage (offsets into ``Report.text``).

Code extracts the facts, so they are exact: key measures (the 举措成效 headings and each paragraph's
lead sentence), a table of every figure (what, number, unit, the sentence it comes from), the
shortcomings and next year's plans (the report's Items). With a model, a short overview in the model's
own words is added, cited and checked (``assistant.answers.overview``); ``stream_summary`` says what is
being done meanwhile.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answers.figure_labels import label_figures
from assistant.answers.overview import EXTRACTING, Overview, SummaryStep, stream_overview
from assistant.figures import find_figures
from assistant.llm import as_chat_model
from assistant.settings import Settings, get_settings
from assistant.types import Citation, Figure, Part, Report, Section

LEAD_MAX_CHARS = 50
_SENTENCE_END = "。;；!！?？\n"
_CLAUSE_BREAK = re.compile(r"[。;；!！?？\n,，、:：]")


@dataclass
class Passage:
    """A piece of the report: ``report.text[start:end] == text``."""

    part: Part
    heading: str  # the innermost heading it sits under ('' when none)
    text: str
    start: int
    end: int


@dataclass
class FigureRow:
    """One figure the report gives, with what it counts and the sentence it comes from."""

    what: str  # the phrase before the number: 调解矛盾纠纷
    figure: Figure  # offsets into report.text
    sentence: str
    sentence_start: int
    sentence_end: int
    part: Part


@dataclass
class Summary:
    report_id: str
    label: str  # 泾源县 2024年
    measures: list[Passage] = field(default_factory=list)
    figures: list[FigureRow] = field(default_factory=list)
    shortcomings: list[Passage] = field(default_factory=list)
    causes: list[Passage] = field(default_factory=list)
    plans: list[Passage] = field(default_factory=list)
    overview: str | None = None  # model-written, with [1][2] citations; None without a model
    overview_citations: list[Citation] = field(default_factory=list)
    overview_ungrounded: list[Figure] = field(default_factory=list)
    overview_note: str = ""  # why there is no overview, when there is none
    overview_copied_chars: int = 0  # the longest run of the report's words the model's last overview repeated
    overview_attempts: int = 0  # model calls made for the overview
    model: str = ""


def _innermost(report: Report, pos: int) -> Section | None:
    inside = [s for s in report.sections if s.start <= pos < s.end]
    return max(inside, key=lambda s: (s.depth, s.start)) if inside else None


def part_at(report: Report, pos: int) -> Part:
    section = _innermost(report, pos)
    return section.part if section else Part.PREAMBLE


def _lines(report: Report, start: int, end: int):
    """(start, end) of each non-empty line between ``start`` and ``end``."""
    pos = start
    while pos < end:
        nl = report.text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        if report.text[pos:stop].strip():
            yield pos, stop
        pos = stop + 1


def key_measures(report: Report) -> list[Passage]:
    """The lead sentence of every paragraph under 举措成效, with the heading it sits under."""
    headings = {(s.start, s.heading) for s in report.sections if s.heading}
    spans = sorted({(s.start, s.end) for s in report.sections if s.part == Part.MEASURES})
    seen: set[int] = set()
    out: list[Passage] = []
    for span_start, span_end in spans:
        for start, end in _lines(report, span_start, span_end):
            if start in seen:
                continue
            seen.add(start)
            section = _innermost(report, start)
            line = report.text[start:end]
            if section and (start, section.heading) in headings and line.startswith(section.heading):
                start += len(section.heading)  # a heading line, or a heading run into its body
                start += len(report.text[start:end]) - len(report.text[start:end].lstrip("。.:：,， "))
                if start >= end:
                    continue
            lead_end = _lead_end(report.text, start, end)
            out.append(Passage(Part.MEASURES, section.heading if section else "", report.text[start:lead_end],
                               start, lead_end))
    return out


def _lead_end(text: str, start: int, end: int) -> int:
    """End of the first sentence (its 。 included), or of the first clauses up to LEAD_MAX_CHARS."""
    for i in range(start, min(end, start + LEAD_MAX_CHARS)):
        if text[i] in _SENTENCE_END:
            return i + 1 if text[i] != "\n" else i
    cut = start + LEAD_MAX_CHARS
    if cut >= end:
        return end
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, start, cut)]
    return breaks[-1] if breaks else cut


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    s = max(text.rfind(ch, 0, start) for ch in _SENTENCE_END) + 1
    e = min((i for i in (text.find(ch, end) for ch in _SENTENCE_END) if i >= 0), default=len(text))
    if e < len(text) and text[e] != "\n":
        e += 1  # keep the sentence's own full stop
    while s < e and text[s] in " \t":
        s += 1
    return s, e


def figures_table(report: Report) -> list[FigureRow]:
    """Every figure in the report body that code can say what it counts, in order, with its sentence.
    A figure without a readable label (part of a name, a preposition before it …) is left out."""
    figures = find_figures(report.text)
    labels = label_figures(report.text, figures, lambda f: _sentence_around(report.text, f.start, f.end))
    rows: list[FigureRow] = []
    for fig, what in zip(figures, labels):
        if not what:
            continue
        s, e = _sentence_around(report.text, fig.start, fig.end)
        rows.append(FigureRow(what, fig, report.text[s:e], s, e, part_at(report, fig.start)))
    return rows


def _items_or_sections(report: Report, part: Part) -> list[Passage]:
    items = report.items_of(part)
    if items:
        return [Passage(part, i.heading, i.text, i.start, i.end) for i in items]
    return [Passage(part, s.heading, report.text[s.start : s.end], s.start, s.end)
            for s in report.sections if s.part == part and s.depth == 1]


def stream_summary(report: Report, model=None, settings: Settings | None = None) -> Iterator[SummaryStep | str | Summary]:
    """The summary as it is made, for front ends that show progress: ``EXTRACTING``, the code-extracted
    ``Summary`` (shown at once), then with a model (ours or a LangChain chat model) ``WRITING``, the model's
    raw text, ``CHECKING`` (and ``REWRITING`` … when the first overview copied the report), and the same
    ``Summary`` again, finished. The last item is always the finished ``Summary``."""
    settings = settings or get_settings()
    model = as_chat_model(model)
    yield EXTRACTING
    summary = Summary(
        report.id,
        report.meta.label,
        measures=key_measures(report),
        figures=figures_table(report),
        shortcomings=_items_or_sections(report, Part.SHORTCOMINGS),
        causes=_items_or_sections(report, Part.CAUSES),
        plans=_items_or_sections(report, Part.PLANS),
    )
    if model is None:
        summary.overview_note = "未使用模型,只列出代码摘出的内容。"
        yield summary
        return
    summary.model = getattr(model, "name", "")
    summary.overview_note = "概述撰写中…"
    yield summary
    for item in stream_overview(report, model, settings.summary):
        if isinstance(item, Overview):
            summary.overview, summary.overview_citations = item.text, item.citations
            summary.overview_ungrounded, summary.overview_note = item.ungrounded, item.note
            summary.overview_copied_chars, summary.overview_attempts = item.copied_chars, item.attempts
        else:
            yield item
    yield summary


def summarize(report: Report, model=None, settings: Settings | None = None) -> Summary:
    """The structured summary; with a model, also a short overview in the model's own words, cited and
    checked (``stream_summary`` without the progress)."""
    summary = None
    for item in stream_summary(report, model, settings):
        if isinstance(item, Summary):
            summary = item
    assert summary is not None
    return summary
