"""HTML for answers, citations and report text. Formatting only: every fact comes from library objects.

All text from reports, users and models is escaped before it goes into HTML, and Markdown links in it
keep working only when they point to http(s): the chat renders Markdown, and a model (or a report it
quotes) could otherwise write [点此查看](javascript:…). Other targets (javascript:, data:, vbscript:,
relative paths) stay visible as plain text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from assistant.ingest.instructions import find_instructions, flag_note
from assistant.types import Answer, Citation, Figure, Report, SearchFilter

UNGROUNDED_TITLE = "此数字在所引用的原文中未找到,请核对"
MARK = "⚠"  # assistant.figures.mark_ungrounded's plain-text marker


# "](" opening an inline link or image, or "]:" of a reference definition, not followed by an http(s) target.
_UNSAFE_LINK = re.compile(r"\](?=[ \t]*(?:\([ \t]*<?|:[ \t]*<?)(?!https?://))", re.I)


def esc(text: object) -> str:
    """HTML-escaped text whose Markdown links survive only with an http(s) target: the "]" before any other
    target becomes an entity, which Markdown does not read as link syntax, and which shows as "]"."""
    return _UNSAFE_LINK.sub("&#93;", html.escape(str(text), quote=True))


def mark_figures(text: str, figures: Sequence[Figure]) -> str:
    """Escape ``text`` and wrap each listed figure (by its offsets) in a visible warning mark.

    A figure whose offsets do not match the text (the text was rewritten after checking) is marked at
    its first occurrence instead, so no ungrounded number goes unmarked.
    """
    spans: list[tuple[int, int]] = []
    for fig in figures:
        if 0 <= fig.start < fig.end <= len(text) and text[fig.start : fig.end] == fig.text:
            spans.append((fig.start, fig.end))
        else:
            at = text.find(fig.text)
            if at >= 0:
                spans.append((at, at + len(fig.text)))
    out: list[str] = []
    pos = 0
    for start, end in sorted(set(spans)):
        if start < pos:  # overlapping spans: keep the first
            continue
        # qa already wraps ungrounded figures in plain-text marks (⚠930件⚠); the HTML mark replaces them.
        if start > pos and end < len(text) and text[start - 1] == MARK == text[end]:
            out.append(esc(text[pos : start - 1]))
            out.append(f'<mark class="ungrounded" title="{UNGROUNDED_TITLE}">⚠{esc(text[start:end])}</mark>')
            pos = end + 1
            continue
        out.append(esc(text[pos:start]))
        out.append(f'<mark class="ungrounded" title="{UNGROUNDED_TITLE}">⚠{esc(text[start:end])}</mark>')
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def citation_html(number: int, cite: Citation) -> str:
    """One expandable citation: body, year, section and heading in the summary, the passage inside (with a
    warning when it holds a paragraph addressing an AI assistant)."""
    heading = f" · {esc(cite.heading)}" if cite.heading else ""
    matched = " (系统按原文匹配的出处,非模型标注)" if cite.matched_by_code else ""
    note = flag_note(cite.quote)
    flagged = f' <span class="instruction-flag">{esc(note)}</span>' if note else ""
    return (
        f'<details class="citation"><summary>[{number}] {esc(cite.org)} {cite.year}年 · '
        f"{esc(cite.part.value)}{heading}{matched}{flagged}</summary>"
        f'<blockquote class="quote">{esc(cite.quote)}</blockquote></details>'
    )


def answer_html(answer: Answer, refusal_note: str) -> str:
    """The final answer: text with ungrounded figures marked, notes, then its citations."""
    parts = [f'<div class="answer-text">{mark_figures(answer.text, answer.ungrounded)}</div>']
    notes = []
    if answer.refused:
        notes.append(f'<div class="note note-refusal">ⓘ {esc(answer.note or refusal_note)}</div>')
    elif answer.note:
        notes.append(f'<div class="note note-muted">ⓘ {esc(answer.note)}</div>')
    if answer.ungrounded:
        figs = "、".join(esc(f.text) for f in answer.ungrounded)
        notes.append(f'<div class="note note-warning">⚠ 以下数字在引用原文中未找到,请核对: {figs}</div>')
    if answer.uncited and not answer.refused:
        notes.append('<div class="note note-warning">⚠ 回答中有内容没有有效出处,请谨慎使用。</div>')
    if answer.invented_ids:
        # The ids themselves (ev-3f2a…) mean nothing to a reader; how many, and that they were removed, does.
        notes.append(
            f'<div class="note note-muted">ⓘ 模型给出了 {len(answer.invented_ids)} 个不对应任何检索段落的出处编号,'
            "已删除;回答只以下方列出的出处为准。</div>"
        )
    parts.extend(notes)
    if answer.citations:
        cites = "".join(citation_html(i, c) for i, c in enumerate(answer.citations, start=1))
        parts.append(f'<div class="citations"><div class="citations-title">出处</div>{cites}</div>')
    return "\n".join(parts)


def filter_html(applied: SearchFilter | None) -> str:
    """The retrieval scope actually used, saying whether it was read off the question."""
    if applied is None:
        return ""
    how = "(根据问题自动识别)" if applied.inferred else ""
    return f'<div class="scope">本次检索{esc(applied.describe())}{how}</div>'


def report_html(report: Report) -> str:
    """A report's cleaned text with its structure: each section headed by its canonical part."""
    meta = report.meta
    facts = [
        f"单位: {esc(meta.org)}",
        f"级别: {esc(meta.level)}",
        f"年度: {meta.year}",
        f"来源文件: {esc(meta.source)}",
    ]
    if meta.published:
        facts.append(f"发布日期: {meta.published.isoformat()}")
    if meta.signed:
        facts.append(f"落款日期: {meta.signed.isoformat()}")
    title = esc(meta.title) + (" <small>(标题为自动生成)</small>" if meta.title_generated else "")
    out = [f'<div class="report-view"><h3>{title}</h3><div class="report-meta">{" · ".join(facts)}</div>']
    # Cut the text at every section start; each stretch is shown under its section's part tag, with the
    # heading line (which is part of the text) in bold.
    starts = sorted(report.sections, key=lambda s: (s.start, s.depth))
    bounds = [s.start for s in starts] + [len(report.text)]
    if not starts or starts[0].start > 0:
        out.append(_paragraphs(report.text[: bounds[0] if starts else len(report.text)]))
    for sec, end in zip(starts, bounds[1:]):
        stretch = report.text[sec.start : end]
        heading = sec.heading.strip()
        indent = min(3, max(0, sec.depth - 1))
        out.append(f'<div class="section depth-{indent}"><span class="part-tag">{esc(sec.part.value)}</span>')
        if heading and stretch.lstrip().startswith(heading):
            stretch = stretch.lstrip()[len(heading) :]
            out.append(f'<b class="section-heading">{esc(heading)}</b>')
        out.append(_paragraphs(stretch) + "</div>")
    out.append("</div>")
    return "\n".join(out)


def _paragraphs(text: str) -> str:
    """Each line a paragraph; one that addresses an AI assistant is marked, with the reason."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        flags = find_instructions(line)
        if flags:
            why = f"⚠ {flags[0].describe()},只作为原文展示,回答时不作依据"
            out.append(f'<p class="instruction-flag" title="{esc(why)}"><b>{esc(why)}</b><br>{esc(line)}</p>')
        else:
            out.append(f"<p>{esc(line)}</p>")
    return "".join(out)


def clip(text: str, n: int) -> str:
    """One line of at most ``n`` characters, for table cells (the full text is in the report view)."""
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def rows(items: Iterable[Sequence[object]]) -> list[list[str]]:
    """Table rows as strings (Gradio's Dataframe renders None as 'None')."""
    return [["" if v is None else str(v) for v in row] for row in items]
