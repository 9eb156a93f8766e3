"""The one seam every caller talks to: a chat model that streams text deltas."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

Message = dict[str, str]  # OpenAI-style: {"role": "system"|"user"|"assistant", "content": "..."}


@runtime_checkable
class ChatModel(Protocol):
    """A chat model. ``stream`` yields text deltas; ``complete`` returns the whole reply.

    ``temperature=None`` means "the configured default" (settings.llm.temperature for real models).
    """

    name: str
    context_window: int  # tokens the model can see (prompt + completion)

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]: ...

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str: ...
