"""What a reviewer would strike in a draft paragraph: named checks that find it, repair it where code can,
and flag it otherwise. Every check returns the (repaired) text and a ReviewNote per finding; running a
check on finished text and counting its notes is how the eval measures what is left (evals/checks.py).

Paragraph checks, in the order they run (``PARAGRAPH_CHECKS``):
- nested_placeholder: a 〔待补充:…〕 inside another, or a label holding pasted text → one short placeholder.
- source_talk: talk about the sources (上一年度报告指出, 今年材料中, file names, 第N段) → framing removed;
  a sentence that only talks about the sources ("材料中没有提到…") is dropped.
- material_heading: a heading line of the user's material pasted as text → removed.
- echoed_heading: heading numbering (二、 (一) 1.) or a heading echoed inside the paragraph → removed.
- prompt_wording: a sentence sharing a run with a prompt file's own sentences (a run no report in the
  library and nothing in the material says) → dropped.
- self_reference: 我镇 in a county's report (the body's level decides: checks.self_reference) → corrected.
- org_name_repeats: the body's own name more than ``org_name_max`` times → later ones become 我县/我镇….
- copied_sentence: a sentence sharing more than ``copy_chars`` characters with last year's report
  (outside “…” quotes: a commitment quoted as such is fine) or a peer's text, or a clause sharing
  ``copy_input_chars`` with the unit's own input from last year → dropped.
- repeated_clause: a clause said again (in the paragraph, or earlier in the draft) → dropped.
- marker_sequence: 一是/二是/… out of order or repeated → renumbered.
- vague_quantity: 若干/多次/大量/数十 where a figure belongs → the material's figure on that topic, else
  a 〔待补充:…〕 placeholder.
- figure_gap: a placeholder where the material states the figure → the figure.
- halfwidth_punct: ASCII , : ; ( ) ? ! in Chinese text → full-width (GB/T 15834); figures untouched.
Headings are checked by ``review_heading`` (item_heading), sections by ``empty_sections`` (empty_section).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from assistant.drafting.checks import PLACEHOLDER, CheckContext
from assistant.figures import find_figures, units_compatible
from assistant.textnorm import normalize
from assistant.types import DraftSection, ReviewNote

PARAGRAPH_CHECKS = (  # in this order: a clause is compared for repeats in its final wording (我县, not 我镇)
    "nested_placeholder", "source_talk", "material_heading", "echoed_heading", "prompt_wording",
    "self_reference", "org_name_repeats", "copied_sentence", "repeated_clause", "marker_sequence",
    "vague_quantity", "figure_gap", "halfwidth_punct",
)
HEADING_CHECKS = ("item_heading",)
SECTION_CHECKS = ("empty_section",)
ALL_CHECKS = PARAGRAPH_CHECKS + HEADING_CHECKS + SECTION_CHECKS

_SENTENCE = re.compile(r"[^。!！?？]*[。!！?？]+[”’」』)）]*|[^。!！?？]+$")
_CLAUSE = re.compile(r"[^,，;；:：。!！?？]+[,，;；:：。!！?？]*")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_CN_NUM = "一二三四五六七八九十"


def _key(text: str) -> str:
    """Matching form of a stretch of text: Han characters, letters and digits only (punctuation-blind)."""
    return re.sub(r"[^\w]", "", normalize(text)).replace("_", "")


def _masked(text: str) -> str:
    """``text`` with every placeholder's inside blanked (same length), so checks do not read the labels."""
    return PLACEHOLDER.sub(lambda m: "〔" + "□" * (len(m.group()) - 2) + "〕", text)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, found on the masked form (a placeholder never splits one)."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(_masked(text)) if m.group().strip()]


