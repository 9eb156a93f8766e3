"""Questions answered from the library, with citations that cannot lie and numbers that are checked.

The chain (LangChain, kept behind thin seams):

    question ─► resolve follow-up ─► LibraryRetriever (Library.search, hybrid) ─► Evidence [ev-…]
             ─► pack within the model's window ─► prompts/qa.md ─► ChatModelRunnable (streams)
             ─► check_reply: ids → [1][2] citations, invented ids dropped, refusal, number grounding

``stream_answer`` yields text deltas as the model writes them (raw, with ``[ev-…]`` ids), then the
final, checked ``Answer`` as its last item; show ``Answer.text`` once it arrives.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda, RunnableParallel, RunnablePassthrough
from pydantic import ConfigDict

from assistant.citations import REFUSAL, check_reply, evidence_block, make_evidence, pack_evidence
from assistant.errors import BadInput
from assistant.figures import find_figures, same_figure
from assistant.followup import History, resolve_question
from assistant.llm import context_budget
from assistant.prompts import load_prompt
from assistant.scope import out_of_scope
from assistant.settings import get_settings
from assistant.types import Answer, Evidence, Hit, SearchFilter

__all__ = ["REFUSAL", "answer", "stream_answer", "LibraryRetriever", "ChatModelRunnable", "build_prepare_chain"]

ANSWER_MAX_TOKENS = 512
MAX_QUESTION_CHARS = 500


class LibraryRetriever(BaseRetriever):
    """LangChain's view of ``Library.search``: documents carry our ``Hit`` in their metadata.

    ``applied_filter`` holds the filter the library actually used (read off the question when
    ``search_filter`` is None), so the answer can say what it searched.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    library: Any
    search_filter: SearchFilter | None = None
    k: int = 8
    applied_filter: SearchFilter | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        # None: read the scope off the question. An empty filter: the user cleared it, search everything.
        given = self.search_filter
        result = self.library.search(query, filter=given, k=self.k, infer=given is None)
        self.applied_filter = result.filter
        return [Document(page_content=h.chunk.text, metadata={"hit": h, "chunk_id": h.chunk.id}) for h in result.hits]


