"""The prompt a model answers from: prompts/qa.md with the question and the evidence it reads.

The model reads less than is retrieved: a local model on 2 cores reads about 30 prompt tokens a second, so
``shown_to_model`` keeps the best few passages, and for a question asking a figure only the sentences of
each that can hold it. Citations and the guards keep the whole passages (same ids).
"""

from __future__ import annotations

from dataclasses import replace

from assistant.answers.citations import REFUSAL
from assistant.answers.evidence import evidence_block, make_evidence, pack_evidence
from assistant.answers.question import Question
from assistant.figures import find_figures
from assistant.lexicon import SENTENCE
from assistant.llm import context_budget
from assistant.prompts import load_prompt
from assistant.settings import AnswerSettings
from assistant.textnorm import normalize
from assistant.types import Evidence, Hit


def qa_messages(question: str, evidence: list[Evidence]) -> list[dict]:
    # Best passage last, right above the question: small models attend most to what they read last.
    shown = evidence_block(list(reversed(evidence)))
    return load_prompt("qa").render(question=question, evidence=shown, refusal=REFUSAL)


def pack_for_model(question: str, hits: list[Hit], model, max_tokens: int) -> list[Evidence]:
    """Evidence from ``hits`` that fits the model's window next to the prompt and an answer of ``max_tokens``."""
    budget = context_budget(model.context_window, qa_messages(question, []), max_tokens)
    return pack_evidence(make_evidence(hits), budget)


def shown_to_model(question: Question, evidence: list[Evidence], limits: AnswerSettings) -> list[Evidence]:
    """What the model reads of ``evidence`` (best first): the best ``shown_passages``; for a question asking a
    figure the best ``figure_passages``, each cut to its ``figure_sentences`` sentences that fit best, and
    after the best one only those sharing a word of the question's topic: a passage about something else
    only offers a small model another figure of the same unit to copy."""
    if not question.asks_figure:
        return evidence[: limits.shown_passages]
    topic = question.topic_bigrams
    best = evidence[: limits.figure_passages]
    kept = best[:1] + [ev for ev in best[1:] if not limits.figure_on_topic_only or not topic
                       or any(b in normalize(ev.chunk.text) for b in topic)]
    return [_fewer_sentences(ev, question, limits.figure_sentences) for ev in kept]


def _fewer_sentences(ev: Evidence, question: Question, keep: int) -> Evidence:
    """``ev`` showing its ``keep`` sentences that fit ``question`` best — a figure and the question's topic
    first, then most topic bigrams, then a figure — in the passage's order, "…" where sentences were left out."""
    # Each sentence with the mark that ends it (SENTENCE stops before it; a line break is not shown).
    sentences = [m.group() + ev.chunk.text[m.end() : m.end() + 1].strip() for m in SENTENCE.finditer(ev.chunk.text)]
    if len(sentences) <= keep:
        return ev
    topic = question.topic_bigrams

    def fit(i: int) -> tuple:
        text = normalize(sentences[i])
        shared = sum(b in text for b in topic)
        has_figure = any(f.unit != "年" for f in find_figures(sentences[i]))
        return (not (has_figure and shared), -shared, not has_figure, i)

    chosen = sorted(sorted(range(len(sentences)), key=fit)[:keep])
    text, last = "", -1
    for i in chosen:
        text += ("" if i == last + 1 else "…") + sentences[i]
        last = i
    if last != len(sentences) - 1:
        text += "…"
    return Evidence(ev.id, replace(ev.chunk, text=text), ev.score)
