"""Plain-text views of a parsed report for people: metadata with provenance, and the cleaned text with
its detected structure (sections tagged with their part, items numbered, paragraphs that address an AI
assistant marked ⚠). Used by `assistant show`."""

from __future__ import annotations

import unicodedata

from assistant.ingest.instructions import find_instructions
from assistant.types import Part, Report

PROVENANCE_LABELS = {
    "title": "标题",
    "header": "文头",
    "top": "文首单位名称(无标题)",
    "opening": "开头一段",
    "signature": "落款",
    "filename": "文件名",
    "org": "由单位名称推断",
    "user": "用户指定",
    "sidecar": "元数据文件",
    "generated": "自动生成",
    "page": "网页发布日期",
    "meta": "网页信息栏(发布机构、来源)",
}
ITEM_PARTS = (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)


def item_counts(report: Report) -> str:
    """不足 4 · 原因 4 · 安排 5"""
    return " · ".join(f"{p.value} {len(report.items_of(p))}" for p in ITEM_PARTS)


def render_meta(report: Report) -> str:
    m = report.meta

    def src(key: str) -> str:
        where = m.provenance.get(key)
        return f"  (来源: {PROVENANCE_LABELS.get(where, where)})" if where else ""

    lines = [
        f"报告: {report.id}",
        f"单位: {m.org}{src('org')}",
        f"级别: {m.level}{src('level')}",
        f"年度: {m.year}{src('year')}",
        f"标题: {m.title}{src('title')}",
    ]
    if m.published:
        lines.append(f"发布日期: {m.published.isoformat()}{src('published')}")
    if m.signed:
        lines.append(f"落款日期: {m.signed.isoformat()}{src('signed')}")
    if m.doc_number:
        lines.append(f"文号: {m.doc_number}{src('doc_number')}")
    lines += [
        f"来源文件: {m.source or '-'}",
        f"部分: {'、'.join(p.value for p in report.parts_found())}",
        f"条目: {item_counts(report)}",
        f"检索段落: {len(report.chunks)}",
    ]
    flags = find_instructions(report.text)
    if flags:
        lines.append(f"⚠ 疑似写给 AI 的指令: {len(flags)} 段(下文以 ⚠〔…〕 标出;只作为原文展示,回答时不作依据)")
    return "\n".join(lines)


def render_structure(report: Report) -> str:
    """The cleaned text with a tag line at each section start and 〔不足-2〕 in front of each item."""
    marks: dict[int, list[str]] = {}
    for s in report.sections:
        indent = "" if len(s.heading_path) <= 1 else "  "
        label = s.heading or "(无标题)"
        marks.setdefault(s.start, []).append(f"{indent}▌[{s.part.value}] {label}")
    item_at = {i.start: i for i in report.items}
    flag_at = {f.start: f for f in find_instructions(report.text)}
    out: list[str] = []
    text = report.text
    line_start = True
    for pos, ch in enumerate(text):
        if pos in marks:
            if not line_start:
                out.append("\n")
            out.append("\n".join(marks[pos]) + "\n")
            line_start = True
        if pos in item_at:
            if not line_start:
                out.append("\n")
            out.append(f"    〔{item_at[pos].key}〕")
            line_start = False
        if pos in flag_at:
            out.append(f"⚠〔{flag_at[pos].describe()}〕")
            line_start = False
        out.append(ch)
        line_start = ch == "\n"
    return "".join(out)


def display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))
