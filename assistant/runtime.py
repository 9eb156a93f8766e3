"""The two long-lived pieces every front end needs — the report library and the chat model — built once.

``Runtime`` is the one lazy holder: the CLI, the UI (``ui.context.AppContext``) and the eval runner
(``evals.targets.EvalContext``) each hold one. A piece is built on first use, under its own lock (a
model loading for a minute does not block library calls), and kept. A failed build is not kept: the
next call tries again, so a Chroma server or model endpoint that comes back is picked up.

``runtime.library()`` / ``runtime.chat_model()`` are the process-wide pieces for ``get_settings()``.
Imports are local so that ``assistant --help`` stays fast and a command only loads what it uses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from assistant.settings import Settings, get_settings


class Runtime:
    """The library and chat model for one ``Settings``, each built on first use and then shared.

    ``library``/``model`` inject ready pieces (tests, an embedding app); ``*_factory`` replaces how a
    piece is built (the eval runner's per-corpus libraries). An injected model may be a LangChain chat
    model: the answer, summary, comparison and drafting entry points accept one (``as_chat_model``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        library: Any = None,
        model: Any = None,
        library_factory: Callable[[], Any] | None = None,
        model_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.settings = settings
        self._library, self._model = library, model
        self._library_factory = library_factory or self._open_library
        self._model_factory = model_factory or self._open_model
        self._library_lock, self._model_lock = threading.Lock(), threading.Lock()

    def library(self):
        """The report library (Chroma + hybrid retrieval); raises ``StoreUnavailable`` when it cannot open."""
        with self._library_lock:
            if self._library is None:
                self._library = self._library_factory()
            return self._library

    def chat_model(self):
        """The chat model; raises ``ModelUnavailable`` (with what to do) when it cannot be built."""
        with self._model_lock:
            if self._model is None:
                self._model = self._model_factory()
            return self._model

    @property
    def opened_library(self):
        """The library if it has been opened (never opens it): for status lines."""
        return self._library

    @property
    def opened_model(self):
        """The chat model if it has been built (never builds it)."""
        return self._model

    def _open_library(self):
        from vectorstore import open_library

        return open_library(self.settings)

    def _open_model(self):
        from assistant.llm import get_chat_model

        return get_chat_model(self.settings)


_default: Runtime | None = None
_default_lock = threading.Lock()


def default() -> Runtime:
    """The process-wide runtime for ``get_settings()``."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Runtime(get_settings())
        return _default


def library():
    """The configured report library, opened once per process."""
    return default().library()


def chat_model():
    """The configured chat model: a LangChain provider, an OpenAI-compatible endpoint, or the local model."""
    return default().chat_model()


def reset() -> None:
    """Forget the process-wide pieces (tests, or after the settings changed)."""
    global _default
    with _default_lock:
        _default = None
