"""The chat tab with the real local model (0.5B by default) in headless chromium: the streamed answer of a
real llama.cpp server ends in one of the states the UI promises — cited, refused, or flagged as uncited.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import chromium, needs_chromium, new_page, screenshot, serve

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.model, needs_chromium]

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "reports"


@pytest.mark.usefixtures("model_answers")  # the model's path, for a figure code would answer itself
def test_local_model_answer_is_streamed_and_ends_cited_refused_or_flagged(local_chat_model, tmp_path):
    from assistant.ingest import ingest_paths
    from assistant.settings import Settings
    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library

    settings = Settings(home=tmp_path / "home")
    library = open_library(settings, embedding=FakeEmbedding())
    assert ingest_paths(library, [SAMPLES / "2024-jingyuan-xian.txt"], progress=False).ok
    demo = build_demo(settings, library=library, model=local_chat_model)
    with serve(demo, settings) as url, chromium() as browser:
        page = new_page(browser, url)
        expect(page.locator("#status")).to_contain_text(local_chat_model.name)
        page.locator("#question textarea").fill("泾源县2024年调解矛盾纠纷多少件?")
        page.locator("#send").click()
        last = page.locator("#chatbot .message-row").last
        final = page.locator("#chatbot .answer-text:not(.streaming)")
        expect(final).to_have_count(1, timeout=300_000)
        html = last.inner_html()
        outcomes = ["details", "note-refusal", "note-warning"]
        assert any(o in html for o in outcomes), html[:500]
        if "<details" in html:
            assert "泾源县 2024年" in last.locator("details.citation summary").first.inner_text()
        screenshot(page, "chat-local-model")
