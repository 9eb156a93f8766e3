"""Run a long library call in a worker thread and turn its callbacks into a stream of events.

Drafting and eval runs report progress through callbacks (``on_event``, ``on_result``); a Gradio
handler must *yield* to update the page. ``run_with_events`` bridges the two. When the user presses
stop, Gradio closes the handler's generator; the next callback in the worker then raises ``Cancelled``,
so the library call ends at its next progress point instead of running on unseen.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


class Cancelled(Exception):
    """Raised inside the worker when the page that started the work stopped listening."""


@dataclass
class Done:
    result: Any


@dataclass
class Failed:
    error: BaseException


@dataclass
class Idle:
    """Nothing arrived for ``idle_s``: a chance to look at a stop button or a queue position."""


def run_with_events(work: Callable[[Callable[[Any], None]], Any], poll_s: float = 0.1,
                    idle_s: float | None = None) -> Iterator[Any]:
    """Yield every event ``work(emit)`` emits, then ``Done(result)`` or ``Failed(error)``; with ``idle_s``, also
    ``Idle()`` after each ``idle_s`` without an event (a model call waiting in the queue emits nothing).

    Closing the returned generator (Gradio's cancel) makes the worker's next ``emit`` raise Cancelled.
    """
    events: queue.Queue = queue.Queue()
    stop = threading.Event()

    def emit(event: Any) -> None:
        if stop.is_set():
            raise Cancelled()
        events.put(event)

    def worker() -> None:
        try:
            events.put(Done(work(emit)))
        except BaseException as exc:  # noqa: BLE001 — handed to the page, which shows it
            events.put(Failed(exc))

    thread = threading.Thread(target=worker, name="ui-background", daemon=True)
    thread.start()
    quiet = 0.0
    try:
        while True:
            try:
                event = events.get(timeout=poll_s)
            except queue.Empty:
                quiet += poll_s
                if idle_s is not None and quiet >= idle_s:
                    quiet = 0.0
                    yield Idle()
                continue
            quiet = 0.0
            yield event
            if isinstance(event, (Done, Failed)):
                return
    finally:
        stop.set()
