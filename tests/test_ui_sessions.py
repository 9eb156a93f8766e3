"""Several users at once: the chat's place in the model's queue, stopping while queued, and many sessions
against one app with no cross-talk (the real Gradio server and the real openai client path against the
fake OpenAI-compatible server on 127.0.0.1)."""

from __future__ import annotations

import statistics
import threading
import time
from pathlib import Path

import pytest

from assistant.llm.gate import ModelGate, waiting_as
from assistant.llm.openai_chat import OpenAIChatModel
from assistant.settings import LLMSettings, Settings
from fake_openai_server import FakeOpenAIServer

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "reports"
QUESTION = "泾源县2024年调解矛盾纠纷多少件?"


@pytest.fixture
def busy_model(tmp_path):
    """(app context, fake server, gate, release): a context whose model (the real openai client against the
    fake server) is held by another session's request until ``release`` is set."""
    from fake_library import sample_library
    from ui.context import AppContext

    with FakeOpenAIServer() as srv:
        gate = ModelGate(1)
        model = OpenAIChatModel(base_url=srv.base_url, model="fake-openai", logs_dir=tmp_path / "logs", gate=gate)
        release, holder = hold(gate)
        yield AppContext.create(Settings(home=tmp_path / "home"), sample_library(), model), srv, gate, release
        release.set()
        holder.join(5)


def hold(gate: ModelGate) -> tuple[threading.Event, threading.Thread]:
    """Another session's request holding the model until the returned event is set."""
    release, holding = threading.Event(), threading.Event()

    def run() -> None:
        with waiting_as(None), gate.turn():
            holding.set()
            release.wait(300)  # set by the test, or at its end

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert holding.wait(5)
    return release, thread


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_ask_shows_its_place_in_the_queue_then_its_own_answer(busy_model):
    from ui.chat_tab import ask

    ctx, srv, gate, release = busy_model
    shown: list[str] = []
    for step in ask(ctx, QUESTION, [], None, None, None, True, tick_s=0.1):
        shown.append(step[0][-1]["content"])
        if "排队中:前面还有 1 个请求" in shown[-1] and not release.is_set():
            assert srv.requests == []  # nothing sent while it waits
            release.set()
    queued = [s for s in shown if "排队中" in s]
    assert queued and "已用" in queued[0] and "answer-phase" in queued[0]
    assert "930" in shown[-1] and "<details" in shown[-1] and "排队中" not in shown[-1]
    assert len(srv.requests) == 1


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_a_page_that_stops_while_queued_leaves_the_queue_and_sends_nothing(busy_model):
    from ui.chat_tab import ask

    ctx, srv, gate, release = busy_model
    steps = ask(ctx, QUESTION, [], None, None, None, True, tick_s=0.1)
    for step in steps:
        if "排队中" in step[0][-1]["content"]:
            break
    assert gate.waiting == 1
    steps.close()  # what Gradio does when the stop button is pressed or the page goes away
    deadline = time.monotonic() + 5
    while gate.waiting and time.monotonic() < deadline:
        time.sleep(0.02)
    assert gate.waiting == 0  # no orphaned request waiting for a page nobody reads
    release.set()
    time.sleep(0.3)
    assert srv.requests == []


# --- many sessions against the running app -----------------------------------------------------------------

SESSIONS = 10
# Each session asks about its own body, then "那2023年呢?" — resolved from the session's own previous question
# (the body kept, the year swapped). An answer naming another session's body, or a follow-up resolved to
# another session's body, is cross-talk.
BODIES = [
    ("泾源县", "2024年调解矛盾纠纷多少件?", 2023),
    ("徐行镇", "2024年开展了哪些法治宣传活动?", 2023),
    ("柱山乡", "2024年党政主要负责人如何学习宪法?", 2023),
    ("荆家镇", "2023年开展了哪些法治宣传?", 2024),
    ("吉昌镇", "2024年开展了哪些普法活动?", 2023),
]


def text_of(message: dict) -> str:
    """A chatbot message's text as the API returns it (Gradio 6: a list of typed parts)."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


@pytest.mark.slow
def test_ten_sessions_at_once_each_keep_their_own_chat(tmp_path, capsys):
    from gradio_client import Client

    from assistant.ingest import ingest_paths
    from browser import serve
    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library

    with FakeOpenAIServer(first_delay_s=0.05) as llm:
        settings = Settings(home=tmp_path / "home", llm=LLMSettings(base_url=llm.base_url, model="fake-openai", max_retries=0))
        library = open_library(settings, embedding=FakeEmbedding())
        assert ingest_paths(library, [SAMPLES], progress=False).ok
        with serve(build_demo(settings, library=library), settings) as url:
            plans = [BODIES[i % len(BODIES)] for i in range(SESSIONS)]
            results: dict[int, list] = {}
            seconds: list[float] = []
            errors: list[BaseException] = []
            # one client, one Gradio session, one gr.State; made first, so that the questions start together
            clients = [Client(url, verbose=False, httpx_kwargs={"timeout": 120}) for _ in range(SESSIONS)]

            def session(i: int) -> None:
                org, asked, other_year = plans[i]
                client = clients[i]
                try:
                    for question in (f"{org}{asked}", f"那{other_year}年呢?"):
                        began = time.monotonic()
                        results[i] = client.predict(question, None, None, None, True, api_name="/run")
                        seconds.append(time.monotonic() - began)
                except BaseException as exc:  # noqa: BLE001 — reported below
                    errors.append(exc)

            threads = [threading.Thread(target=session, args=(i,)) for i in range(SESSIONS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(300)
            model_requests = len(llm.requests)
    assert not errors, errors[:3]
    for i, (org, asked, other_year) in enumerate(plans):
        chat = results[i][0]  # the chatbot: what this session's page shows
        others = {o for o, _, _ in BODIES} - {org}
        assert [text_of(m) for m in chat if m["role"] == "user"] == [f"{org}{asked}", f"那{other_year}年呢?"], i
        first, second = text_of(chat[1]), text_of(chat[3])
        assert "<details" in first and not any(o in first for o in others), (i, first[:300])
        # the follow-up was read against this session's own history: its body, the new year (mostly one the
        # library has no report on, and the answer says so: 报告库中没有泾源县2023年度的报告)
        assert org in second and not any(o in second for o in others), (i, second[:300])
        assert f"{org}{other_year}年度" in second or "<details" in second, (i, second[:300])
    assert model_requests >= SESSIONS  # the first questions really went through the model's queue
    p95 = statistics.quantiles(seconds, n=20)[-1]
    with capsys.disabled():
        print(f"\n{SESSIONS} sessions x 2 questions at once: p50 {statistics.median(seconds):.2f} s, "
              f"p95 {p95:.2f} s, max {max(seconds):.2f} s ({model_requests} model requests, one at a time)")
