"""Numbered headings and their nesting: 一、 → (一)/（一） → 1、/1. → (1).

Works on the cleaned text (one paragraph per line). Matching is done on ``normalize(text)``,
which has the same offsets, so full-width and ASCII brackets/commas are treated alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# depth by marker kind, the order Chinese official documents use; 第一部分 is above 一、 (a report split into
# 第一部分 主要举措和成效 … 第四部分 2025年工作打算, with 一、 or (一) inside each part)
_MARKERS = (
    (0, re.compile(r"第([一二三四五六七八九十]{1,3})部分\s*[、:.]?\s*")),
    (1, re.compile(r"([一二三四五六七八九十]{1,3})、")),
    (2, re.compile(r"\(([一二三四五六七八九十]{1,3})\)")),
    (3, re.compile(r"(\d{1,2})[、.](?!\d)")),
    (4, re.compile(r"\((\d{1,2})\)")),
)
_SENTENCE_END = re.compile(r"[。;!?]")
HEADING_MAX = 40  # a numbered line longer than this, or with a sentence in it, is heading + body


def cn_number(s: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20 (enough for list numbering)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    return CN_DIGITS.get(s, 0)


@dataclass
class Para:
    start: int
    end: int  # exclusive, before the newline
    text: str
    norm: str


@dataclass
class Node:
    """A numbered heading line and the span it governs (until the next heading of the same or a higher level)."""

    para: int
    depth: int
    number: int
    heading: str  # the heading as written (the whole line, or its first sentence/clause)
    heading_only: bool  # the line is just the heading, no body text after it
    start: int
    end: int = 0
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Heading text without its number: 存在不足, 原因分析."""
        return strip_marker(self.heading)


def split_paragraphs(text: str, norm: str) -> list[Para]:
    paras, pos = [], 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            paras.append(Para(pos, end, line, norm[pos:end]))
        pos = end + 1
    return paras


def strip_marker(heading: str) -> str:
    from assistant.textnorm import normalize

    norm = normalize(heading)
    for _, pattern in _MARKERS:
        if m := pattern.match(norm):
            return heading[m.end():].strip()
    return heading.strip()


def heading_of(para: Para) -> tuple[int, int, bool] | None:
    """(depth, number, heading length) when the paragraph starts with a numbering marker."""
    for depth, pattern in _MARKERS:
        m = pattern.match(para.norm)
        if not m:
            continue
        number = cn_number(m.group(1))
        body = para.norm[m.end():]
        # "1.5万元…" or "2、3月份…" are not headings: a heading has text right after its marker
        if not body or body[0] in ".,、%" or (depth >= 3 and body[0].isdigit()):
            return None
        sentence = _SENTENCE_END.search(body)
        line = para.norm.rstrip("。. ")
        if len(line) <= HEADING_MAX + 4 and (sentence is None or sentence.end() >= len(body.rstrip())):
            return depth, number, len(line)  # the whole line is the heading
        cut = m.end() + (sentence.start() if sentence else len(body))
        if cut - m.end() > HEADING_MAX:
            comma = para.norm.find(",", m.end())
            cut = comma if 0 < comma - m.end() <= HEADING_MAX else m.end() + HEADING_MAX
        return depth, number, cut
    return None


def find_nodes(paras: list[Para], text_len: int) -> list[Node]:
    """Numbered headings in document order, each with its span and parent."""
    nodes: list[Node] = []
    expected: dict[int, int] = {}  # depth → the number the next heading at that depth should carry
    for i, para in enumerate(paras):
        found = heading_of(para)
        if not found:
            continue
        depth, number, length = found
        # numbering must go on in sequence (one skipped number tolerated): "一、二季度…" in a body
        # paragraph, or a stray "1." line, is text, not a heading
        want = expected.get(depth, 1)
        if number not in (want, want + 1):
            continue
        expected[depth] = number + 1
        for deeper in [d for d in expected if d > depth]:
            expected[deeper] = 1
        heading_only = length >= len(para.norm.rstrip("。. "))
        nodes.append(Node(i, depth, number, para.text[:length].rstrip("。. "), heading_only, para.start))
    for k, node in enumerate(nodes):
        node.end = next((n.start for n in nodes[k + 1:] if n.depth <= node.depth), text_len)
        for earlier in reversed(nodes[:k]):
            if earlier.depth < node.depth:
                node.parent = earlier
                earlier.children.append(node)
                break
    return nodes


def top_nodes(nodes: list[Node]) -> list[Node]:
    """The outermost numbering level actually used (一、 in most reports)."""
    if not nodes:
        return []
    top = min(n.depth for n in nodes)
    return [n for n in nodes if n.depth == top]
