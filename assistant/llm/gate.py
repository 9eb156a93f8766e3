"""One queue in front of each model: requests take turns first come, first served, and a waiting caller
can see how many requests are ahead of it.

Why: the embedded llama.cpp server answers one request at a time well on a few CPU cores — two at once
split the cores, both get slower, and its prompt cache keeps one prompt warm. So every call to it (an
answer, a follow-up's condensing, a draft section, a summary) waits for its turn in one process-wide
``ModelGate`` with one slot. A configured endpoint gets ``ASSISTANT_LLM_CONCURRENCY`` slots.

A ``Waiter`` is one user's side of the queue (one page's question, one draft). ``waiter.bind(model)`` gives
a model whose calls carry the waiter through any gate; while such a call waits, ``waiter.ahead`` is the
number of requests before it (running ones included) and ``waiter.line()`` the line a page shows
("排队中:前面还有 2 个请求"). ``waiter.cancel()`` — the page stopped or went away — takes a waiting request
out of the queue at once and cuts a running one off at its connection, so no work is left running for
nobody; later calls through the waiter fail with ``QueueCancelled`` instead of queueing again.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.errors import AssistantError
from assistant.llm.base import Message

QUEUE_LINE = "排队中:前面还有 {ahead} 个请求"


class QueueCancelled(AssistantError):
    """The request's page stopped or went away: it was taken out of the queue (or cut off while running)."""

    def __init__(self, message: str = "请求已取消(页面已停止或关闭)。") -> None:
        super().__init__(message)


@dataclass(eq=False)
class _Ticket:
    waiter: Waiter | None
    queued_at: float = field(default_factory=time.monotonic)


@dataclass
class Turn:
    """A granted turn: how long it waited, and the waiter it runs for (None: nobody is watching)."""

    waited_s: float
    waiter: Waiter | None

    @property
    def cancelled(self) -> bool:
        return self.waiter is not None and self.waiter.cancelled

    @contextlib.contextmanager
    def cut_off_by(self, stop: Callable[[], None]) -> Iterator[None]:
        """While the body runs, ``waiter.cancel()`` calls ``stop`` (e.g. shuts the request's socket)."""
        if self.waiter is None:
            yield
            return
        with self.waiter.on_cancel(stop):
            yield