def _drop_spans(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    return text


@dataclass
class Review:
    """One paragraph under review: its text, what has been found, and the draft's earlier clauses."""

    text: str
    ctx: CheckContext
    topic: str = ""  # what the paragraph is about (its heading or unit label), for placeholder labels
    earlier: set[str] = field(default_factory=set)  # clause keys said in earlier paragraphs of the draft
    no_copy: list[str] = field(default_factory=list)  # the unit's inputs from last year, not to be pasted back
    borrowed: list[str] = field(default_factory=list)  # other bodies' texts: an idea may be taken, not sentences
    notes: list[ReviewNote] = field(default_factory=list)

    def note(self, check: str, detail: str, repaired: bool = True) -> None:
        self.notes.append(ReviewNote(check, detail, repaired))

    @property
    def settings(self):
        return self.ctx.settings


# --- the checks, each (Review) -> None, updating review.text and review.notes ---------------------------------


_NESTED = re.compile(r"〔待补充[:：]([^〔〕]*)〔待补充[:：]([^〔〕]*)〕([^〔〕]*)〕")


def nested_placeholder(r: Review) -> None:
    while True:
        m = _NESTED.search(r.text)
        if not m:
            break
        inner = m.group(2).strip() or m.group(1).strip()
        r.text = r.text[: m.start()] + f"〔待补充:{inner}〕" + r.text[m.end():]
        r.note("nested_placeholder", f"待补充内套待补充,已合并为〔待补充:{inner}〕")
    limit = r.settings.placeholder_max_chars

    def shorten(m: re.Match) -> str:
        label = m.group(1).strip()
        if len(label) <= limit and not _talks_about_sources(label):
            return m.group()
        short = f"{r.ctx.year}年{r.topic or '相关'}的具体情况"
        r.note("nested_placeholder", f"待补充说明过长或含提示语,已改为〔待补充:{short}〕")
        return f"〔待补充:{short}〕"

    r.text = PLACEHOLDER.sub(shorten, r.text)


# Phrases that talk about the drafting inputs instead of the work. Framing ("上一年度报告指出,") is removed;
# a sentence saying what the material lacks is dropped whole.
_FILE_NAME = re.compile(r"[\w\-\u4e00-\u9fff]{1,40}\.(?:txt|md|docx?|pdf|xlsx?)", re.I)
_PASSAGE_LABEL = re.compile(  # [notes.txt 第3段], (材料1第2段), 材料2第1段: how passages were labelled for the model
    r"[\[【(（][^\[\]【】()（）]{0,40}第\s*\d+\s*段[\]】)）]|(?:材料\d*|[\w\-]+\.(?:txt|md|docx?))\s*第\s*\d+\s*段")
_SOURCE_FRAME = re.compile(
    r"(?:根据|按照|依据|据|从|结合)?(?:(?:上一?年度|上年|去年|往年)的?(?:法治政府建设)?(?:年度)?报告|(?:今年|本年度?|今年的|"
    r"用户提供的?|所给|提供的|以上|上述)材料|材料)(?:[(（][^()（）]{0,30}[)）])?(?:中|里|内)?(?:所|的)?(?:指出|提到|提出|显示|要求|列出|所列|记载|"
    r"表明|写明|说明|反映)?(?:的)?[,，:：]?"
)
_SOURCE_WORDS = re.compile(
    r"(?:上一?年度|上年|去年|往年)的?(?:法治政府建设)?(?:年度)?报告(?:中|里)?(?:指出|提到|提出|显示|要求|列出|的安排|中的)"
    r"|(?:今年|本年度?|用户提供的?|所给|提供的)材料|材料(?:中|里)(?:没有|未|无|提到|显示|指出|所列)?|供延续|仅供参考|用户提供"
)
_MATERIAL_LACKS = re.compile(r"材料(?:中|里)?(?:没有|未|无|并未|尚未)(?:提到|提及|涉及|说明|写明|相关|具体)")


def _talks_about_sources(text: str) -> bool:
    return bool(_SOURCE_WORDS.search(text) or _FILE_NAME.search(text) or re.search(r"第\s*\d+\s*段", text))


def source_talk(r: Review) -> None:
    masked = _masked(r.text)
    drop = [(s, e) for s, e in _sentences(r.text) if _MATERIAL_LACKS.search(masked[s:e])]
    if drop:
        r.text = _drop_spans(r.text, drop)
        r.note("source_talk", f"删除谈论材料本身的句子 {len(drop)} 句")
    before = r.text
    for pattern in (_PASSAGE_LABEL, _FILE_NAME):
        r.text = _outside_placeholders(r.text, lambda seg, p=pattern: p.sub("", seg))
    r.text = _outside_placeholders(r.text, lambda seg: _SOURCE_FRAME.sub(_frame_repl, seg))
    if r.text != before:
        r.note("source_talk", "删除“上一年度报告指出”“今年材料中”、文件名、段号等谈论来源的字句")


def _frame_repl(m: re.Match) -> str:
    # "材料" alone is also an ordinary word (申请材料, 材料齐全): only remove it with a framing word around it
    text = m.group()
    if re.fullmatch(r"材料[,，:：]?", text):
        return text
    return ""


def _outside_placeholders(text: str, fn: Callable[[str], str]) -> str:
    out, pos = [], 0
    for m in PLACEHOLDER.finditer(text):
        out += [fn(text[pos:m.start()]), m.group()]
        pos = m.end()
    return "".join(out + [fn(text[pos:])])


def _standalone(text: str, phrase: str) -> list[tuple[int, int]]:
    """Where ``phrase`` stands on its own: at the start or after punctuation/a marker, and before
    punctuation, a marker or the end (so 调解工作 in 做好人民调解工作 does not count)."""
    spans = []
    for m in re.finditer(re.escape(phrase), text):
        before = text[: m.start()].rstrip()
        after = text[m.end():]
        starts = not before or before[-1] in "。!！?？;；:：,，、)）】〕" or re.search(r"[、.．)）]\s*$", before)
        ends = not after.strip() or after[0] in "。!！?？;；:：,，" or re.match(
            rf"\s*(?:[{_CN_NUM}]+[、是]|[(（][{_CN_NUM}\d]+[)）]|\d+[、.．])", after)
        if starts and ends:
            end = m.end() + (1 if after[:1] in "。:：,，;；" else 0)
            spans.append((m.start(), end))
    return spans


def material_heading(r: Review) -> None:
    for heading in sorted(r.ctx.material_headings, key=len, reverse=True):
        spans = _standalone(r.text, heading)
        if spans:
            r.text = _drop_spans(r.text, spans)
            r.note("material_heading", f"删除粘贴进正文的材料标题“{heading}”")


_NUMBERING = re.compile(
    rf"(?:(?<=^)|(?<=[。!！?？;；:：,，\s]))\s*(?:[{_CN_NUM}]+、|[(（][{_CN_NUM}]+[)）]|[(（]\d{{1,2}}[)）]|\d{{1,2}}[.．、](?!\d))\s*"
)


ECHO_HEADING_CHARS = 10  # "二、述法。": a phrase this short after a section marker is its heading, not a sentence


def echoed_heading(r: Review) -> None:
    found = 0
    while True:
        masked = _masked(r.text)
        m = _NUMBERING.search(masked)
        if not m:
            break
        end = m.end()
        # "二、述法1. 通过…": a short phrase right after the marker that ends at another marker or a full
        # stop is the echoed heading itself
        tail = re.match(
            rf"([^,，。;；:：!！?？〔]{{1,{r.settings.heading_max_chars}}}?)(?P<next>[{_CN_NUM}]+、|[(（][{_CN_NUM}\d]+[)）]|"
            rf"\d{{1,2}}[.．、](?!\d)|[。:：]|$)", masked[end:])
        section_marker = not re.match(r"\s*\d", m.group())
        if tail and not find_figures(tail.group(1)) and (
            tail.group("next") and tail.group("next")[0] not in "。:："  # ends at the next marker: a heading
            or section_marker and len(tail.group(1)) <= ECHO_HEADING_CHARS
        ):
            end += tail.end(1) + (1 if tail.group("next") in ("。", ":", "：") else 0)
        r.text = r.text[: m.start()] + r.text[end:]
        found += 1
    if found:
        r.note("echoed_heading", f"删除段内重复的标题或编号 {found} 处")
    if r.topic and len(r.topic) >= 4:
        spans = _standalone(r.text, r.topic)
        if spans:
            r.text = _drop_spans(r.text, spans)
            r.note("echoed_heading", f"删除段内重复的小标题“{r.topic}”")


def _prompt_runs(text: str, ctx: CheckContext) -> list[str]:
    n = ctx.settings.prompt_run
    key = _key(text)
    grams = ctx.prompt_grams
    return [key[i:i + n] for i in range(len(key) - n + 1) if key[i:i + n] in grams]


def prompt_wording(r: Review) -> None:
    """The prompts' own labels echoed ("2025年的事实:" before the facts) are cut out; then clause by clause
    ("上一年度报告中相关的安排(供延续):加强普法。" keeps 加强普法), then any sentence still holding a run
    that spans its clauses."""
    runs: list[str] = []
    labels = r.ctx.prompt_labels
    if labels:
        cut = _outside_placeholders(r.text, lambda seg: labels.sub("", seg))
        if cut != r.text:
            runs.append(labels.search(r.text).group().rstrip(":：是"))
            r.text = cut
    for pattern in (_CLAUSE, _SENTENCE):
        masked = _masked(r.text)
        drop = []
        for m in pattern.finditer(masked):
            found = _prompt_runs(m.group().replace("□", ""), r.ctx)
            if found:
                drop.append((m.start(), m.end()))
                runs.append(found[0])
        r.text = _drop_spans(r.text, drop)
    if runs:
        r.note("prompt_wording", f"删除照抄提示语的字句 {len(runs)} 处(如“{runs[0]}”)")


_QUOTED = re.compile(r"“[^”]{12,}”")  # a commitment quoted as such; short quotes are names (“三项制度”)


def _grams(text: str, n: int) -> set[str]:
    k = _key(text)
    return {k[i:i + n] for i in range(len(k) - n + 1)}


def copied_sentence(r: Review) -> None:
    n = r.settings.copy_chars + 1
    m = r.settings.copy_input_chars
    report = r.ctx.last_report_grams(n)
    borrowed = set().union(*(_grams(t, n) for t in r.borrowed)) if r.borrowed else set()
    inputs = set().union(*(_grams(t, m) for t in r.no_copy)) if r.no_copy else set()
    if not report and not inputs and not borrowed:
        return
    # a clause pasted from the unit's own input goes alone ("…鼓励法律顾问参与工作,<pasted>,推动…")
    masked = _masked(r.text)
    clauses = [(c.start(), c.end()) for c in _CLAUSE.finditer(masked)
               if inputs and _grams(_QUOTED.sub("|", c.group()).replace("□", ""), m) & inputs]
    r.text = _drop_spans(r.text, clauses)
    masked = _masked(r.text)
    drop = []
    for s, e in _sentences(r.text):
        whole = masked[s:e].replace("□", "")
        parts = _QUOTED.sub("|", whole).split("|")  # a run never spans a quoted commitment of our own…
        if any(_grams(p, n) & report or _grams(p, m) & inputs for p in parts) or _grams(whole, n) & borrowed:
            drop.append((s, e))  # …but another body's sentence is not ours to quote
    r.text = _drop_spans(r.text, drop)
    if clauses or drop:
        r.note("copied_sentence", f"删除照抄上一年度报告或其他单位原文的字句 {len(clauses) + len(drop)} 处")


def clause_keys(text: str, min_chars: int) -> list[str]:
    return [k for k in (_key(m.group()) for m in _CLAUSE.finditer(_masked(text).replace("□", ""))) if len(k) >= min_chars]


def repeated_clause(r: Review) -> None:
    n = r.settings.repeat_chars
    masked = _masked(r.text)
    clauses = [(m.start(), m.end(), _key(m.group().replace("□", ""))) for m in _CLAUSE.finditer(masked)]
    seen: list[str] = []
    kept: list[list] = []  # [start, end, ending punctuation replacement or None]
    dropped = 0
    for start, end, key in clauses:
        if len(key) >= n and (key in r.earlier or any(key in k for k in seen)):
            dropped += 1
            closing = masked[start:end].rstrip()[-1:]
            if closing in "。!！?？" and kept:  # "甲,乙,乙。" → "甲,乙。": the sentence end moves back
                kept[-1][2] = closing
            continue
        seen.append(key)
        kept.append([start, end, None])
    if not dropped:
        return
    out = []
    for start, end, closing in kept:
        piece = r.text[start:end]
        if closing:
            piece = re.sub(r"[,，;；:：]\s*$", closing, piece)
        out.append(piece)
    r.text = "".join(out)
    r.note("repeated_clause", f"删除重复的分句 {dropped} 处")


_INLINE_MARKER = re.compile(rf"(?:(?<=^)|(?<=[。!！?？;；:：,，\s]))([{_CN_NUM}]+)是")


def marker_sequence(r: Review) -> None:
    masked = _masked(r.text)
    found = list(_INLINE_MARKER.finditer(masked))
    expected = [_cn(i) for i in range(1, len(found) + 1)]
    if [m.group(1) for m in found] == expected:
        return
    for m, want in sorted(zip(found, expected), key=lambda t: -t[0].start()):
        r.text = r.text[: m.start(1)] + want + r.text[m.end(1):]
    r.note("marker_sequence", "“一是、二是……”顺序有误,已按出现顺序重新编号")


def _cn(n: int) -> str:
    return _CN_NUM[n - 1] if n <= 10 else "十" + _CN_NUM[n - 11]


def self_reference(r: Review) -> None:
    wrong = r.ctx.wrong_self_references(_masked(r.text))
    for word in sorted(set(wrong), key=len, reverse=True):
        r.text = _outside_placeholders(r.text, lambda seg, w=word: re.sub(
            re.escape(w) + r"(?!域|间|块|划|限|面|势)", r.ctx.self_reference, seg))
        r.note("self_reference", f"自称“{word}”与单位层级不符,已改为“{r.ctx.self_reference}”")


def org_name_repeats(r: Review) -> None:
    org, limit = r.ctx.org, r.settings.org_name_max
    spans = [m.start() for m in re.finditer(re.escape(org), _masked(r.text))]
    if len(spans) <= limit:
        return
    for start in reversed(spans[limit:]):
        r.text = r.text[:start] + r.ctx.self_reference + r.text[start + len(org):]
    r.note("org_name_repeats", f"单位名称“{org}”一段内出现 {len(spans)} 次,其后改称“{r.ctx.self_reference}”")


_UNIT_ALT = "|".join(sorted(("人次", "场次", "批次", "件", "次", "场", "人", "名", "户", "份", "条", "项", "个", "期",
                             "轮", "卷", "家", "处", "篇", "起", "批"), key=len, reverse=True))
_VAGUE = re.compile(
    rf"若干(?P<u1>{_UNIT_ALT})?|(?<![\d{_CN_NUM}百千万余])多(?P<u2>次|场次|场|人次|件|名|期|批次|批|轮)"
    rf"|数(?:十|百|千)(?P<u3>{_UNIT_ALT})?|大量(?:的)?(?!工作|努力|心血|精力)"  # 做了大量工作 is filler, not a count
)
_UNIT_WORDS = {"件数": "件", "次数": "次", "人次": "人次", "场次": "场次", "场数": "场", "人数": "人", "户数": "户",
               "卷数": "卷", "条数": "条", "项数": "项", "个数": "个", "成功率": "%", "率": "%", "比例": "%"}


def _before_words(text: str, at: int, limit: int = 14) -> str:
    words = re.split(r"[,，。;；:：、\s()（）“”〕〔]", text[max(0, at - limit):at])[-1]
    return re.sub(r"^(?:全?年|共|累计)+", "", words)  # "全年共排查…若干件" names 排查…, not 年共排查…


def _after_words(text: str, at: int, limit: int = 10) -> str:
    return re.split(r"[,，。;；:：、\s()（）“”〔]", text[at:at + limit])[0]


def vague_quantity(r: Review) -> None:
    while True:
        m = _VAGUE.search(_masked(r.text))
        if not m:
            break
        unit = m.group("u1") or m.group("u2") or m.group("u3") or ""
        before, after = _before_words(r.text, m.start()), _after_words(r.text, m.end())
        # "多次召开会议": the quantity stands before what it counts; "培训人员若干人次。": after it
        topic = after if after and _HAN.match(after) else before
        figure = material_figure(f"{before}{after}", unit, r.ctx)
        if figure:
            r.text = r.text[: m.start()] + figure + r.text[m.end():]
            r.note("vague_quantity", f"“{m.group()}”已改为材料中的数字“{figure}”")
            continue
        what = {"件": "件数", "次": "次数", "人次": "人次", "场": "场次", "场次": "场次", "人": "人数", "名": "人数"}.get(
            unit, "数量")
        label = f"〔待补充:{r.ctx.year}年{topic}{what}〕"
        r.text = r.text[: m.start()] + label + unit + r.text[m.end():]
        r.note("vague_quantity", f"“{m.group()}”是模糊数量,已改为{label}")


def material_figure(words: str, unit: str, ctx: CheckContext) -> str:
    """The material's figure for a gap described by ``words`` (and counted in ``unit``, if known): the one
    figure of the material clause sharing most of the gap's keywords, '' when none is close enough."""
    from assistant.drafting.similarity import keywords, overlap

    if not keywords(words):
        return ""
    best, best_score = "", ctx.settings.figure_match
    for clause, figures in ctx.material_clauses:
        usable = [f for f in figures if not unit or (f.unit and units_compatible(f.unit, unit) and f.unit != "")]
        if len(usable) != 1:
            continue
        score = overlap(words, clause)
        if score >= best_score and (score > best_score or not best):
            best, best_score = usable[0].text, score
    return best


def figure_gap(r: Review) -> None:
    def fill(m: re.Match) -> str:
        label = m.group(1)
        after = r.text[m.end():m.end() + 2]
        unit = next((u for w, u in _UNIT_WORDS.items() if w in label), "")
        follow = next((u for u in ("人次", "场次", "件", "次", "场", "人", "名", "户", "卷", "条", "项", "个")
                       if after.startswith(u)), "")
        figure = material_figure(re.sub(r"20\d{2}年", "", label), unit or follow, r.ctx)
        if not figure:
            return m.group()
        if follow and figure.endswith(follow):
            figure = figure[: -len(follow)]  # "〔…〕件" → "142件", not "142件件"
        r.note("figure_gap", f"材料中已有数字,〔待补充:{label}〕已填为“{figure}”")
        return figure

    r.text = PLACEHOLDER.sub(fill, r.text)


# ASCII punctuation that becomes full-width in Chinese text (GB/T 15834); between two digits it is part
# of a figure (1,500 / 10:30) and stays.
_HALFWIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def _cjk(ch: str) -> bool:
    return bool(ch) and ("\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or ch in "%‰”’")


def fullwidth(text: str) -> tuple[str, int]:
    """Chinese punctuation made full-width; returns the text and how many marks changed. Placeholders
    (〔待补充:…〕, the project's one visible form) and figures (1,500, 96.77%) are left as they are."""
    out, changed = [], 0
    for i, seg in enumerate(re.split(r"(〔待补充[:：][^〕]*〕)", text)):
        if i % 2:
            out.append(seg)
            continue
        chars = list(seg)
        for j, ch in enumerate(chars):
            if ch in _HALFWIDTH:
                prev = next((c for c in reversed(chars[:j]) if c != " "), "")
                nxt = next((c for c in seg[j + 1:] if c != " "), "")
                if prev.isdigit() and nxt.isdigit():
                    continue
                if _cjk(prev) or _cjk(nxt) or (i > 0 and not prev) or nxt == "〔" or prev == "〕":
                    chars[j] = _HALFWIDTH[ch]
                    changed += 1
        seg = "".join(chars)
        # parentheses: a pair holding or following Chinese
        def paren(m: re.Match) -> str:
            nonlocal changed
            inner, before = m.group(1), seg[m.start() - 1] if m.start() else ""
            if any(_cjk(c) for c in inner) or _cjk(before):
                changed += 2
                return f"（{inner}）"
            return m.group()

        seg = re.sub(r"\(([^()]*)\)", paren, seg)
        out.append(re.sub(r"(?<=[\u4e00-\u9fff，。；：）]) +(?=[\u4e00-\u9fff（])", "", seg))
    return "".join(out), changed


def halfwidth_punct(r: Review) -> None:
    r.text, changed = fullwidth(r.text)
    if changed:
        r.note("halfwidth_punct", f"中文中的半角标点已改为全角 {changed} 处")


CHECK_FUNCTIONS: dict[str, Callable[[Review], None]] = {name: globals()[name] for name in PARAGRAPH_CHECKS}


def review_paragraph(text: str, ctx: CheckContext, *, topic: str = "", earlier: set[str] | None = None,
                     no_copy: Iterable[str] = (), borrowed: Iterable[str] = (),
                     only: Iterable[str] | None = None) -> tuple[str, list[ReviewNote]]:
    """Run the paragraph checks (all, or ``only`` these) on ``text``; return the repaired text and notes.
    ``earlier``: clause keys of the draft's earlier paragraphs; ``no_copy``: the unit's own inputs from last
    year (a run of ``copy_input_chars`` is a copy); ``borrowed``: peers' texts (a run over ``copy_chars``)."""
    r = Review(text, ctx, topic, earlier if earlier is not None else set(), [t for t in no_copy if t],
               [t for t in borrowed if t])
    for name in PARAGRAPH_CHECKS:
        if only is None or name in only:
            CHECK_FUNCTIONS[name](r)
    r.text = re.sub(r"^[,，;；:：、。\s]+", "", r.text)
    r.text = re.sub(r"[,，;；:：、]+(?=[。!！?？])", "", r.text).strip()
    if (only is None or "source_talk" in only) and _talks_about_sources(_masked(r.text)):
        r.note("source_talk", "仍有谈论来源的字句,请改写", repaired=False)
    return r.text, r.notes


# --- headings and sections ---------------------------------------------------------------------------------

# A subheading opening with a subordinator is half a sentence (随着…的落实); one opening with the body's
# self-reference or a time is a sentence. (部分干部法治意识有待提高 is a genre heading of a 不足 item.)
SUBORDINATE_START = ("随着", "由于", "通过", "为了", "为", "在", "根据", "按照", "虽然", "如果", "因为", "对于",
                      "关于", "我", "本", "今年", "全年", "上一年度", "针对")
_DANGLING_END = tuple("的了中时后下上等和及与是对把被将在从向")


def heading_problem(heading: str, ctx: CheckContext) -> str:
    """Why ``heading`` is not a subheading (a sentence fragment, too long, a figure…), '' when it is one."""
    s = ctx.settings
    text = heading.strip().rstrip("。")
    if not text:
        return "为空"
    if not s.heading_min_chars <= len(text) <= s.heading_max_chars:
        return f"长度 {len(text)} 字(应为 {s.heading_min_chars}–{s.heading_max_chars} 字)"
    if re.search(r"[,，。;；:：!！?？]", text):
        return "含句内标点,是句子而非标题"
    if text.startswith(SUBORDINATE_START):
        return f"以“{next(w for w in SUBORDINATE_START if text.startswith(w))}”开头,是半句话"
    if text.endswith(_DANGLING_END):
        return f"以“{text[-1]}”结尾,是半句话"
    if find_figures(text):
        return "含数字,是句子而非标题"
    if ctx.org in text or PLACEHOLDER.search(text):
        return "含单位名称或待补充"
    return ""


def review_heading(heading: str, ctx: CheckContext) -> tuple[str, list[ReviewNote]]:
    """A subheading as it will stand: '' (none) when it is a sentence fragment, with a note."""
    heading = fullwidth(heading.strip().rstrip("。"))[0]
    problem = heading_problem(heading, ctx) if heading else ""
    if problem:
        return "", [ReviewNote("item_heading", f"小标题“{heading}”{problem},已去掉")]
    return heading, []


def section_chars(section: DraftSection) -> int:
    return len(_HAN.findall("".join(p.heading + p.text for p in section.paragraphs)))


def empty_sections(sections: list[DraftSection], ctx: CheckContext) -> list[DraftSection]:
    """Sections (other than the opening) with fewer than ``min_section_chars`` Han characters."""
    return [s for s in sections if s.heading and section_chars(s) < ctx.settings.min_section_chars]


def audit_draft(draft, ctx: CheckContext) -> dict[str, int]:
    """What a reviewer would still strike in a finished draft: per check, the number of paragraphs (headings,
    sections) where it finds something. Runs the same checks on the final text and keeps only the counts,
    so a repaired draft audits to zeros and any residue shows."""
    hits: dict[str, int] = dict.fromkeys(ALL_CHECKS, 0)
    earlier: set[str] = set()
    for section in draft.sections:
        for p in section.paragraphs:
            _, notes = review_paragraph(p.text, ctx, topic=p.heading, earlier=earlier)
            for check in {n.check for n in notes}:
                hits[check] += 1
            if p.heading and heading_problem(p.heading, ctx):
                hits["item_heading"] += 1
            earlier.update(clause_keys(p.text, 2 * ctx.settings.repeat_chars))
    hits["empty_section"] = len(empty_sections(draft.sections, ctx))
    return hits


def repair_counts(draft) -> dict[str, int]:
    """Per check, the paragraphs whose text code repaired or flagged while writing (``DraftParagraph.review``)."""
    hits: dict[str, int] = dict.fromkeys(ALL_CHECKS, 0)
    for section in draft.sections:
        for p in section.paragraphs:
            for check in {n.check for n in p.review}:
                hits[check] = hits.get(check, 0) + 1
    return hits
