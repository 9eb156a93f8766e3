"""Turn a model reply into one clean paragraph, and drop what the model copied instead of writing.

Small models often echo the task ("2025年主要举措和成效:…"), repeat a sentence, or paste last year's
text back as this year's results. Copies are found by shared character runs on the matching form of the
text (full-width and ASCII punctuation unified), sentence by sentence.
"""

from __future__ import annotations

import re

from assistant.drafting.checks import PLACEHOLDER
from assistant.textnorm import normalize

HEADING_MAX = 24  # a first sentence this short is the unit's run-in subheading
ECHO_RUN = 12  # characters shared with the prompt's own instructions → the sentence is an echo
COPY_RUN = 16  # characters shared with a text that must not be copied (last year's plan) → a copy

_MARKDOWN = re.compile(r"^\s*(?:#+\s*|[-*•]\s+|>\s*)|\*\*|__|`")
_LEADING_MARKER = re.compile(r"^\s*(?:[\(（][一二三四五六七八九十\d]+[\)）]|[一二三四五六七八九十]+、|\d+[、.．])\s*")
_INLINE_NUMBER = re.compile(r"(?<=[。;；:：\s])\d{1,2}[.．、]\s*(?=[\u4e00-\u9fff])")  # "…。2. 加强…" list marks
_LABEL = re.compile(r"^(?:小标题|标题|正文)[:：]\s*")  # small models sometimes label their parts
_TASK_ECHO = re.compile(r"^[^。:：]{0,30}(?:举措和成效|存在的不足|主要安排|有关情况|原因分析)[^。:：]{0,6}[:：]")
# A bracketed label the model puts before its text ("【执法培训与案卷评查】我镇…"), and the section title
# echoed as an opening ("2026年推进法治政府建设的主要安排为解决…").
_BRACKET_LABEL = re.compile(r"^\s*【(?!\s*待补充)[^】〔]{1,30}】\s*")
_TITLE_ECHO = re.compile(r"^(?:20\d{2}年)?推进法治政府建设的?(?:主要安排|主要举措和成效|存在的不足和原因)[:：,，。]?")
_SENTENCE = re.compile(r"[^。!！?？]*[。!！?？]|[^。!！?？]+$")
_SENTENCE_END = "。!！?？〕”"


def clean_reply(text: str) -> str:
    """One paragraph of plain text: markdown, list marks, labels and line breaks removed, a cut-off tail trimmed."""
    lines = [_LABEL.sub("", _MARKDOWN.sub("", line).strip()) for line in text.replace("\r", "").split("\n")]
    joined = _LEADING_MARKER.sub("", "".join(line for line in lines if line))
    joined = _TITLE_ECHO.sub("", _BRACKET_LABEL.sub("", joined))
    joined = _INLINE_NUMBER.sub("", joined)
    if joined and joined[-1] not in _SENTENCE_END:  # stopped at max_tokens mid-sentence
        cut = max(joined.rfind(c) for c in "。!！?？〕")
        joined = joined[: cut + 1] if cut >= len(joined) // 3 else joined.rstrip(",，、;；:：") + "。"
    return joined


def split_heading(text: str) -> tuple[str, str]:
    """``强化组织领导。正文…`` → (强化组织领导, 正文…) when the first sentence is short enough to be a title."""
    head, sep, rest = text.partition("。")
    head = _LEADING_MARKER.sub("", head).strip()
    if sep and 2 <= len(head) <= HEADING_MAX and rest.strip() and "〔" not in head:
        return head, _TASK_ECHO.sub("", rest.strip())
    return "", _TASK_ECHO.sub("", text)


def _runs(text: str, n: int) -> set[str]:
    flat = re.sub(r"\s+", "", normalize(text))
    return {flat[i : i + n] for i in range(len(flat) - n + 1)}


def _shares_run(sentence: str, runs: set[str], n: int) -> bool:
    return bool(runs) and not _runs(sentence, n).isdisjoint(runs)


def drop_copies(text: str, *, instructions: str, no_copy: list[str]) -> tuple[str, int]:
    """Remove sentences that echo the instructions, copy a ``no_copy`` text, or repeat an earlier sentence.
    Sentences holding a placeholder are kept (the instructions ask for them). Returns text and count dropped."""
    echo, copy = _runs(instructions, ECHO_RUN), set().union(*(_runs(t, COPY_RUN) for t in no_copy)) if no_copy else set()
    kept, seen, dropped = [], set(), 0
    for sentence in _SENTENCE.findall(text):
        key = normalize(sentence).strip()
        if not key:
            continue
        if not PLACEHOLDER.search(sentence) and (
            key in seen or _shares_run(sentence, echo, ECHO_RUN) or _shares_run(sentence, copy, COPY_RUN)
        ):
            dropped += 1
            continue
        seen.add(key)
        kept.append(sentence)
    return "".join(kept), dropped
