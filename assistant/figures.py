"""Figures in Chinese report text, and whether a text's figures appear in its sources.

A *figure* is a quantity a reader could check: 930件, 3,140人次, 96.77%, 25.2万元, 107万, 160余条, 两轮,
三项制度, 十二名, 百分之九十五. Not figures: years and dates (2024年, 2025年度, 12月18日, 2025-01-15),
numbering (一是, (一), 1、, 第一), and fixed names (“八五”普法, 二十大, 三中全会, 12345热线, “1+1+3”).

Grounding is the product's core promise: every figure the model writes must appear, with the same value
and a compatible unit, in a source text (1500万元 == 15000000元; a bare 930 matches 930件).

Matching runs on a same-length translation of the text (full-width digits and ％，． → ASCII), so the
offsets of a Figure always index the caller's original string.
"""

from __future__ import annotations

import math
import re

from assistant.lexicon import CN_BIG, CN_DIGITS, CN_SMALL, UNIT_ALIASES, UNIT_GROUPS, UNITS
from assistant.types import Figure

CN_CHARS = "".join(CN_DIGITS) + "".join(CN_SMALL) + "".join(CN_BIG)

# With "一" many counting phrases are idioms, not quantities (一起, 一条龙); only these measures count.
ONE_UNITS = {"支", "个", "项", "名", "件", "次", "场", "期", "轮", "份", "户", "人", "家", "处", "位", "场次", "人次"}

# Fixed names that look like counts. Checked at the start of a Chinese-numeral match.
FIXED_NAMES = (
    "两个确立", "两个维护", "两个结合", "两个毫不动摇", "四个意识", "四个自信", "四个全面", "三个代表",
    "八项规定", "一件事", "一次性", "一条龙", "一站式", "一张网", "一盘棋", "一家人", "一个中心",
    "五个一", "三个一", "一个不少", "四个一批", "三所联动", "十分钟法治", "一村一", "一户一", "一岗双责",
)

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?"
_CHINESE = f"[{CN_CHARS}]+"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
FIGURE_RE = re.compile(
    rf"百分之(?P<pct>{_ARABIC}|{_CHINESE})"
    rf"|(?P<num>{_ARABIC}|{_CHINESE})(?P<approx>[余多])?(?P<mult>[万亿])?(?P<approx2>[余多])?(?P<unit>{_UNIT_RE})?"
)

# Same-length translation for matching: full-width digits and punctuation to ASCII, traditional numerals.
# Traditional-character measures too (27處 is 27处), so a report in traditional characters grounds its figures.
_FULLWIDTH = str.maketrans("０１２３４５６７８９％，．：－＋／萬億兩餘處條項個場輪戶筆臺輛間畝類節棟冊",
                           "0123456789%,.:-+/万亿两余处条项个场轮户笔台辆间亩类节栋册")

_CJK = re.compile(r"[\u3400-\u9fff]")
_CODE_NEIGHBOUR = set("0123456789.-/:+*_#@") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_JOINERS = set(".-/:+*")
_ONE_IDIOM_BEFORE = set("新每同另这那哪某单统唯任逐")
_OPEN_QUOTES = "“\"‘'「『"
_CLOSE_QUOTES = "”\"’'」』"


def _is_ascii_alnum(ch: str) -> bool:
    return bool(ch) and ch.isascii() and ch.isalnum()


def parse_chinese_number(s: str) -> float | None:
    """二十九 → 29, 两 → 2, 一万二千 → 12000, 二〇二四 → 2024. None when ``s`` is not a number."""
    if not s or any(ch not in CN_CHARS for ch in s):
        return None
    if not any(ch in CN_SMALL or ch in CN_BIG for ch in s):
        # Digit by digit (二〇二四); a single digit is just itself.
        value = 0
        for ch in s:
            value = value * 10 + CN_DIGITS[ch]
        return float(value)
    yi = 0  # the part counted in 亿
    wan = 0  # the part counted in 万
    section = 0  # the current group below 万
    digit: int | None = None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL:
            section += (1 if digit is None else digit) * CN_SMALL[ch]
            digit = None
        elif ch == "万":
            wan = (section + (digit or 0) or 1) * CN_BIG[ch]
            section, digit = 0, None
        else:  # 亿 closes everything before it
            yi = (yi + wan + section + (digit or 0) or 1) * CN_BIG[ch]
            wan, section, digit = 0, 0, None
    return float(yi + wan + section + (digit or 0))


