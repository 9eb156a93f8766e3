"""Items: each shortcoming (不足), cause (原因) and next-year plan (安排) as an addressable unit.

Rule: items are taken at the *highest* numbering level present inside a part.

- The part has numbered sub-headings ((一)… or 1、…): each one, with its body, is one item.
  An 一是/二是 list inside such a headed item stays inside it (柱山乡 不足 (一) and (三) each give one
  item: the heading names the shortcoming, the inline list spells out its facets).
- Otherwise an inline 一是…二是… list: each marker to the next one (or to its paragraph's end) is an item.
  A 不足 part that continues "主要原因:一是…" gives 原因 items from there (荆家镇); so does a
  "产生上述问题的原因主要有:一是…" paragraph after numbered shortcomings.
- Otherwise each body paragraph of the part is an item (an intro ending in ":" is not).
"""

from __future__ import annotations

import bisect
import re

from assistant.ingest.outline import HEADING_MAX
from assistant.ingest.structure import Layout, inline_markers
from assistant.types import Item, Part

_ITEM_PARTS = (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)


def find_items(text: str, layout: Layout) -> list[Item]:
    found: list[tuple[Part, str, int, int]] = []  # part, heading, start, end
    para_starts = [p.start for p in layout.paras]
    for section, node in layout.regions:
        if section.part not in _ITEM_PARTS:
            continue
        kids = [c for c in node.children if section.start <= c.start < section.end] if node else []
        cut = layout.cause_cuts.get(section.start)
        if kids:
            for kid in kids:
                end = _trim(text, kid.start, min(kid.end, section.end, cut if cut is not None else section.end))
                found.append((section.part, kid.heading, kid.start, end))
            if cut is None:
                continue
            segments = [(cut, section.end, Part.CAUSES)]  # "(一)…(二)…" then "产生问题的原因主要有:一是…"
        elif cut is not None:
            segments = [(section.start, cut, Part.SHORTCOMINGS), (cut, section.end, Part.CAUSES)]
        else:
            segments = [(section.start, section.end, section.part)]
        inline_found = False
        for seg_start, seg_end, part in segments:
            markers = inline_markers(layout.norm, seg_start, seg_end)
            for j, (m_start, m_end, _) in enumerate(markers):
                para = layout.paras[bisect.bisect_right(para_starts, m_start) - 1]
                end = min(para.end, seg_end, markers[j + 1][0] if j + 1 < len(markers) else seg_end)
                end = _trim(text, m_start, end)
                found.append((part, _inline_heading(text, layout.norm, m_start, m_end, end), m_start, end))
                inline_found = True
        if not inline_found and not kids:
            found.extend(_paragraph_items(text, layout, section, node))
    found.sort(key=lambda f: f[2])
    items: list[Item] = []
    counters: dict[Part, int] = {}
    for part, heading, start, end in found:
        counters[part] = counters.get(part, 0) + 1
        items.append(Item(part, counters[part], heading, text[start:end], start, end))
    return items


def _inline_heading(text: str, norm: str, m_start: int, m_end: int, end: int) -> str:
    """'一是继续深化法治政府建设' when the item opens with a short sentence, else just the marker '一是'."""
    sentence = re.search(r"[。;.!?]", norm[m_end:end])
    head_end = m_end + sentence.start() if sentence else end
    if 0 < head_end - m_end <= HEADING_MAX - 2:
        return text[m_start:head_end]
    return text[m_start:m_end]


def _paragraph_items(text: str, layout: Layout, section, node) -> list[tuple[Part, str, int, int]]:
    out = []
    for para in layout.paras:
        if not (section.start <= para.start < section.end):
            continue
        if node is not None and para.start == node.start and node.heading_only:
            continue  # the section's own heading line
        if para.norm.rstrip().endswith(":") or len(para.text) < 15:
            continue
        head = para.text[: min(len(para.text), HEADING_MAX)]
        sentence = re.search(r"[。;!?]", para.norm)
        if sentence and sentence.start() <= HEADING_MAX:
            head = para.text[: sentence.start()]
        out.append((section.part, head, para.start, min(para.end, section.end)))
    return out


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in "\n \t\u3000":
        end -= 1
    return end