class ModelGate:
    """A FIFO queue with ``slots`` requests running at once (``None``: no limit, nobody ever waits)."""

    def __init__(self, slots: int | None = 1, name: str = "") -> None:
        if slots is not None and slots < 1:
            raise ValueError("a gate needs at least one slot")
        self.slots = slots
        self.name = name
        self._cond = threading.Condition()
        self._waiting: deque[_Ticket] = deque()
        self._running = 0

    def __repr__(self) -> str:
        return f"ModelGate({self.name!r}, slots={self.slots}, running={self._running}, waiting={len(self._waiting)})"

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @contextlib.contextmanager
    def turn(self) -> Iterator[Turn]:
        """Wait for this request's turn (for the current waiter, if any), hold a slot for the body.

        Raises ``QueueCancelled`` when the waiter is cancelled before the turn comes (nothing was sent)."""
        waiter = current_waiter()
        ticket = _Ticket(waiter)
        with self._cond:
            if waiter is not None and waiter.cancelled:
                raise QueueCancelled()
            self._waiting.append(ticket)
            if waiter is not None:
                waiter._enter(self, ticket)
            try:
                while not self._may_start(ticket):
                    if waiter is not None and waiter.cancelled:
                        raise QueueCancelled()
                    self._cond.wait()
            except BaseException:
                self._waiting.remove(ticket)
                self._cond.notify_all()  # the one behind may be first now
                raise
            finally:
                if waiter is not None:
                    waiter._leave(ticket)
            self._waiting.popleft()
            self._running += 1
            self._cond.notify_all()  # with more slots, the next in line may start too
        try:
            yield Turn(waited_s=time.monotonic() - ticket.queued_at, waiter=waiter)
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def ahead_of(self, ticket: _Ticket) -> int | None:
        """Requests before ``ticket`` (running ones included); None once it has started or left."""
        with self._cond:
            try:
                place = self._waiting.index(ticket)
            except ValueError:
                return None
            return self._running + place

    def _may_start(self, ticket: _Ticket) -> bool:
        free = self.slots is None or self._running < self.slots
        return free and self._waiting[0] is ticket

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class Waiter:
    """One user's place in the model queues; see the module docstring. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._gate: ModelGate | None = None
        self._ticket: _Ticket | None = None
        self._stops: list[Callable[[], None]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    @property
    def ahead(self) -> int | None:
        """Requests before this waiter's waiting request; None when it is not waiting."""
        with self._lock:
            gate, ticket = self._gate, self._ticket
        return gate.ahead_of(ticket) if gate is not None and ticket is not None else None

    def line(self) -> str:
        """"排队中:前面还有 N 个请求" while waiting, else ''."""
        ahead = self.ahead
        return "" if ahead is None else QUEUE_LINE.format(ahead=ahead)

    def cancel(self) -> None:
        """Take the waiting request out of its queue, cut a running one off, refuse any later one."""
        self._cancelled.set()
        with self._lock:
            gate, stops = self._gate, list(self._stops)
        if gate is not None:
            gate._wake()
        for stop in stops:
            try:
                stop()
            except Exception:  # noqa: BLE001 — a connection already gone is as good as cut
                pass

    def bind(self, model: Any) -> Any:
        """``model`` whose calls wait in their queues as this waiter (``None`` stays ``None``)."""
        return None if model is None else WaitingModel(model, self)

    @contextlib.contextmanager
    def on_cancel(self, stop: Callable[[], None]) -> Iterator[None]:
        with self._lock:
            self._stops.append(stop)
        try:
            if self.cancelled:
                stop()
            yield
        finally:
            with self._lock:
                self._stops.remove(stop)

    def _enter(self, gate: ModelGate, ticket: _Ticket) -> None:
        with self._lock:
            self._gate, self._ticket = gate, ticket

    def _leave(self, ticket: _Ticket) -> None:
        with self._lock:
            if self._ticket is ticket:
                self._ticket = None


_current: contextvars.ContextVar[Waiter | None] = contextvars.ContextVar("model_waiter", default=None)


def current_waiter() -> Waiter | None:
    return _current.get()


@contextlib.contextmanager
def waiting_as(waiter: Waiter | None) -> Iterator[None]:
    """Model calls started in this block (this thread) queue as ``waiter``."""
    token = _current.set(waiter)
    try:
        yield
    finally:
        _current.reset(token)


class WaitingModel:
    """A ``ChatModel`` that makes ``inner``'s calls as ``waiter`` (``Waiter.bind``).

    A gate reads the waiter when a call starts: for a stream that is its first step, so only that step
    runs inside ``waiting_as`` — the rest may be read from another thread (a page's worker) safely."""

    def __init__(self, inner: Any, waiter: Waiter) -> None:
        self.inner = inner
        self.waiter = waiter
        self.name = inner.name
        self.context_window = inner.context_window

    def __repr__(self) -> str:
        return f"WaitingModel({self.inner!r})"

    def stream(self, messages: list[Message], **kwargs: Any) -> Iterator[str]:
        pieces = iter(self.inner.stream(messages, **kwargs))
        try:
            with waiting_as(self.waiter):
                first = next(pieces, None)
            if first is None:
                return
            yield first
            yield from pieces
        finally:
            close = getattr(pieces, "close", None)
            if close is not None:
                close()

    def complete(self, messages: list[Message], **kwargs: Any) -> str:
        with waiting_as(self.waiter):
            return self.inner.complete(messages, **kwargs)


_gates: dict[str, ModelGate] = {}
_gates_lock = threading.Lock()


def shared_gate(key: str, slots: int | None) -> ModelGate:
    """The process-wide gate for ``key`` (a model server or endpoint + model); created with ``slots`` the
    first time, so every model object talking to the same server waits in the same queue."""
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = ModelGate(slots, name=key)
        return gate


__all__ = ["ModelGate", "QueueCancelled", "Turn", "Waiter", "WaitingModel", "current_waiter", "shared_gate", "waiting_as"]
