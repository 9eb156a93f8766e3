"""How a text reads against the genre: sentence length, concrete paragraphs, filler.

Measured the same way on the sample reports and on a draft (bench/bench_draft.py), so a draft can be
compared with what real reports of the genre look like:
- ``sentence_chars``: mean Han characters per sentence (。！？; end a sentence);
- ``concrete_share``: share of paragraphs stating a figure (a count, rate, amount; years do not count) or
  leaving a 〔待补充:…〕 placeholder where one belongs;
- ``filler_share``: share of sentences holding a stock phrase that says nothing checkable (取得了显著成效,
  得到了有效提升 …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from statistics import mean

from assistant.drafting.checks import PLACEHOLDER
from assistant.figures import find_figures

# Stock phrases a reviewer reads as filler: praise with nothing a reader could check.
FILLER_PHRASES = (
    "取得了显著成效", "取得显著成效", "取得了明显成效", "取得明显成效", "取得了积极成效", "取得积极成效",
    "取得了良好效果", "取得良好效果", "成效显著", "效果良好", "得到了有效提升", "得到有效提升", "得到了显著提升",
    "得到显著提升", "得到了广泛认可", "广泛认可", "显著提升", "有效提升", "不断提升", "明显提高", "显著提高",
    "营造了良好氛围", "良好氛围",
)
MIN_PARAGRAPH_CHARS = 20  # shorter lines are headings, not paragraphs
_SENTENCE = re.compile(r"[^。！？!?；;]+[。！？!?；;]?")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _han(text: str) -> int:
    return len(_HAN.findall(text))


def _concrete(paragraph: str) -> bool:
    if PLACEHOLDER.search(paragraph):
        return True
    return any(not (f.unit == "年" and 1990 <= f.value <= 2100) for f in find_figures(paragraph))


def style_profile(paragraphs: Iterable[str]) -> dict[str, float]:
    """The three style measures over ``paragraphs`` (lines shorter than MIN_PARAGRAPH_CHARS are skipped)."""
    paras = [p for p in paragraphs if _han(PLACEHOLDER.sub("", p)) >= MIN_PARAGRAPH_CHARS]
    sentences = [s for p in paras for s in _SENTENCE.findall(PLACEHOLDER.sub("〔〕", p)) if _han(s) >= 4]
    if not paras or not sentences:
        return {"paragraphs": len(paras), "sentence_chars": 0.0, "concrete_share": 0.0, "filler_share": 0.0}
    return {
        "paragraphs": len(paras),
        "sentence_chars": round(mean(_han(s) for s in sentences), 1),
        "concrete_share": round(sum(_concrete(p) for p in paras) / len(paras), 3),
        "filler_share": round(sum(any(f in s for f in FILLER_PHRASES) for s in sentences) / len(sentences), 3),
    }


def draft_paragraphs(draft) -> list[str]:
    """A draft's body paragraphs (the opening left out: it is a fixed formula), each as read."""
    return [p.heading + "。" + p.text if p.heading else p.text
            for s in draft.sections if s.heading for p in s.paragraphs]
