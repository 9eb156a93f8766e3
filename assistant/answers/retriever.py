"""The report library as a LangChain retriever: ``Library.as_retriever(filter=…)`` returns a ``LibraryRetriever``.

It searches like ``ask`` does (hybrid BM25 + dense; unless a filter is given, the filter is the question's
own, from ``question.parse_question``) and returns LangChain ``Document``s whose metadata say where each
passage is from, so a LangChain user can put the library into their own chains; the answer Runnable
(``assistant.answers.runnable``) takes the same retriever to decide what the checked answer searches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.types import Hit, Part, SearchFilter


class LibraryRetriever(BaseRetriever):
    """``Library.search`` as a ``BaseRetriever``.

    ``search_filter=None`` reads the scope (body, year, part) off each question; an empty ``SearchFilter()``
    searches every report. ``k=None`` uses ``settings.retrieval.k``. Holds no per-query state, so one
    retriever may serve several threads.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    library: Any
    search_filter: SearchFilter | None = None
    k: int | None = None

    def search(self, query: str):
        """The library's full ``SearchResult`` (hits and the filter actually applied)."""
        from assistant.answers.question import parse_question
        from assistant.settings import get_settings

        applied = self.search_filter
        if applied is None:
            applied = parse_question(query, [(e.org, e.year) for e in self.library.catalog()]).search_filter()
        return self.library.search(query, filter=applied, k=self.k or get_settings().retrieval.k, infer=False)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.search(query)
        return [hit_document(h, result.filter) for h in result.hits]


@dataclass
class Retrieved:
    """Passages found earlier (e.g. by this retriever in a LangChain chain)."""

    hits: list[Hit]


def from_documents(documents: list[Document]) -> Retrieved:
    """The hits behind documents this retriever returned. Other documents cannot be cited (no report, part
    or offsets), so they are refused with the reason."""
    from assistant.errors import BadInput

    hits = [d.metadata.get("hit") for d in documents]
    if not all(isinstance(h, Hit) for h in hits):
        raise BadInput("context 中的文档不是报告库检索的结果(Library.as_retriever()),无法标注出处。")
    return Retrieved(hits)


def hit_document(hit: Hit, applied: SearchFilter | None = None) -> Document:
    """A search hit as a Document: the passage text, where it is from, the ``Hit`` itself and the filter
    the search applied."""
    c = hit.chunk
    return Document(
        page_content=c.text,
        id=c.id,
        metadata={
            "org": c.org,
            "year": c.year,
            "part": Part(c.part).value,
            "heading": " / ".join(c.heading_path),
            "report_id": c.report_id,
            "chunk_id": c.id,
            "score": hit.score,
            "hit": hit,
            "search_filter": applied,
        },
    )
