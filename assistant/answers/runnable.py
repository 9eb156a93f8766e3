"""The LangChain seam: the whole checked answer (``pipeline.stream_answer``) as one Runnable."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from langchain_core.runnables import Runnable, RunnableConfig

from assistant.answers.followup import History
from assistant.answers.pipeline import AnswerChunk, stream_answer
from assistant.answers.retriever import LibraryRetriever, from_documents
from assistant.errors import BadInput
from assistant.llm import as_chat_model
from assistant.types import Answer, SearchFilter


class AnswerRunnable(Runnable[str | Mapping[str, Any], Answer]):
    """The checked answer as a LangChain Runnable.

    Input: the question, or ``{"question": …, "history": [(question, answer_text), …], "context": [Document…]}``
    — ``context`` being what ``retriever`` returned earlier in a chain (LangChain's usual
    ``{"question": RunnablePassthrough(), "context": retriever} | …``); without it the Runnable searches
    the retriever's library itself. ``model`` is our ``ChatModel`` or any LangChain ``BaseChatModel``.
    ``stream`` yields ``str`` deltas (raw, still with ``[ev-…]`` ids; ``citations.hide_ids`` hides them),
    ``AnswerPhase`` events, and the checked ``Answer`` last.
    """

    def __init__(self, retriever: LibraryRetriever, model) -> None:
        self.retriever = retriever
        self.model = as_chat_model(model)

    def stream(self, input: str | Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[AnswerChunk]:
        question, history, context = _parse_input(input)
        yield from stream_answer(
            question, library=self.retriever.library, model=self.model, history=history,
            filter=self.retriever.search_filter, k=self.retriever.k,
            searched=from_documents(context) if context is not None else None,
        )  # fmt: skip

    def invoke(self, input: str | Mapping[str, Any], config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        final = None
        for item in self.stream(input, config):
            final = item
        assert isinstance(final, Answer)  # stream_answer always ends with an Answer
        return final


def answer_runnable(library, model, *, filter: SearchFilter | None = None, k: int | None = None) -> AnswerRunnable:
    """The answer Runnable over ``library`` (``filter=None``: scope read off each question)."""
    return AnswerRunnable(LibraryRetriever(library=library, search_filter=filter, k=k), model)


def _parse_input(input: str | Mapping[str, Any]) -> tuple[str, History | None, list | None]:
    if isinstance(input, str):
        return input, None, None
    if isinstance(input, Mapping) and "question" in input:
        return input["question"], input.get("history"), input.get("context")
    raise BadInput("回答需要一个问题: 传入问题文字,或 {\"question\": 问题, \"history\": 之前的问答, \"context\": 检索结果}。")
