"""The prompt a model answers from: prompts/qa.md with the question and the evidence that fits its window."""

from __future__ import annotations

from assistant.answers.citations import REFUSAL
from assistant.answers.evidence import evidence_block, make_evidence, pack_evidence
from assistant.llm import context_budget
from assistant.prompts import load_prompt
from assistant.types import Evidence, Hit

ANSWER_MAX_TOKENS = 512


def qa_messages(question: str, evidence: list[Evidence]) -> list[dict]:
    # Best passage last, right above the question: small models attend most to what they read last.
    shown = evidence_block(list(reversed(evidence)))
    return load_prompt("qa").render(question=question, evidence=shown, refusal=REFUSAL)


def pack_for_model(question: str, hits: list[Hit], model, max_tokens: int = ANSWER_MAX_TOKENS) -> list[Evidence]:
    """Evidence from ``hits`` that fits the model's window next to the prompt and the answer."""
    budget = context_budget(model.context_window, qa_messages(question, []), max_tokens)
    return pack_evidence(make_evidence(hits), budget)
