"""A draft as Markdown: the official text first, then sources, coverage, placeholders and check notes."""

from __future__ import annotations

from assistant.drafting.layout import KIND_LABELS, check_notes, numbered, paragraph_names, short, unused_lines
from assistant.types import Draft


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def coverage_lines(draft: Draft) -> list[str]:
    lines = ["| 上一年度不足 | 新报告措施 | 依据 |", "|---|---|---|"]
    for row in draft.coverage:
        measures = ";".join(row.measures) or "(无)"
        if row.added:
            measures += "(自动补充,请核改)"
        sources = ";".join(s.label for s in row.sources) or "—"
        lines.append(f"| {_cell(row.shortcoming.key + ' ' + short(row.shortcoming.text, 30))} | {_cell(measures)} "
                     f"| {_cell(sources)} |")
    return lines


def to_markdown(draft: Draft) -> str:
    out = [f"# {draft.title}", ""]
    for section in draft.sections:
        if section.heading:
            out += [f"## {section.heading}", ""]
        for sub, p in numbered(section):
            out += [(f"**{sub}**" if sub else "") + p.text, ""]
    out += ["---", "", "## 附:材料来源", "", "| 段落 | 来源类型 | 出处 | 摘录 |", "|---|---|---|---|"]
    for name, p in paragraph_names(draft):
        for s in p.sources:
            out.append(f"| {_cell(name)} | {KIND_LABELS.get(s.kind, s.kind)} | {_cell(s.label)} | {_cell(short(s.quote))} |")
    if draft.coverage:
        out += ["", "## 附:不足与措施对照", "", *coverage_lines(draft)]
    out += ["", "## 附:待补充事项", ""]
    out += [f"- {ph}" for ph in draft.placeholders] or ["- (无)"]
    out += ["", "## 附:材料中的数字", ""] + [f"- {line}" for line in unused_lines(draft)]
    notes = check_notes(draft)
    if notes:
        out += ["", "## 附:自动检查记录", ""] + [f"- {name}: {note}" for name, note in notes]
    return "\n".join(out).rstrip() + "\n"
