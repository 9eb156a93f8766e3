"""What every tab needs: the settings, the report library and the chat model.

Both come from an ``assistant.runtime.Runtime`` (the process-wide one when the UI runs with the
configured settings), built lazily on first use, so the UI starts (and the other tabs keep working) when
the Chroma server or the model endpoint is down. Failures are remembered so the status line can show a
banner; the next successful call clears it. Nothing here holds per-user data: chats and drafts live in
each browser session's ``gr.State``; the library is the only thing shared between sessions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from assistant import runtime as runtime_module
from assistant.errors import AssistantError, ModelUnavailable, StoreUnavailable
from assistant.runtime import Runtime
from assistant.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class AppContext:
    """The runtime's library and chat model, plus the last error seen from each."""

    settings: Settings
    runtime: Runtime
    injected_library: Any = None
    injected_model: Any = None
    library_error: str | None = None
    model_error: str | None = None
    library_size: int | None = None  # reports in the library at the last listing

    @classmethod
    def create(cls, settings: Settings | None = None, library: Any = None, model: Any = None) -> "AppContext":
        """``settings=None``: share the process-wide runtime (what the CLI uses too); else a runtime of its own."""
        shared = runtime_module.default() if settings is None else None
        if shared is not None and library is None and model is None:
            rt = shared
        elif shared is not None:  # an injected piece; the other one is still the process-wide one
            rt = Runtime(shared.settings, library=library, model=model,
                         library_factory=shared.library, model_factory=shared.chat_model)
        else:
            rt = Runtime(settings, library=library, model=model)
        return cls(settings=rt.settings, runtime=rt, injected_library=library, injected_model=model)

    @property
    def opened_library(self) -> Any:
        """The library if it is open already (never opens it)."""
        return self.runtime.opened_library

    # --- the two long-lived pieces -------------------------------------------------------------

    def library(self):
        """The report library; raises StoreUnavailable (remembered for the banner) when it cannot open."""
        try:
            return self.runtime.library()
        except AssistantError as exc:
            self.library_error = str(exc)
            raise
        except Exception as exc:  # a library that cannot even be built is "unreachable" to the user
            log.exception("opening the library failed")
            self.library_error = f"报告库无法打开: {exc}"
            raise StoreUnavailable(self.library_error) from exc

    def model(self):
        """The chat model; raises ModelUnavailable (remembered for the banner) when it cannot be built."""
        try:
            return self.runtime.chat_model()
        except AssistantError as exc:
            self.model_error = str(exc)
            raise

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

    def catalog(self) -> list:
        """One light entry per report (``Library.catalog``: nothing decoded), by body then year; also refreshes
        the library size for the status line. Use this to list or pick reports."""
        entries = sorted(self.with_library(lambda lib: lib.catalog()), key=lambda e: (e.org, e.year))
        self.library_size = len(entries)
        return entries

