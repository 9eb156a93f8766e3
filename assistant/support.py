"""Does the retrieved material support an answer? Checked by code, before and after the model writes.

Before: a question that shares no topical word with any passage is refused without the model.
After: a count question ("…多少件?") answered only with figures that are in no passage shown, or that
sit in sentences about something else, is an invented answer (measured with the 1.5B model: "荆家镇
2023年受理行政复议案件⚠1件⚠", "徐行镇2024年调解矛盾纠纷⚠10件⚠"). So is a reply that repeats the
prompt's made-up example. These become refusals, with the reason, so a user never reads a made-up count.
"""

from __future__ import annotations

import re

from assistant.figures import find_figures, same_figure, units_compatible
from assistant.types import Evidence, Figure

# Words that say nothing about the topic: question words, particles, and the domain's ubiquitous terms.
_NOT_TOPICAL = re.compile(
    r"(?:19|20)\d{2}年?度?|多少|哪些|哪个|什么|是否|有没有|如何|怎样|怎么|几|吗|呢|了|的|是|有|共|一共|"
    r"情况|工作|开展|推进|法治|政府|建设|报告|年度|去年|今年|全年|[\s\d,，。.?？!！、:：;；()（）“”\"']"
)
# A question that asks for a count or amount: its answer is a figure, and the figure must be about it.
ASKS_FIGURE = re.compile(r"多少|几[件个次名人项场户条份万]|数量|总数|比例|百分之")
SENTENCE = re.compile(r"[^。；;！？!?\n]+")  # a sentence or clause of report text, without its end
# The bodies of the few-shot examples in prompts/qa.md: made up, so they are in no real answer.
EXAMPLE_BODIES = ("样例镇", "样例乡")


def topical_bigrams(question: str, orgs: list[str]) -> set[str]:
    """Character bigrams of what the question is about (bodies, years and question words removed)."""
    from vectorstore.filters import short_forms

    q = question
    for org in orgs:
        for surface in sorted([org, *short_forms(org)], key=len, reverse=True):
            q = q.replace(surface, " ")
    parts = [p for p in _NOT_TOPICAL.split(q) if p]
    return {p[i : i + 2] for p in parts for i in range(len(p) - 1)}


def has_support(question: str, evidence: list[Evidence], orgs: list[str]) -> bool:
    """False when no passage shares a single topical word with the question: nothing to answer from.

    Deliberately lenient (one shared bigram is enough): it only spares the model questions the
    retrieved text cannot possibly answer ("…新建了多少公里高速公路?"); the model judges the rest.
    """
    topic = topical_bigrams(question, orgs)
    if not topic:
        return True  # nothing topical to check ("那徐行镇呢?" unresolved): let the model judge
    return any(bigram in ev.chunk.text for ev in evidence for bigram in topic)


def _sentences_with(fig, texts: list[str]) -> list[str]:
    return [s for t in texts for s in SENTENCE.findall(t) if any(same_figure(fig, f) for f in find_figures(s))]


def distinctive_topic(question: str, shown: list[str], orgs: list[str]) -> set[str]:
    topic = topical_bigrams(question, orgs)
    if len(shown) >= 4:
        topic -= {b for b in topic if sum(b in t for t in shown) * 2 > len(shown)}
    return topic


def unsupported_figures(question: str, text: str, quotes: list[str], evidence: list[Evidence], orgs: list[str]) -> list[str]:
    """Figures of an answer that no passage shown supports as an answer to ``question``: in no passage at
    all, or only in sentences that share no distinctive topical word with the question (the cited quotes
    are read first, then every passage shown).

    Distinctive: a bigram of the question's topic that is not in most of the passages shown (行政, 执法 …
    are in nearly every one). Years and figures the question itself gives are not checked.
    """
    shown = [ev.chunk.text for ev in evidence]
    topic = distinctive_topic(question, shown, orgs)
    asked = find_figures(question)
    out: list[str] = []
    for fig in find_figures(text):
        if fig.unit == "年" or any(same_figure(fig, a) for a in asked):
            continue
        sentences = _sentences_with(fig, quotes) or _sentences_with(fig, shown)
        if not any(b in s for s in sentences for b in topic):
            out.append(fig.text)
    return out


def topical_figures(question: str, evidence: list[Evidence], orgs: list[str]) -> list[Figure]:
    """Figures the passages shown give in sentences about the question's topic: what a right answer
    could be. None of them means the material holds no such count (nothing for the model to mis-copy)."""
    shown = [ev.chunk.text for ev in evidence]
    topic = distinctive_topic(question, shown, orgs)
    return [f for t in shown for s in SENTENCE.findall(t) if any(b in s for b in topic) for f in find_figures(s)
            if f.unit != "年"]


def answer_figures(question: str, text: str) -> list[Figure]:
    """The figures an answer states (years and the question's own figures left out)."""
    asked = find_figures(question)
    return [f for f in find_figures(text) if f.unit != "年" and not any(same_figure(f, a) for a in asked)]


def invented_count(question: str, text: str, quotes: list[str], evidence: list[Evidence], orgs: list[str]) -> list[str]:
    """For a count question: the answer's figures when every one is unsupported and the material gives no
    figure of that kind on the topic at all (so it is not a mis-copied 903 for 930件, which stays marked ⚠
    next to its passage, but a count the reports do not have). Empty otherwise."""
    if not ASKS_FIGURE.search(question):
        return []
    given = answer_figures(question, text)
    unsupported = unsupported_figures(question, text, quotes, evidence, orgs)
    if not given or len(unsupported) < len(given):
        return []
    candidates = topical_figures(question, evidence, orgs)
    if any(units_compatible(g.unit, c.unit) for g in given for c in candidates):
        return []
    return unsupported


def echoes_example(text: str) -> bool:
    """The reply repeats the prompt's made-up example instead of answering from the material."""
    return any(name in text for name in EXAMPLE_BODIES)
