"""Where a streamed answer is, for a user who waits: 检索中 → 模型思考中 n 秒 → 核对中.

``qa.stream_answer`` (and so the answer Runnable) yields an ``AnswerPhase`` when the work moves on;
``PhaseClock`` turns the latest one into the status line the chat and the CLI show while they wait, and
``ticking`` wakes them every second while nothing arrives (a small model may think for a minute).
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeVar

T = TypeVar("T")

PhaseName = Literal["retrieving", "thinking", "checking"]
PHASE_LABELS: dict[str, str] = {"retrieving": "检索中", "thinking": "模型思考中", "checking": "核对中"}


@dataclass(frozen=True)
class AnswerPhase:
    """检索中: understanding the question and searching; 模型思考中: the model reads and writes;
    核对中: code checks the reply's citations and figures."""

    name: PhaseName

    @property
    def label(self) -> str:
        return PHASE_LABELS[self.name]


@dataclass
class PhaseClock:
    """The current phase and how long it and the whole answer have taken (monotonic seconds)."""

    started: float = field(default_factory=time.monotonic)
    phase: AnswerPhase = AnswerPhase("retrieving")
    phase_started: float | None = None

    def enter(self, phase: AnswerPhase) -> None:
        self.phase, self.phase_started = phase, time.monotonic()

    def line(self, now: float | None = None) -> str:
        """E.g. ``模型思考中 12 秒 · 已用 15 秒``; the model's phase is the long one, so it is counted."""
        now = time.monotonic() if now is None else now
        since = self.phase_started if self.phase_started is not None else self.started
        counted = f" {now - since:.0f} 秒" if self.phase.name == "thinking" else "…"
        return f"{self.phase.label}{counted} · 已用 {now - self.started:.0f} 秒"


class Tick:
    """Nothing new arrived for a while: time to redraw the waiting line."""


TICK = Tick()


def ticking(items: Iterator[T], every_s: float = 1.0) -> Iterator[T | Tick]:
    """``items`` as they come, with ``TICK`` whenever none came for ``every_s`` seconds, so a caller that waits
    on a slow model can still update the elapsed time. ``items`` is read in a worker thread; closing this
    generator (a page's stop button) closes ``items`` when it next yields — a model still thinking on its
    first word finishes that wait first."""
    events: queue.Queue = queue.Queue()
    stop = threading.Event()
    done = object()

    def read() -> None:
        try:
            with contextlib.closing(items) if hasattr(items, "close") else contextlib.nullcontext():
                for item in items:
                    if stop.is_set():
                        return
                    events.put(item)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the caller's thread
            events.put(_Failed(exc))
        finally:
            events.put(done)

    threading.Thread(target=read, name="answer-stream", daemon=True).start()
    try:
        while True:
            try:
                event = events.get(timeout=every_s)
            except queue.Empty:
                yield TICK
                continue
            if event is done:
                return
            if isinstance(event, _Failed):
                raise event.error
            yield event
    finally:
        stop.set()


@dataclass
class _Failed:
    error: BaseException