class ChatModelRunnable(Runnable[list[dict], str]):
    """Our ``ChatModel`` as a LangChain Runnable: ``invoke`` completes, ``stream`` yields deltas."""

    def __init__(self, model, max_tokens: int = ANSWER_MAX_TOKENS, temperature: float | None = None) -> None:
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature

    def invoke(self, input: list[dict], config: RunnableConfig | None = None, **kwargs: Any) -> str:
        return self.model.complete(input, max_tokens=self.max_tokens, temperature=self.temperature)

    def stream(self, input: list[dict], config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[str]:
        yield from self.model.stream(input, max_tokens=self.max_tokens, temperature=self.temperature)


@dataclass
class Prepared:
    """Everything decided before the model writes: the evidence it sees and the messages it gets."""

    question: str
    evidence: list[Evidence]
    messages: list[dict]
    filter: SearchFilter | None


def qa_messages(question: str, evidence: list[Evidence]) -> list[dict]:
    # Best passage last, right above the question: small models attend most to what they read last.
    shown = evidence_block(list(reversed(evidence)))
    return load_prompt("qa").render(question=question, evidence=shown, refusal=REFUSAL)


def pack_for_model(question: str, hits: list[Hit], model, max_tokens: int = ANSWER_MAX_TOKENS) -> list[Evidence]:
    """Evidence from ``hits`` that fits the model's window next to the prompt and the answer."""
    budget = context_budget(model.context_window, qa_messages(question, []), max_tokens)
    return pack_evidence(make_evidence(hits), budget)


def build_prepare_chain(library, model, search_filter: SearchFilter | None = None, k: int | None = None) -> Runnable:
    """question → ``Prepared`` (retrieve, make evidence, pack, render the prompt)."""
    retriever = LibraryRetriever(library=library, search_filter=search_filter, k=k or get_settings().retrieval.k)

    def prepare(x: dict) -> Prepared:
        hits = [doc.metadata["hit"] for doc in x["docs"]]
        evidence = pack_for_model(x["question"], hits, model)
        return Prepared(x["question"], evidence, qa_messages(x["question"], evidence), retriever.applied_filter)

    return RunnableParallel(question=RunnablePassthrough(), docs=retriever) | RunnableLambda(prepare)


# Words that say nothing about the topic: question words, particles, and the domain's ubiquitous terms.
_NOT_TOPICAL = re.compile(
    r"(?:19|20)\d{2}年?度?|多少|哪些|哪个|什么|是否|有没有|如何|怎样|怎么|几|吗|呢|了|的|是|有|共|一共|"
    r"情况|工作|开展|推进|法治|政府|建设|报告|年度|去年|今年|全年|[\s\d,，。.?？!！、:：;；()（）“”\"']"
)


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


# A question that asks for a count or amount; its answer is a figure, and the figure must be about it.
ASKS_FIGURE = re.compile(r"多少|几[件个次名人项场户条份万]|数量|总数|比例|百分之")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+")


def off_topic_figures(question: str, text: str, quotes: list[str], evidence: list[Evidence], orgs: list[str]) -> list[str]:
    """Figures of an answer whose sentences in the cited quotes share no distinctive topical word with
    the question ("徐行镇调解矛盾纠纷多少件?" answered with a training count that happens to be cited).

    Distinctive: a bigram of the question's topic that is not in most of the passages shown (行政, 执法 …
    are in nearly every one). Years and figures the question itself gives are not checked.
    """
    topic = topical_bigrams(question, orgs)
    if len(evidence) >= 4:
        common = {b for b in topic if sum(b in ev.chunk.text for ev in evidence) * 2 > len(evidence)}
        topic -= common
    asked = find_figures(question)
    off: list[str] = []
    for fig in find_figures(text):
        if fig.unit == "年" or any(same_figure(fig, a) for a in asked):
            continue
        sentences = [s for q in quotes for s in _SENTENCE.findall(q) if any(same_figure(fig, f) for f in find_figures(s))]
        if sentences and not any(b in s for s in sentences for b in topic):
            off.append(fig.text)
    return off


def _check_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise BadInput("问题不能为空,请输入要查询的内容。")
    if len(q) > MAX_QUESTION_CHARS:
        raise BadInput(f"问题太长({len(q)}字),请控制在{MAX_QUESTION_CHARS}字以内。")
    return q


def stream_answer(
    question: str,
    *,
    library,
    model,
    history: History | None = None,
    filter: SearchFilter | None = None,
) -> Iterator[str | Answer]:
    """Yield text deltas as the model writes, then the checked ``Answer`` (always the last item)."""
    started = time.perf_counter()
    standalone = resolve_question(_check_question(question), history, library, model)
    reports = library.reports()
    note = out_of_scope(standalone, [(r.meta.org, r.meta.year) for r in reports]) if filter is None else None
    if note:
        # A body or year the library has no report on: any passage found would be another's. Say so.
        yield REFUSAL
        elapsed = time.perf_counter() - started
        yield Answer(question=standalone, text=REFUSAL, citations=[], evidence=[], refused=True, scope_note=note,
                     settings_hash=get_settings().fingerprint_hash(), model=getattr(model, "name", ""),
                     seconds_to_first_token=elapsed, seconds_total=elapsed)
        return
    prepared: Prepared = build_prepare_chain(library, model, filter).invoke(standalone)
    base = dict(
        question=standalone,
        evidence=prepared.evidence,
        filter=prepared.filter,
        settings_hash=get_settings().fingerprint_hash(),
        model=getattr(model, "name", ""),
    )
    orgs = sorted({r.meta.org for r in reports})
    if not prepared.evidence or not has_support(standalone, prepared.evidence, orgs):
        # Nothing retrieved that could answer: refuse without asking the model to guess.
        yield REFUSAL
        elapsed = time.perf_counter() - started
        yield Answer(text=REFUSAL, citations=[], refused=True, seconds_to_first_token=elapsed,
                     seconds_total=elapsed, **base)
        return

    parts: list[str] = []
    first: float | None = None
    for delta in ChatModelRunnable(model).stream(prepared.messages):
        if not delta:
            continue
        if first is None:
            first = time.perf_counter() - started
        parts.append(delta)
        yield delta
    checked = check_reply("".join(parts), prepared.evidence)
    off = []
    if not checked.refused and ASKS_FIGURE.search(standalone):
        off = off_topic_figures(standalone, checked.text, [c.quote for c in checked.citations], prepared.evidence, orgs)
    if off and len(off) == len([f for f in find_figures(checked.text) if f.unit != "年"]):
        # Every figure given sits in a sentence about something else: the reports do not answer this.
        yield Answer(text=REFUSAL, citations=[], refused=True, invented_ids=checked.invented_ids,
                     scope_note=f"模型给出的数字({'、'.join(off)})在所引原文中说的是别的事项,不是所问的内容,"
                     f"已按“没有找到”处理。",
                     seconds_to_first_token=first, seconds_total=time.perf_counter() - started, **base)
        return
    yield Answer(
        text=checked.text,
        citations=checked.citations,
        refused=checked.refused,
        uncited=checked.uncited,
        invented_ids=checked.invented_ids,
        ungrounded=checked.ungrounded,
        seconds_to_first_token=first,
        seconds_total=time.perf_counter() - started,
        **base,
    )


def answer(
    question: str,
    *,
    library,
    model,
    history: History | None = None,
    filter: SearchFilter | None = None,
) -> Answer:
    """The checked answer to ``question`` (see ``stream_answer``)."""
    final: Answer | None = None
    for item in stream_answer(question, library=library, model=model, history=history, filter=filter):
        if isinstance(item, Answer):
            final = item
    assert final is not None  # stream_answer always ends with an Answer
    return final
