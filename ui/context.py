"""What every tab needs: the settings, the report library and the chat model.

Both are resolved lazily on first use, so the UI starts (and the other tabs keep working) when the
Chroma server or the model endpoint is down. Failures are remembered so the status line can show a
banner; the next successful call clears it. Nothing here holds per-user data: chats and drafts live
in each browser session's ``gr.State``; the library is the only thing shared between sessions.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from assistant.errors import AssistantError, ModelUnavailable, StoreUnavailable
from assistant.settings import Settings, get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class AppContext:
    """Lazily built library and chat model, plus the last error seen from each."""

    settings: Settings
    use_runtime: bool = True  # True: share assistant.runtime's pieces with the rest of the process
    injected_library: Any = None
    injected_model: Any = None
    library_error: str | None = None
    model_error: str | None = None
    library_size: int | None = None  # reports in the library at the last listing
    _library: Any = None
    _model: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings | None = None, library: Any = None, model: Any = None) -> "AppContext":
        return cls(
            settings=settings or get_settings(),
            use_runtime=settings is None,
            injected_library=library,
            injected_model=model,
        )

    # --- the two long-lived pieces -------------------------------------------------------------

    def library(self):
        """The report library; raises StoreUnavailable (remembered for the banner) when it cannot open."""
        if self.injected_library is not None:
            return self.injected_library
        with self._lock:
            if self._library is None:
                try:
                    if self.use_runtime:
                        from assistant import runtime

                        self._library = runtime.library()
                    else:
                        from vectorstore import open_library

                        self._library = open_library(self.settings)
                except AssistantError as exc:
                    self.library_error = str(exc)
                    raise
                except Exception as exc:  # a library that cannot even be built is "unreachable" to the user
                    log.exception("opening the library failed")
                    self.library_error = f"报告库无法打开: {exc}"
                    raise StoreUnavailable(self.library_error) from exc
            return self._library

    def model(self):
        """The chat model; raises ModelUnavailable (remembered for the banner) when it cannot be built."""
        if self.injected_model is not None:
            return self.injected_model
        with self._lock:
            if self._model is None:
                try:
                    if self.use_runtime:
                        from assistant import runtime

                        self._model = runtime.chat_model()
                    else:
                        from assistant.llm import get_chat_model

                        self._model = get_chat_model(self.settings)
                except AssistantError as exc:
                    self.model_error = str(exc)
                    raise
            return self._model

    # --- calls that keep the banner true -------------------------------------------------------

    def with_library(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(library)``; a store failure sets the banner, a success clears it."""
        lib = self.library()
        try:
            result = fn(lib)
        except StoreUnavailable as exc:
            self.library_error = str(exc)
            raise
        self.library_error = None
        return result

    def note_error(self, exc: BaseException) -> None:
        """Remember an error from a model or store call made elsewhere (e.g. inside qa or drafting)."""
        if isinstance(exc, ModelUnavailable):
            self.model_error = str(exc)
        elif isinstance(exc, StoreUnavailable):
            self.library_error = str(exc)

    def note_model_ok(self) -> None:
        self.model_error = None

    def reports(self) -> list:
        """All reports, sorted by body then year; also refreshes the library size for the status line."""
        reports = self.with_library(lambda lib: lib.reports())
        reports = sorted(reports, key=lambda r: (r.meta.org, r.meta.year))
        self.library_size = len(reports)
        return reports
