"""Word's automatic list numbering, rendered as text.

A heading numbered by Word ("一、" from a numbering definition, not typed) has no number in its
paragraph text, and the structure analysis needs the number. This renders the label the way Word
shows it — the level's ``lvlText`` ("%1、", "（%1）", "%1.") with each ``%k`` counted in its
``numFmt`` — for a paragraph's own numbering or its style's. Bullets and unknown formats give ''.
"""

from __future__ import annotations

from docx.oxml.ns import qn

_CN = "零一二三四五六七八九"
_CHINESE_FORMATS = {"chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting",
                    "chineseLegalSimplified", "japaneseCounting"}


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 101 → 一百零一 (list numbers stay small)."""
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    return str(n)


def _format(n: int, fmt: str) -> str | None:
    if fmt in ("decimal", "decimalZero", "decimalFullWidth", "decimalHalfWidth"):
        return str(n)
    if fmt in _CHINESE_FORMATS:
        return chinese_numeral(n)
    if fmt == "ideographDigital":
        return "".join(_CN[int(d)] for d in str(n))
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    return None  # bullet, none, or something exotic: no label


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out


class NumberingRenderer:
    """Call ``label(paragraph)`` for each body paragraph in order; counters advance like Word's."""

    def __init__(self, document) -> None:
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId → ilvl → (start, fmt, lvlText)
        self._counters: dict[str, list[int]] = {}
        self._styles = document.styles
        try:
            numbering = document.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        for a in numbering.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in a.findall(qn("w:lvl")):
                start = lvl.find(qn("w:start"))
                fmt = lvl.find(qn("w:numFmt"))
                text = lvl.find(qn("w:lvlText"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    int(start.get(qn("w:val"))) if start is not None else 1,
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    text.get(qn("w:val")) if text is not None else "",
                )
            abstract[a.get(qn("w:abstractNumId"))] = levels
        for num in numbering.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self._levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    def _num_pr(self, paragraph):
        p_pr = paragraph._p.pPr
        if p_pr is not None and p_pr.numPr is not None:
            return p_pr.numPr
        style = paragraph.style
        while style is not None:  # heading styles often carry the numbering
            s_pr = style.element.pPr
            if s_pr is not None and s_pr.numPr is not None:
                return s_pr.numPr
            style = style.base_style
        return None

    def label(self, paragraph) -> str:
        num_pr = self._num_pr(paragraph)
        if num_pr is None or num_pr.numId is None:
            return ""
        num_id = str(num_pr.numId.val)
        ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
        levels = self._levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counts = self._counters.setdefault(num_id, [0] * 9)
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, len(counts)):
            counts[deeper] = 0
        label = levels[ilvl][2]
        for k in range(ilvl, -1, -1):  # %1 … %9 refer to levels 0 … 8
            start, fmt, _ = levels.get(k, (1, "decimal", ""))
            shown = _format(start + max(counts[k], 1) - 1, fmt)
            if shown is None:
                return ""
            label = label.replace(f"%{k + 1}", shown)
        return label
