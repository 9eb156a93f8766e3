"""Turn a model reply into one clean paragraph: markdown, labels, list marks, an echoed task title, an
unfilled sentence pattern ("……") and a cut-off tail removed. What a reviewer would strike in the words
themselves is assistant/drafting/review.py's job.
"""

from __future__ import annotations

import re

HEADING_MAX = 24  # a first sentence this short may be a subheading the model wrote anyway

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
_PATTERN_GAP = re.compile(r"…|\.{3}")  # the prompt's 句式 with its gaps left unfilled
_ANY_PLACEHOLDER = re.compile(r"[〔【\[(（]\s*待补充[^〕】\])）]*[〕】\])）]")  # "…" inside one is the model's label


def clean_reply(text: str) -> str:
    """One paragraph of plain text: markdown, list marks, labels and line breaks removed, a cut-off tail trimmed."""
    lines = [_LABEL.sub("", _MARKDOWN.sub("", line).strip()) for line in text.replace("\r", "").split("\n")]
    joined = _LEADING_MARKER.sub("", "".join(line for line in lines if line))
    joined = _TITLE_ECHO.sub("", _BRACKET_LABEL.sub("", joined))
    joined = _INLINE_NUMBER.sub("", joined)
    joined = "".join(s for s in _SENTENCE.findall(joined) if not _PATTERN_GAP.search(_ANY_PLACEHOLDER.sub("", s)))
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
