"""Sections classified into the canonical parts, whatever their wording or order.

Rules, in order (all matching on the normalized text, offsets into the cleaned text):

1. The outermost numbering level (一、 in most reports) splits the body into top-level sections;
   text before the first one is 开头. Each heading is classified by keywords (``classify_heading``);
   an unclassified one is a thematic 举措成效 heading (the 泾源县 style).
2. Its direct numbered children become sections too. Under a 不足/原因 section a child headed just
   "存在不足" / "原因分析" switches the part; other children inherit their parent's part.
3. A 不足 section without such a split that says "主要原因:" part-way (or, after numbered shortcomings,
   "产生上述问题的原因主要有:一是…") gets a 原因 section from there.
4. No headed 不足 (or 安排) part: a paragraph saying "还存在一些问题和不足:一是…" (or starting
   "下一步…" with an 一是… list) becomes a 不足 (安排) section with an empty heading.
5. Trailing 特此报告 / signature / date lines and a final "在今后的工作中…" summary paragraph are 结尾.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.ingest.outline import Node, Para, cn_number, find_nodes, split_paragraphs, top_nodes
from assistant.textnorm import normalize
from assistant.types import Part, Section

_CLASSIFY = (
    (Part.OTHER, re.compile(r"其他需要报告|其[他它](事项|情况)|^其[他它]$")),
    (Part.LEADERSHIP, re.compile(r"第一责任人|主要负责人|党政.{0,6}负责人|履行.{0,12}职责")),
    (Part.SHORTCOMINGS, re.compile(r"不足|存在的?(主要)?问题|问题(和|与|及)|短板|差距|薄弱|困难(和|与|及)问题|面临的?(主要)?(问题|困难|挑战)")),
    (Part.CAUSES, re.compile(r"原因")),
    (Part.PLANS, re.compile(r"安排|计划|打算|下一步|下一年|明年|今后|思路|展望|努力方向|工作重点|\d{4}年.{0,4}(重点|目标|要点)")),
    (Part.MEASURES, re.compile(r"举措|成效|做法|成绩|主要工作|工作情况|开展情况|进展")),
)
SWITCH_SHORTCOMINGS = re.compile(r"^(存在的?|主要)?(问题|不足|短板)((和|与|及)(问题|不足))?(表现)?$")
SWITCH_CAUSES = re.compile(r"^((主要|存在(问题|不足)的?)?原因(分析)?|产生.{0,6}原因)$")
# "主要原因:" / "究其原因,一是…" / "产生上述问题的原因主要有:" — a colon or an 一是 list must follow
CAUSE_CUE = re.compile(
    r"(主要原因|原因分析|究其原因|原因主要(?:有|是|在于)|(?:产生|造成)(?:这些|上述|以上)?问题的(?:主要)?原因(?:主要)?(?:有|是)?)"
    r"(?:\s*:|(?=\s*,?\s*一是))"
)
INLINE_MARKER = re.compile(r"(?:^|(?<=[\n:;,.。!?、 ]))([一二三四五六七八九十]{1,2})是")
_INLINE_SHORTCOMINGS_CUE = re.compile(r"(存在|还有|仍有|仍然|也有)[^。]{0,20}?(问题|不足|短板|差距|薄弱)[^。]{0,12}?:")
_INLINE_PLANS_CUE = re.compile(r"^(下一步|今后|新的一年|下一年度|\d{4}年,?(我们|我[镇乡县区局办]|全[县镇乡区]))")
_CLOSING_LINE = re.compile(r"^(特此报告|此报)[。.]?$|^\d{4}年\d{1,2}月\d{1,2}日$")
_CLOSING_PARAGRAPH = re.compile(r"^(总之|综上)|今后的工作中|新的一年里,?我们将")


def classify_heading(heading: str) -> Part | None:
    norm = normalize(heading)
    for part, pattern in _CLASSIFY:
        if pattern.search(norm):
            return part
    return None


@dataclass
class Layout:
    """What the item finder needs besides the sections: paragraphs, heading tree, part regions."""

    paras: list[Para]
    norm: str
    sections: list[Section]
    regions: list[tuple[Section, Node | None]]  # part sections, with their heading node (None: inline/virtual)
    cause_cuts: dict[int, int]  # start of a 不足 section → where its inline 原因 begins


def inline_markers(norm: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """(start, end, number) of 一是/二是… markers in [start, end) that form lists counting up from 一."""
    accepted, lists, expected = [], [], 1
    for m in INLINE_MARKER.finditer(norm, start, end):
        n = cn_number(m.group(1))
        if n == 1:
            if len(accepted) >= 2:
                lists.append(accepted)
            accepted, expected = [(m.start(), m.end(), n)], 2
        elif n == expected and accepted:
            accepted.append((m.start(), m.end(), n))
            expected += 1
    if len(accepted) >= 2:
        lists.append(accepted)
    return [marker for lst in lists for marker in lst]


def analyze_layout(text: str) -> Layout:
    norm = normalize(text)
    paras = split_paragraphs(text, norm)
    nodes = find_nodes(paras, len(text))
    tops = top_nodes(nodes)
    # (start, part, heading, node) for each top-level stretch
    bounds: list[tuple[int, Part, str, Node | None]] = []
    for node in tops:
        bounds.append((node.start, classify_heading(node.title) or Part.MEASURES, node.heading, node))
    heading_paras = {n.para for n in nodes}
    _add_inline_parts(bounds, paras, norm, heading_paras)
    closing = _closing_start(paras, norm, heading_paras, bounds)
    if closing is not None:
        bounds.append((closing, Part.CLOSING, "", None))
    bounds.sort(key=lambda b: b[0])
    if not bounds or bounds[0][0] > 0:
        bounds.insert(0, (0, Part.PREAMBLE, "", None))

    sections: list[Section] = []
    regions: list[tuple[Section, Node | None]] = []
    cause_cuts: dict[int, int] = {}
    for k, (start, part, heading, node) in enumerate(bounds):
        end = _trim(text, start, bounds[k + 1][0] if k + 1 < len(bounds) else len(text))
        depth = node.depth if node else 1
        top = Section(part, heading, (heading,) if heading else (), depth, start, end)
        sections.append(top)
        children = [c for c in node.children if c.start < end] if node else []
        cause_cut = _cause_cut(text, norm, part, start, end, children)
        child_sections = []
        for child in children:
            child_part = part
            if part in (Part.SHORTCOMINGS, Part.CAUSES):
                title = normalize(child.title).strip(" .。:")
                if SWITCH_CAUSES.match(title):
                    child_part = Part.CAUSES
                elif SWITCH_SHORTCOMINGS.match(title):
                    child_part = Part.SHORTCOMINGS
            child_end = _trim(text, child.start, min(child.end, end, cause_cut or end))
            sub = Section(child_part, child.heading, (*top.heading_path, child.heading), child.depth, child.start, child_end)
            child_sections.append((sub, child))
        sections.extend(s for s, _ in child_sections)
        switched = [(s, c) for s, c in child_sections if part in (Part.SHORTCOMINGS, Part.CAUSES) and _is_switch(c)]
        if part in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS):
            if switched:
                regions.extend(switched)
            else:
                regions.append((top, node))
                if cause_cut is not None:
                    cause_cuts[start] = cause_cut
                    label = CAUSE_CUE.match(norm, cause_cut).group(1)
                    label = text[cause_cut:cause_cut + len(label)]
                    sections.append(Section(Part.CAUSES, label, (*top.heading_path, label), depth + 1, cause_cut, end))
    sections.sort(key=lambda s: (s.start, -s.end))
    return Layout(paras, norm, sections, regions, cause_cuts)


def _cause_cut(text: str, norm: str, part: Part, start: int, end: int, children: list[Node]) -> int | None:
    """Rule 3: where "主要原因:" starts inside a 不足 section that has no 原因 sub-heading. With numbered
    shortcomings ((一)…(二)…) the cue must come after the last one's heading and open an 一是… list."""
    if part is not Part.SHORTCOMINGS or any(_is_switch(c) for c in children):
        return None
    after = children[-1].start + 1 if children else start
    cue = CAUSE_CUE.search(norm, after, end)
    if cue is None:
        return None
    if children and len(inline_markers(norm, cue.end(), end)) < 2:
        return None
    return cue.start()