def _arabic_value(s: str) -> float:
    return float(s.replace(",", ""))


def _canonical_unit(unit: str) -> str:
    return UNIT_ALIASES.get(unit, unit)


def units_compatible(a: str, b: str) -> bool:
    """Same unit, a counter of the same kind, or one side bare (930 matches 930件)."""
    a, b = _canonical_unit(a), _canonical_unit(b)
    if not a or not b or a == b:
        return True
    return any(a in group and b in group for group in UNIT_GROUPS)


def same_figure(a: Figure, b: Figure) -> bool:
    """The same quantity: equal value (to rounding noise) and compatible units."""
    return math.isclose(a.value, b.value, rel_tol=1e-9, abs_tol=1e-9) and units_compatible(a.unit, b.unit)


def find_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in order, with offsets into ``text`` itself. In a table row whose label
    names the unit ("开展普法活动（场次）\t58\t44"), the row's bare numbers are of that unit."""
    norm = text.translate(_FULLWIDTH)
    figures: list[Figure] = []
    for m in FIGURE_RE.finditer(norm):
        fig = _figure_from_match(norm, text, m)
        if fig is not None:
            figures.append(fig)
    if "\t" in norm:
        figures = [_with_row_unit(norm, f) for f in figures]
    return figures


# A table row's label that names its unit: "开展普法活动（场次）", "罚没款（万元）", "持证率(%)".
_ROW_UNIT = re.compile(rf"^[^\t\n]*[(（]\s*(?P<mult>[万亿])?(?P<unit>{_UNIT_RE}|%)\s*[)）]\s*\t", re.M)


def _with_row_unit(norm: str, fig: Figure) -> Figure:
    if fig.unit or "\t" not in norm[norm.rfind("\n", 0, fig.start) + 1 : fig.start]:
        return fig  # a figure with its own unit, or the label cell itself
    m = _ROW_UNIT.match(norm, norm.rfind("\n", 0, fig.start) + 1)
    if m is None:
        return fig
    value = fig.value * (CN_BIG[m.group("mult")] if m.group("mult") else 1)
    return Figure(fig.text, value, _canonical_unit(m.group("unit")), fig.start, fig.end)


def _figure_from_match(norm: str, original: str, m: re.Match) -> Figure | None:
    start, end = m.start(), m.end()
    if m.group("pct") is not None:
        raw = m.group("pct")
        value = _arabic_value(raw) if raw[0].isdigit() else parse_chinese_number(raw)
        if value is None:
            return None
        return Figure(original[start:end], value, "%", start, end)

    num = m.group("num")
    unit = m.group("unit") or ""
    mult = m.group("mult") or ""
    approx = m.group("approx") or m.group("approx2") or ""
    if start > 0 and norm[start - 1] == "第":  # ordinal: 第一, 第3次
        return None
    if num[0].isdigit():
        if not _arabic_is_figure(norm, start, m.end("num"), end, num, bool(unit or mult or approx)):
            return None
        value = _arabic_value(num)
    else:
        value = _chinese_value(norm, start, end, num, unit, approx)
        if value is None:
            return None
    if mult:
        value *= CN_BIG[mult]
    return Figure(original[start:end], value, _canonical_unit(unit), start, end)


