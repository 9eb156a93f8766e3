"""What a waiting user is shown: the phase line, and a stream that wakes the caller while a model thinks."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.phases import TICK, AnswerPhase, PhaseClock, ticking


def test_phase_line_counts_the_model_phase_and_the_whole_wait():
    clock = PhaseClock(started=100.0)
    assert clock.line(now=100.4) == "检索中… · 已用 0 秒"
    clock.enter(AnswerPhase("thinking"))
    clock.phase_started = 102.0
    assert clock.line(now=114.2) == "模型思考中 12 秒 · 已用 14 秒"
    clock.enter(AnswerPhase("checking"))
    assert clock.line().startswith("核对中… · 已用 ")


def test_ticking_passes_items_on_in_order_and_ticks_while_none_come():
    def slow():
        yield "a"
        time.sleep(0.35)
        yield "b"

    got = list(ticking(slow(), every_s=0.1))
    assert [g for g in got if g is not TICK] == ["a", "b"] and got.count(TICK) >= 2


def test_ticking_raises_the_sources_error_in_the_callers_thread():
    def failing():
        yield "a"
        raise ValueError("模型服务出错")

    with pytest.raises(ValueError, match="模型服务出错"):
        list(ticking(failing(), every_s=0.1))


def test_closing_ticking_closes_the_source_at_its_next_item():
    closed = threading.Event()

    def endless():
        try:
            while True:
                time.sleep(0.05)
                yield "x"
        finally:
            closed.set()  # e.g. the model's HTTP stream being closed

    stream = ticking(endless(), every_s=0.1)
    assert next(stream) == "x"
    stream.close()
    assert closed.wait(2)
