"""Retrieval chunks: a paragraph or an item; long ones split at sentence ends; short ones merged.

Each chunk is a slice of ``Report.text`` (``text[c.start:c.end] == c.text``) and carries the part
and heading path of the innermost section it starts in. ``index_text`` (what gets embedded and
BM25-indexed) puts the body, year and part in front, because most paragraphs never name their town:
``【泾源县 2024年 · 不足】一、… / (二)…\\n<text>``.
"""

from __future__ import annotations

import re

from assistant.lexicon import SENTENCE_END as _SENTENCE_END
from assistant.types import Chunk, Item, Part, ReportMeta, Section

MAX_CHARS = 400
MIN_CHARS = 80
_CLAUSE_END = re.compile(r"[，,、：:]")


def make_chunks(report_id: str, meta: ReportMeta, text: str, sections: list[Section], items: list[Item]) -> list[Chunk]:
    units = _units(text, sections, items)
    units = _merge_short(units)
    spans: list[tuple[int, int, Section | None]] = []
    for start, end, section, _ in units:
        spans.extend((s, e, section) for s, e in split_long(text, start, end))
    chunks = []
    for start, end, section in spans:
        part = section.part if section else Part.PREAMBLE
        path = section.heading_path if section else ()
        item = next((i for i in items if i.start <= start < i.end), None)
        if item is not None:
            part = item.part
        body = text[start:end]
        prefix = f"【{meta.org} {meta.year}年 · {part.value}】" + (" / ".join(path) + "\n" if path else "")
        chunks.append(
            Chunk(Chunk.make_id(report_id, start, end), report_id, meta.org, meta.year, meta.level,
                  part, tuple(path), body, start, end, prefix + body)
        )
    return chunks


def _innermost(sections: list[Section], pos: int) -> Section | None:
    best = None
    for s in sections:
        if s.start <= pos < s.end and (best is None or s.end - s.start <= best.end - best.start):
            best = s
    return best


def _units(text: str, sections: list[Section], items: list[Item]) -> list[tuple[int, int, Section | None, bool]]:
    """(start, end, section, is_item): paragraphs cut at section and item boundaries; an item is one unit;
    a line that is only a section's heading is left out (it is in the heading path of what follows)."""
    cuts = {0, len(text)}
    for s in sections:
        cuts.update((s.start, s.end))
    for i in items:
        cuts.update((i.start, i.end))
    pos = 0
    for line in text.split("\n"):
        cuts.update((pos, pos + len(line)))
        pos += len(line) + 1
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    units: list[tuple[int, int, Section | None, bool]] = []
    done_items: set[int] = set()
    heading_at = {s.start: s.heading for s in sections if s.heading}
    for a, b in zip(points, points[1:]):
        a, b = _strip(text, a, b)
        if a >= b:
            continue
        item = next((i for i in items if i.start <= a < i.end), None)
        if item is not None:
            if id(item) not in done_items:
                done_items.add(id(item))
                units.append((item.start, item.end, _innermost(sections, item.start), True))
            continue
        if a in heading_at and text[a:b].rstrip("。. ") == heading_at[a]:
            continue
        units.append((a, b, _innermost(sections, a), False))
    return units


def _merge_short(units: list) -> list:
    """Fold a short non-item unit (title line, an intro ending in ':') into the next unit of the same
    section or of a sub-section inside it; a short last unit goes into the one before it."""
    out: list = []
    pending = None  # a short unit waiting to be joined to the next one
    for unit in units:
        start, end, section, is_item = unit
        if pending is not None:
            p_start, _, p_section, _ = pending
            if _same_or_inside(section, p_section) and end - p_start <= MAX_CHARS:
                unit = (p_start, end, section, is_item)
            else:
                out.append(pending)
            pending = None
        start, end, section, is_item = unit
        if not is_item and end - start < MIN_CHARS:
            pending = unit
            continue
        out.append(unit)
    if pending is not None:
        if out and out[-1][2] is pending[2] and not out[-1][3] and pending[1] - out[-1][0] <= MAX_CHARS:
            last = out.pop()
            out.append((last[0], pending[1], last[2], False))
        else:
            out.append(pending)
    return out


def _same_or_inside(inner: Section | None, outer: Section | None) -> bool:
    """An intro ("…主要表现为:") joins the first sub-section after it, e.g. 徐行镇's (一)."""
    if inner is outer:
        return True
    return inner is not None and outer is not None and outer.start <= inner.start and inner.end <= outer.end


def split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into pieces of at most MAX_CHARS at sentence ends (clause ends, or hard, for a
    single overlong sentence); a short tail is folded into the piece before it."""
    if end - start <= MAX_CHARS:
        return [(start, end)]
    bounds = [m.end() + start for m in _SENTENCE_END.finditer(text[start:end])]
    if not bounds or bounds[-1] != end:
        bounds.append(end)
    pieces: list[tuple[int, int]] = []
    cur = start
    last_ok = None
    for b in bounds:
        if b - cur <= MAX_CHARS:
            last_ok = b
            continue
        if last_ok is not None and last_ok > cur:
            pieces.append((cur, last_ok))
            cur = last_ok
        while b - cur > MAX_CHARS:  # one sentence longer than the limit
            cut = _clause_cut(text, cur, cur + MAX_CHARS)
            pieces.append((cur, cut))
            cur = cut
        last_ok = b
    if cur < end:
        pieces.append((cur, end))
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < MIN_CHARS:
        tail = pieces.pop()
        pieces[-1] = (pieces[-1][0], tail[1])
    return [_strip(text, a, b) for a, b in pieces if _strip(text, a, b)[0] < _strip(text, a, b)[1]]


def _clause_cut(text: str, start: int, limit: int) -> int:
    cuts = [m.end() + start for m in _CLAUSE_END.finditer(text[start:limit])]
    good = [c for c in cuts if c - start >= MIN_CHARS]
    return good[-1] if good else limit


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in "\n \t\u3000":
        a += 1
    while b > a and text[b - 1] in "\n \t\u3000":
        b -= 1
    return a, b