def _is_switch(node: Node) -> bool:
    title = normalize(node.title).strip(" .。:")
    return bool(SWITCH_CAUSES.match(title) or SWITCH_SHORTCOMINGS.match(title))


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in "\n \t":
        end -= 1
    return end


def _add_inline_parts(bounds: list, paras: list[Para], norm: str, heading_paras: set[int]) -> None:
    """Rule 4: 不足 / 安排 carried only by a closing paragraph with an 一是… list (the 泾源县 style)."""
    have = {b[1] for b in bounds}
    first_body = bounds[0][0] if bounds else 0
    after = first_body
    for part, cue in ((Part.SHORTCOMINGS, _INLINE_SHORTCOMINGS_CUE), (Part.PLANS, _INLINE_PLANS_CUE)):
        if part in have:
            continue
        for i, para in enumerate(paras):
            if i in heading_paras or para.start < after:
                continue
            m = cue.search(para.norm)
            if m and len(inline_markers(norm, para.start + m.start(), para.end)) >= 2:
                bounds.append((para.start, part, "", None))
                after = para.end
                break


def _closing_start(paras: list[Para], norm: str, heading_paras: set[int], bounds: list) -> int | None:
    """Rule 5: walk back from the end over signature, date, 特此报告 and a final summary paragraph."""
    starts = {b[0] for b in bounds}
    last_bound = max(starts, default=-1)
    closing = None
    for i in range(len(paras) - 1, -1, -1):
        para = paras[i]
        if i in heading_paras or para.start in starts or para.start <= last_bound:
            break
        if _CLOSING_LINE.match(para.norm.strip()):
            closing = para.start
            continue
        is_signature = len(para.norm) <= 30 and not re.search(r"[。,;:]", para.norm) and closing is not None
        if is_signature and i >= len(paras) - 3:
            closing = para.start
            continue
        if _CLOSING_PARAGRAPH.search(para.norm) and not inline_markers(norm, para.start, para.end):
            closing = para.start
        break
    return closing
