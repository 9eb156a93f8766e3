"""What a figure counts: the 事项 of the summary's figures table, read off the sentence by code.

A good label is the noun phrase the figure counts, in the report's own words: 调解矛盾纠纷 / 930件,
化解率 / 96.77%. Chinese often puts the counted thing *after* the number (在29家行政执法单位设立…,
选派20名优秀律师…, 从8个方面提出29项具体任务), so the phrase after the figure is read first and the
phrase before it only when nothing nominal follows (调解矛盾纠纷930件, 发现问题23个并逐项整改).

A label is never a preposition (在, 从), a phrase that ends waiting for its noun (对现行有效的), the tail
of the previous figure's phrase (方面提出 for 29项), nor a slice of a name (三项 in “三项制度”). A figure
whose label cannot be read that way gets none, and the table leaves it out: a row without a reader's
label is worse than no row, since the sentence is still in the report.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable

with warnings.catch_warnings():  # jieba imports pkg_resources, which warns on every start
    warnings.simplefilter("ignore")
    import jieba
    import jieba.posseg

from assistant.figures import CN_CHARS, find_figures
from assistant.types import Figure

jieba.setLogLevel(logging.WARNING)

LABEL_MAX_CHARS = 24  # a table cell; longer phrases are cut at a word boundary
AFTER_MAX_CHARS = 40  # how far after a figure its noun phrase is looked for

# A clause ends at these; the phrase before a figure does not stop at 、 (合同、协议82件 counts both).
_SENTENCE_END = "。;；!！?？\n"
_CLAUSE_END = "。;；!！?？\n,，:："
_AFTER_END = _CLAUSE_END + "、"
_OPEN_QUOTES, _CLOSE_QUOTES = "“‘《「『〈", "”’》」』〉"

# What may follow a figure without being the thing it counts: its unit's continuation (683家次,
# 95%以上, 1.5个工作日) or an adverb jieba tags as a noun (9个全部按规定…, 36项全面…).
_CONTINUATION = re.compile(r"^(?:以上|以下|以内|左右|上下|之多|[\u4e00-\u9fff]?次|个?工作日|个?月|全部|全面|全|均|经)")
# jieba tags that open a noun phrase; a verb opens one only when a noun follows (执法队伍, 失信主体).
_NOMINAL = re.compile(r"^(?:n|vn|an|b|j|a|l|i|s|nz|nr|ns|nt|ng)")
# Function words and hanging verbs a label may not end with: its noun or its figure is elsewhere.
# not 地/得 (基地, 土地), nor 为 in a word (违规行为, 作为)
_FUNCTION_END = re.compile(r"(?:[的之在从对向将把给与于和及或并由按经至到以被]|(?<![行作认成])为)$")
# When and who before the phrase (2024年我镇共受理…, 全年累计…): the table is about one report already.
_LEAD = re.compile(
    r"^(?:(?:20\d{2}年(?:度|以来|至今)?|今年以来|全年|年内|截至目前|截至\d{1,2}月底?|其中|同时|此外|"
    r"我(?:镇|乡|县|区|局|街道)|共计|共|累计|合计|而|但|并且|并)[,，]?)+"
)
# Verbs and hedges between a figure's subject and the number: 化解率达到96.77% → 化解率.
_TAIL = re.compile(
    r"(?:共计|共|累计|总计|合计|达到|达|(?<![行作认成])为|约|近|超过|超|逾|多达|计|了|(?<!平)均|分别|不少于|不低于|"
    r"不超过|至少|仅有|仅|只有|力争|确保|保持在|稳定在|控制在|压缩至|缩短至|缩减至|提高到|提高至|提升至|增加到|增至|"
    r"下降到|下降至|降至|降低到|减少到|上升到|上升至|由|从)+$"
)
# Light verbs: what follows them is the action done to or by the thing counted (66项综合执法事项 进行评估).
_LIGHT_VERBS = ("进行", "开展", "实施")
_LIST_SEPARATORS = ("、", "和", "及", "与")  # 895人、农村学法用法示范户150户: a new item, not glued
GLUE_MAX_CHARS = 4  # 由2.1名增加到2.7名: a short connective between two figures of one thing
# 行政执法三项制度 names three systems; it is not a tally a reviewer reads off a table.
_NAMED_AFTER_NUMERAL = ("制度",)


def _cjk_count(s: str) -> int:
    return sum("\u3400" <= ch <= "\u9fff" for ch in s)


def _inside_quote(text: str, sentence_start: int, pos: int) -> bool:
    """Is ``pos`` inside a quoted name (“…”, 《…》, "…") that opened in the same sentence?"""
    depth, ascii_quotes = 0, 0
    for ch in text[sentence_start:pos]:
        if ch in _OPEN_QUOTES:
            depth += 1
        elif ch in _CLOSE_QUOTES:
            depth = max(0, depth - 1)
        elif ch == '"':
            ascii_quotes += 1
    return depth > 0 or ascii_quotes % 2 == 1


Words = list[tuple[str, str]]  # (word, jieba tag)


def _words(phrase: str) -> Words:
    return [(p.word, p.flag) for p in jieba.posseg.lcut(phrase)]


def _joined(words: Words) -> str:
    return "".join(w for w, _ in words)


def _is_noun(word: str, flag: str) -> bool:
    return bool(_NOMINAL.match(flag)) and not _CONTINUATION.fullmatch(word)


def _noun_phrase(words: Words) -> Words:
    """The noun phrase a run of words opens with: up to the first preposition, adverb or light verb
    (具体任务 对法治…, 执法队伍 全部规范到位, 市场主体 进行信用修复), then back to its last noun
    (方面 提出, 村 和)."""
    for i, (word, flag) in enumerate(words[1:], start=1):
        if flag[:1] in ("p", "d") or flag == "ad" or word in _LIGHT_VERBS or _CONTINUATION.fullmatch(word):
            words = words[:i]
            break
    while words and not _is_noun(*words[-1]):
        words = words[:-1]
    return words


def _fit(words: Words, keep_end: bool) -> str:
    """At most LABEL_MAX_CHARS, whole words: the last ones for a phrase before a figure, else the first."""
    order = reversed(words) if keep_end else iter(words)
    kept, size = [], 0
    for word, flag in order:
        if size + len(word) > LABEL_MAX_CHARS:
            break
        kept.append((word, flag))
        size += len(word)
    return _joined(kept[::-1] if keep_end else kept)


def _balanced(label: str, keep_end: bool) -> str:
    """Quotation marks and brackets closed (高频事项“跨省通办 → …通办”, 村(社区 → 村(社区)); a phrase
    cut in the middle of a quote starts after it (乱"、农村建房… → 农村建房…)."""
    if label.count('"') % 2:
        label = label[label.index('"') + 1:] if keep_end else label + '"'
    for open_, close in ("“”", "《》", "‘’", "()", "（）"):
        if label.count(open_) > label.count(close):
            label += close
        while label.count(close) > label.count(open_):
            cut = label.index(close)
            label = label[cut + 1:] if keep_end else label[:cut] + label[cut + 1:]
    return label.lstrip("、,，")


def noun_after(text: str, fig: Figure, stop: int) -> str | None:
    """The noun phrase right after a figure (29家 行政执法单位设立或确定法制机构 → that phrase); None when
    what follows is not nominal (发现问题23个 并逐项整改, 95% 以上, 45件 ,), '' when it is but no label of
    two characters or more can be read from it (8个 村和1个社区: the thing is 村)."""
    end = min(stop, fig.end + AFTER_MAX_CHARS)
    end = next((i for i in range(fig.end, end) if text[i] in _AFTER_END), end)
    after = text[fig.end:end].strip()
    if after.startswith("的"):
        after = after[1:]  # 40学时的专业法律知识培训: the thing follows 的
    if not after or not ("\u3400" <= after[0] <= "\u9fff") or _CONTINUATION.match(after):
        return None
    words = _words(after)
    word, flag = words[0]
    next_flag = words[1][1] if len(words) > 1 else ""
    if flag[:1] in ("d", "p", "c", "u", "r", "m", "q", "f") or flag == "ad" or word in _LIGHT_VERBS:
        return None  # 23个并逐项整改, 13件进行了…: an adverb or a verb's particle, the thing came before
    if flag.startswith("v") and flag != "vn" and len(word) > 1 and not _NOMINAL.match(next_flag):
        return None  # 136人次参与, 2.1名增加到2.7名: a verb of the thing named before the figure
    return _balanced(_fit(_noun_phrase(words), keep_end=False), keep_end=False)


def phrase_before(text: str, fig: Figure, floor: int, after_figure: bool) -> tuple[str, bool]:
    """The phrase naming what a figure counts when it comes first (调解矛盾纠纷930件): from the last clause
    break (or ``floor``) to the number. Also whether it is glued to the previous figure (``after_figure``:
    ``floor`` is that figure's end) with no break in between: 1420户1500万元, 由2.1名增加到2.7名."""
    start = next((i + 1 for i in range(fig.start - 1, floor - 1, -1) if text[i] in _CLAUSE_END), floor)
    raw = text[start:fig.start]
    if after_figure and start == floor and "、" in raw:
        start += raw.rindex("、") + 1  # 3个工作日内、复杂事项7个: a new item of the list starts at 、
        raw = text[start:fig.start]
    glued = after_figure and start == floor and not raw.lstrip().startswith(_LIST_SEPARATORS)
    phrase = _LEAD.sub("", raw.strip())
    phrase = _TAIL.sub("", phrase).strip().rstrip("“‘《(（")
    if phrase.endswith('"') and phrase.count('"') % 2:
        phrase = phrase[:-1]  # an opening quote right before the number
    if len(phrase) > LABEL_MAX_CHARS:
        phrase = _fit(_words(phrase), keep_end=True)
    return _balanced(phrase, keep_end=True), glued


def _acceptable(label: str) -> bool:
    return _cjk_count(label) >= 2 and not _FUNCTION_END.search(label)


def label_figures(text: str, figures: Iterable[Figure], sentence_bounds) -> list[str]:
    """One label per figure ('' when none can be read), in order. ``sentence_bounds(fig)`` gives the
    (start, end) of the sentence a figure is in."""
    figures = list(figures)
    labels: list[str] = []
    for n, fig in enumerate(figures):
        s, e = sentence_bounds(fig)
        previous = figures[n - 1] if n and figures[n - 1].end > s else None  # in the same sentence
        next_start = figures[n + 1].start if n + 1 < len(figures) else len(text)
        labels.append(_label(text, fig, s, min(e, next_start), previous.end if previous else s,
                             labels[-1] if previous else None))
    return labels


def _label(text: str, fig: Figure, sentence_start: int, stop: int, floor: int, previous_label: str | None) -> str:
    if _inside_quote(text, sentence_start, fig.start):
        return ""  # 落实“三项制度”, “1名村(居)法律顾问+N名法律明白人”: part of a name
    if fig.text[0] in CN_CHARS and text.startswith(_NAMED_AFTER_NUMERAL, fig.end):
        return ""
    after = noun_after(text, fig, stop)
    if after is not None:  # the report names the thing after the number: that or nothing
        return after if _acceptable(after) else ""
    before, glued = phrase_before(text, fig, floor, previous_label is not None)
    if glued:
        # 1420户1500万元, 由2.1名增加到2.7名: the second number measures what the first one's label names;
        # a longer run is the first figure's noun and this one's verb (8个方面提出29项): no label.
        return previous_label if len(before) <= GLUE_MAX_CHARS else ""
    return before if _acceptable(before) else ""


def figure_what(text: str, fig: Figure, sentence_start: int, previous_end: int) -> str:
    """The label of one figure in ``text`` (a chunk or a report), '' when none can be read; for callers that
    walk figures one at a time (compare)."""
    stop = next((i for i in range(fig.end, len(text)) if text[i] in _SENTENCE_END), len(text))
    following = find_figures(text[fig.end:stop])
    if following:
        stop = fig.end + following[0].start
    after_figure = previous_end > sentence_start
    return _label(text, fig, sentence_start, stop, max(sentence_start, previous_end), "" if after_figure else None)
