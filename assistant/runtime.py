"""The long-lived pieces a CLI command or the UI needs, built once per process from the settings.

Imports are local so that `assistant --help` stays fast and a command only loads what it uses
(Chroma, the embedding model and the local chat model are each slow to start).
"""

from __future__ import annotations

from functools import lru_cache

from assistant.settings import get_settings


@lru_cache(maxsize=1)
def library():
    """The report library (Chroma + hybrid retrieval) configured by the settings."""
    from vectorstore import open_library

    return open_library(get_settings())


@lru_cache(maxsize=1)
def chat_model():
    """The chat model: a configured OpenAI-compatible endpoint, or the embedded local model."""
    from assistant.llm import get_chat_model

    return get_chat_model(get_settings())


def reset() -> None:
    """Forget cached pieces (tests, or after the settings changed)."""
    library.cache_clear()
    chat_model.cache_clear()
