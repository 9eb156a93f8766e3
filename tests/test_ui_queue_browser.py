"""Two users at once in headless chromium: while one page's answer runs on the model, the other page shows
its place in the model's queue, then gets its own answer. Once against a slow fake OpenAI-compatible
server, once against the real local model (0.5B by default; marked ``model``)."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import chromium, needs_chromium, new_page, open_tab, screenshot, serve
from fake_openai_server import FakeOpenAIServer

# Page one's figure question must run on the model (code would answer it from the report's own clause).
pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium, pytest.mark.usefixtures("model_answers")]

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "reports"
FIRST = "泾源县2024年调解矛盾纠纷多少件?"
SECOND = "徐行镇2024年开展了哪些法治宣传活动?"


def ask(page, question: str) -> None:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")


def wait_until(started, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not started():
        assert time.monotonic() < deadline, "page one's request never reached the model"
        time.sleep(0.1)


def answer_row(page):
    return page.locator("#chatbot .message-row").last


def second_waits_its_turn(browser, url: str, started, answer_timeout_ms: int, name: str) -> None:
    """Page one asks; once its request is on the model (``started()``), page two asks and must show
    "排队中:前面还有 1 个请求"; then each page gets its own answer."""
    one, two = new_page(browser, url), new_page(browser, url)
    ask(one, FIRST)
    wait_until(started, answer_timeout_ms / 1000)
    ask(two, SECOND)
    phase = two.locator("#chatbot .answer-phase")
    expect(phase).to_contain_text("排队中:前面还有 1 个请求", timeout=30_000)
    # page one is the one running (its answer may already be complete, so look at its whole chat)
    expect(one.locator("#chatbot")).not_to_contain_text("排队中")
    screenshot(two, f"queue-{name}")
    for page, own, other in ((one, "泾源县", "徐行镇"), (two, "徐行镇", "泾源县")):
        final = page.locator("#chatbot .answer-text:not(.streaming)")
        expect(final).to_have_count(1, timeout=answer_timeout_ms)
        html = answer_row(page).inner_html()
        assert "排队中" not in html
        assert any(o in html for o in ("<details", "note-refusal", "note-warning")), html[:500]
        if "<details" in html:  # cited: to its own question's body, never the other page's
            cited = answer_row(page).locator("details.citation summary").first.inner_text()
            assert own in cited and other not in cited, cited
        users = page.locator("#chatbot .message-row.user-row")
        expect(users).to_have_count(1)  # each page holds its own chat only
    screenshot(two, f"queue-{name}-answered")
    for page in (one, two):
        page.context.close()


@contextlib.contextmanager
def fake_app(tmp_path, first_delay_s: float):
    """The UI over the samples against a slow fake OpenAI-compatible server: (server, url, browser)."""
    from assistant.ingest import ingest_paths
    from assistant.settings import LLMSettings, Settings
    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library

    with FakeOpenAIServer(first_delay_s=first_delay_s) as llm:
        settings = Settings(home=tmp_path / "home", llm=LLMSettings(base_url=llm.base_url, model="fake-openai",
                                                                   max_retries=0))
        library = open_library(settings, embedding=FakeEmbedding())
        assert ingest_paths(library, [SAMPLES], progress=False).ok
        with serve(build_demo(settings, library=library), settings) as url, chromium() as browser:
            yield llm, url, browser


def test_second_page_shows_its_place_while_the_first_answer_runs(tmp_path):
    # the fake model reads each prompt for 6 s before its first word, like a small model on a busy CPU
    with fake_app(tmp_path, 6.0) as (llm, url, browser):
        second_waits_its_turn(browser, url, lambda: len(llm.requests) >= 1, 60_000, "fake")
    assert len(llm.requests) == 2


def test_a_draft_shows_its_place_behind_another_pages_answer_and_stops_while_queued(tmp_path):
    with fake_app(tmp_path, 8.0) as (llm, url, browser):
        one, two = new_page(browser, url), new_page(browser, url)
        ask(one, FIRST)
        wait_until(lambda: bool(llm.requests), 60)
        open_tab(two, "起草")
        two.locator("#draft-org input").click()
        two.get_by_role("option", name="吉昌镇", exact=True).click()
        two.wait_for_function("document.querySelector('#draft-year input').value === '2025'")
        two.locator("#start-draft").click()
        expect(two.locator("#draft-progress")).to_contain_text("排队中:前面还有 1 个请求", timeout=30_000)
        screenshot(two, "queue-draft")
        two.locator("#stop-draft").click()  # stopped while still queued: it leaves the queue
        expect(two.locator("#draft-progress")).to_contain_text("已停止", timeout=15_000)
        expect(one.locator("#chatbot .answer-text:not(.streaming)")).to_have_count(1, timeout=60_000)
        time.sleep(2)
        assert len(llm.requests) == 1  # the draft never reached the model
        assert two.locator(".error:visible").count() == 0


@pytest.mark.model
def test_second_page_waits_while_the_local_model_answers_the_first(local_chat_model, tmp_path):
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library

    settings = Settings(home=tmp_path / "home")
    library = open_library(settings, embedding=FakeEmbedding())
    paths = [SAMPLES / "2024-jingyuan-xian.txt", SAMPLES / "2024-xuxing-zhen.txt"]
    assert ingest_paths(library, paths, progress=False).ok
    gate = local_chat_model.server.gate
    with serve(build_demo(settings, library=library, model=local_chat_model), settings) as url, chromium() as browser:
        second_waits_its_turn(browser, url, lambda: gate.running == 1, 400_000, "local-model")
    assert gate.running == 0 and gate.waiting == 0
