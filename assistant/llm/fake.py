"""A scripted chat model for unit tests: queued replies, recorded calls, no network."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from assistant.llm.base import Message

Reply = str | Callable[[list[Message]], str]


@dataclass
class FakeCall:
    """One call the fake received: the messages and the keyword arguments it was given."""

    messages: list[Message]
    kwargs: dict = field(default_factory=dict)
    reply: str = ""

    @property
    def prompt(self) -> str:
        """All message contents joined, for easy ``in`` checks in tests."""
        return "\n".join(m.get("content", "") for m in self.messages)


class FakeChatModel:
    """Replies come from a queue, first in first out. A callable reply gets the messages and returns text
    (for fakes that react to the prompt). An empty queue fails loudly, naming the prompt it could not answer.
    """

    def __init__(
        self,
        replies: list[Reply] | None = None,
        name: str = "fake",
        context_window: int = 8192,
    ) -> None:
        self.name = name
        self.context_window = context_window
        self._queue: list[Reply] = list(replies or [])
        self.history: list[FakeCall] = []

    def enqueue(self, *replies: Reply) -> FakeChatModel:
        self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        """Replies still queued (a test can assert every scripted reply was used)."""
        return len(self._queue)

    def _next_reply(self, messages: list[Message], kwargs: dict) -> str:
        call = FakeCall(messages=[dict(m) for m in messages], kwargs=kwargs)
        self.history.append(call)
        if not self._queue:
            last = messages[-1].get("content", "") if messages else ""
            raise AssertionError(
                f"FakeChatModel {self.name!r}: no reply queued for call #{len(self.history)}; "
                f"last message was: {last[:300]!r}"
            )
        reply = self._queue.pop(0)
        text = reply(messages) if callable(reply) else reply
        if not isinstance(text, str):
            raise AssertionError(f"FakeChatModel {self.name!r}: a reply must be str, got {type(text).__name__}")
        call.reply = text
        return text

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        kwargs = {"max_tokens": max_tokens, "temperature": temperature, "stop": stop, "stream": True}
        text = self._next_reply(messages, kwargs)  # taken at call time, like a real request
        return _pieces(text)

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str:
        kwargs = {"max_tokens": max_tokens, "temperature": temperature, "stop": stop, "stream": False}
        return self._next_reply(messages, kwargs)


def _pieces(text: str, n: int = 4) -> Iterator[str]:
    """Split a reply into about ``n`` pieces, so consumers really deal with deltas."""
    if not text:
        return
    step = max(1, -(-len(text) // n))
    for i in range(0, len(text), step):
        yield text[i : i + step]
