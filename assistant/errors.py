"""Errors a user may see. Their message is the whole story: the CLI and UI print it without a traceback."""


class AssistantError(Exception):
    """Base for errors with a clear, user-facing message (Chinese first; what to do next)."""


class BadInput(AssistantError):
    """A file, question or setting the assistant cannot use. Nothing was stored."""


class ModelUnavailable(AssistantError):
    """The chat or embedding model cannot be reached or loaded."""


class StoreUnavailable(AssistantError):
    """The Chroma store (embedded or server) cannot be reached or opened."""


class EmbeddingMismatch(AssistantError):
    """The library was built with a different embedding model than the one configured."""
