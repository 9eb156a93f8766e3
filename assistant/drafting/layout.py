"""What Markdown and Word export share: paragraph numbering and the review material for the appendix."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.types import Draft, DraftParagraph, DraftSection

_CN = "一二三四五六七八九十"

KIND_LABELS = {"last_report": "上一年度报告", "material": "今年材料", "peer": "同类单位报告(借鉴)", "template": "固定格式"}


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (enough for subsection numbering)."""
    if n <= 10:
        return _CN[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN[tens - 1] if tens > 1 else "") + "十" + (_CN[ones - 1] if ones else "")


def numbered(section: DraftSection) -> Iterator[tuple[str, DraftParagraph]]:
    """Each paragraph with its run-in subheading numbered （一）（二）… (full-width, GB/T 15834), or ''."""
    n = 0
    for p in section.paragraphs:
        if p.heading:
            n += 1
            yield f"（{cn_number(n)}）{p.heading}。", p
        else:
            yield "", p


def paragraph_names(draft: Draft) -> Iterator[tuple[str, DraftParagraph]]:
    """A short name for every paragraph, for the sources appendix: 一（二）, 二 第1段."""
    for section in draft.sections:
        head = section.heading.split("、", 1)[0] if section.heading else "开头"
        for i, (sub, p) in enumerate(numbered(section), 1):
            yield (f"{head}{sub.split('）', 1)[0] + '）' if sub else f' 第{i}段'}", p)


def check_notes(draft: Draft) -> list[tuple[str, str]]:
    """(paragraph name, note) for every change or flag the checks made (the reviewer's checks included:
    their details are in ``notes`` too)."""
    out: list[tuple[str, str]] = []
    for name, p in paragraph_names(draft):
        for f in p.ungrounded:
            out.append((name, f"数字“{f.text}”在材料和本单位报告中均未找到,已替换为待补充"))
        out += [(name, note) for note in p.notes]
    return out


def unused_lines(draft: Draft) -> list[str]:
    """The material's figures the draft does not state, one line each (or one line saying all were used)."""
    return [f"未写入草稿: {u}" for u in draft.unused_figures] or ["材料中的数字均已写入草稿。"]


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
