"""The model queue (assistant.llm.gate): first come first served, positions, cancellation, and the real
openai client path through it (against the fake OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

import threading
import time

import pytest

from assistant.llm import FakeChatModel, get_chat_model
from assistant.llm.calllog import read_calls
from assistant.llm.gate import ModelGate, QueueCancelled, Waiter, waiting_as
from assistant.llm.openai_chat import OpenAIChatModel
from assistant.settings import LLMSettings, Settings
from fake_openai_server import FakeOpenAIServer

MSGS = [{"role": "user", "content": "泾源县2024年调解矛盾纠纷多少件?"}]


def wait_until(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


class Caller:
    """A thread that takes one turn at ``gate`` as ``waiter`` and holds it until released."""

    def __init__(self, gate: ModelGate, name: str, log: list[str], waiter: Waiter | None = None) -> None:
        self.gate, self.name, self.log, self.waiter = gate, name, log, waiter or Waiter()
        self.release = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            with waiting_as(self.waiter), self.gate.turn():
                self.log.append(self.name)
                self.release.wait(10)
        except BaseException as exc:  # noqa: BLE001 — checked by the test
            self.error = exc

    def start(self, queued_before: int) -> "Caller":
        """Start, and wait until it is really in the queue (so the order of starts is the order of arrival)."""
        self.thread.start()
        wait_until(lambda: self.gate.waiting + self.gate.running > queued_before)
        return self


def test_turns_are_first_come_first_served_and_positions_count_down():
    gate, log = ModelGate(1), []
    first = Caller(gate, "a", log).start(0)
    wait_until(lambda: log == ["a"])
    rest = [Caller(gate, name, log).start(i + 1) for i, name in enumerate("bcd")]
    assert [c.waiter.ahead for c in rest] == [1, 2, 3]
    assert rest[2].waiter.line() == "排队中:前面还有 3 个请求"
    assert first.waiter.ahead is None and first.waiter.line() == ""  # running, not waiting
    first.release.set()
    wait_until(lambda: log == ["a", "b"])
    assert [c.waiter.ahead for c in rest] == [None, 1, 2]
    for caller in rest:
        caller.release.set()
        caller.thread.join(5)
    assert log == ["a", "b", "c", "d"] and gate.running == 0 and gate.waiting == 0


def test_a_cancelled_waiter_leaves_the_queue_at_once_and_is_refused_later():
    gate, log = ModelGate(1), []
    first = Caller(gate, "a", log).start(0)
    wait_until(lambda: log == ["a"])
    gone, after = Caller(gate, "gone", log).start(1), Caller(gate, "after", log).start(2)
    assert after.waiter.ahead == 2
    gone.waiter.cancel()
    gone.thread.join(5)
    assert isinstance(gone.error, QueueCancelled) and not gone.thread.is_alive()
    assert gate.waiting == 1 and after.waiter.ahead == 1  # the one behind moved up
    first.release.set()
    after.release.set()
    after.thread.join(5)
    assert log == ["a", "after"]  # the cancelled request never ran
    with pytest.raises(QueueCancelled), waiting_as(gone.waiter), gate.turn():
        pass


def test_a_gate_with_two_slots_runs_two_at_once_and_none_means_no_limit():
    gate, log = ModelGate(2), []
    a, b = Caller(gate, "a", log).start(0), Caller(gate, "b", log).start(1)
    wait_until(lambda: sorted(log) == ["a", "b"])
    c = Caller(gate, "c", log).start(2)
    assert c.waiter.ahead == 2
    a.release.set()
    wait_until(lambda: "c" in log)
    for caller in (b, c):
        caller.release.set()
    unlimited, log2 = ModelGate(None), []
    callers = [Caller(unlimited, str(i), log2).start(i) for i in range(5)]
    wait_until(lambda: len(log2) == 5)
    for caller in callers:
        caller.release.set()


def test_a_bound_model_queues_as_its_waiter_and_keeps_the_protocol():
    gate, log = ModelGate(1), []
    holder = Caller(gate, "holder", log).start(0)
    wait_until(lambda: log == ["holder"])
    waiter = Waiter()
    fake = FakeChatModel(["一二三"])

    class Gated:  # a fake model that takes its turn like the real ones
        name, context_window = fake.name, fake.context_window

        def stream(self, messages, **kw):
            with gate.turn():
                yield from fake.stream(messages, **kw)

        def complete(self, messages, **kw):
            return "".join(self.stream(messages, **kw))

    bound = waiter.bind(Gated())
    assert bound.name == fake.name and bound.context_window == fake.context_window
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(bound.stream(MSGS)), daemon=True)
    reader.start()
    wait_until(lambda: waiter.ahead == 1)
    holder.release.set()
    reader.join(5)
    assert "".join(out) == "一二三" and waiter.ahead is None
    assert waiter.bind(None) is None


def fake_settings(tmp_path, url: str, concurrency: int = 1) -> Settings:
    return Settings(home=tmp_path / "home",
                    llm=LLMSettings(base_url=url, model="fake-openai", max_retries=0, concurrency=concurrency))


def test_endpoint_calls_wait_in_one_queue_and_the_log_says_how_long(tmp_path):
    with FakeOpenAIServer(first_delay_s=0.6) as srv:
        settings = fake_settings(tmp_path, srv.base_url)
        # two model objects for the same endpoint (two pages' runtimes) share the one queue
        one, two = get_chat_model(settings), get_chat_model(settings)
        assert one.gate is two.gate and one.gate.slots == 1
        results: dict[str, str] = {}
        threads = [threading.Thread(target=lambda m=m, k=k: results.__setitem__(k, "".join(m.stream(MSGS))))
                   for k, m in (("one", one), ("two", two))]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        elapsed = time.monotonic() - started
    assert set(results) == {"one", "two"}
    assert elapsed >= 1.1  # one after the other, not side by side
    calls = read_calls(settings.logs_dir)
    queued = max(calls, key=lambda c: c["seconds_queued"])
    assert len(calls) == 2 and queued["seconds_queued"] >= 0.4
    # the call's clock (and so its deadline) starts with its turn: its time does not count the wait again
    assert queued["seconds_queued"] + queued["seconds_total"] <= elapsed + 0.1


def test_cancelling_a_running_stream_cuts_it_off_at_the_socket(tmp_path):
    with FakeOpenAIServer(first_delay_s=8.0) as srv:  # a model still reading a long prompt
        model = OpenAIChatModel(base_url=srv.base_url, model="fake-openai", max_retries=2, logs_dir=tmp_path / "logs",
                                gate=ModelGate(1))
        waiter = Waiter()
        outcome: list[BaseException] = []

        def read() -> None:
            try:
                list(waiter.bind(model).stream(MSGS))
            except BaseException as exc:  # noqa: BLE001
                outcome.append(exc)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        wait_until(lambda: len(srv.requests) == 1)
        time.sleep(0.2)
        cancelled_at = time.monotonic()
        waiter.cancel()
        reader.join(5)
        assert not reader.is_alive() and time.monotonic() - cancelled_at < 2.0
        assert isinstance(outcome[0], QueueCancelled)
        assert len(srv.requests) == 1  # not retried
        assert model.gate.running == 0  # the slot is free for the next request
        (record,) = read_calls(tmp_path / "logs")
        assert "取消" in record["error"]


def test_a_call_cancelled_while_queued_is_logged_and_never_sent(tmp_path):
    with FakeOpenAIServer() as srv:
        gate, log = ModelGate(1), []
        holder = Caller(gate, "holder", log).start(0)
        model = OpenAIChatModel(base_url=srv.base_url, model="fake-openai", logs_dir=tmp_path / "logs", gate=gate)
        waiter, errors = Waiter(), []
        t = threading.Thread(target=lambda: errors.append(_raised(lambda: waiter.bind(model).complete(MSGS))), daemon=True)
        t.start()
        wait_until(lambda: waiter.ahead == 1)
        waiter.cancel()
        t.join(5)
        holder.release.set()
        assert isinstance(errors[0], QueueCancelled) and srv.requests == []
    (record,) = read_calls(tmp_path / "logs")
    assert "取消" in record["error"] and record["prompt_tokens"] is None


def _raised(fn) -> BaseException | None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001
        return exc
    return None