def _arabic_is_figure(norm: str, start: int, num_end: int, end: int, num: str, measured: bool) -> bool:
    before = norm[start - 1] if start > 0 else ""
    right_after = norm[num_end] if num_end < len(norm) else ""
    if before in _CODE_NEIGHBOUR:
        # Glued to letters or digits (ev-1a2b, v1.2, 8:30, 2025-01-15) it is a code; after a lone
        # punctuation mark (答:930, "- 930件" in a list, a sentence-ending ".") it is a number.
        if before not in _JOINERS or _is_ascii_alnum(norm[start - 2 : start - 1]):
            return False
    if right_after in _CODE_NEIGHBOUR and right_after != ".":
        return False  # a date, time, range or formula: 2025-01-15, 8:30, 3-5, 8+N, 1366*768, 5G
    if measured:
        return True
    # A bare number: only a figure when it stands alone in the sentence.
    after = norm[end] if end < len(norm) else ""
    if _CJK.match(after):
        return False  # 2024年, 12月, 18日, 12345热线, 〔2019〕28号 — a name or a date, not a count
    digits = num.replace(",", "")
    if "," not in num and "." not in num and 1900 <= int(digits) <= 2100:
        return False  # a year on its own: 版权所有 2018, (2024)
    if "," not in num and len(digits.split(".")[0]) >= 7:
        return False  # long digit runs are codes (网站标识码, 备案号), not counts
    if before and after and before in _OPEN_QUOTES and after in _CLOSE_QUOTES:
        return False  # a quoted name: “15336”, “315”
    if before == "[" and after == "]":
        return False  # a citation marker [1]
    if after in ("、", ")", "）") or (before in ("(", "（") and after in (")", "）")):
        return False  # numbering: 1、 (1)
    line_start = norm.rfind("\n", 0, start) + 1
    prev = norm[line_start:start].rstrip()
    following = norm[end + 1] if end + 1 < len(norm) else ""
    if after == "." and not following.isdigit() and (not prev or prev[-1] in ":：;；。,，") and int(digits) <= 50:
        return False  # numbering: "1." at the start of a line, or inline after a colon or a sentence ("包括: 1. …")
    return True


def _chinese_value(norm: str, start: int, end: int, num: str, unit: str, approx: str) -> float | None:
    if not unit:
        return None  # Chinese numerals without a measure are words (一是, 统一, 三中全会, 二十大)
    has_digit = any(ch in CN_DIGITS for ch in num) or num[0] == "十"
    if not has_digit and not (len(num) == 1 and approx):
        return None  # 万家, 千家万户, 百姓 — but 百余人, 千余份 are counts
    if any(norm.startswith(name, start) for name in FIXED_NAMES):
        return None
    if num == "一" and (unit not in ONE_UNITS or norm[end : end + 1] == "一"):
        return None  # 一起, 一批, 一类, 一户一代表: idioms more often than counts
    before = norm[start - 1] if start > 0 else ""
    after = norm[end] if end < len(norm) else ""
    if num == "一" and before in _ONE_IDIOM_BEFORE:
        return None  # 新一轮, 每一项, 同一件: "a/each/the same", not a count of one
    if before and after and before in _OPEN_QUOTES and after in _CLOSE_QUOTES:
        return None  # a quoted slogan: “三个一”
    return parse_chinese_number(num)


def ungrounded_figures(text: str, sources: list[str]) -> list[Figure]:
    """Figures of ``text`` that appear in none of ``sources`` (same value, compatible unit)."""
    known = [f for source in sources for f in find_figures(source)]
    return [f for f in find_figures(text) if not any(same_figure(f, k) for k in known)]


def mark_ungrounded(text: str, ungrounded: list[Figure], marker: str = "⚠") -> str:
    """Wrap each ungrounded figure in ``marker``s (⚠930件⚠) so a reader sees which numbers to check."""
    out: list[str] = []
    pos = 0
    for fig in sorted(ungrounded, key=lambda f: f.start):
        out.append(text[pos:fig.start])
        out.append(f"{marker}{text[fig.start:fig.end]}{marker}")
        pos = fig.end
    out.append(text[pos:])
    return "".join(out)
