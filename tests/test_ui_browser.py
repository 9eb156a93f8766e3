"""End-to-end UI tests in headless Debian chromium (Playwright, ``executable_path``).

The app runs in-process on a free 127.0.0.1 port with the real pieces: a real Chroma library (fake
embeddings for speed) holding the five sample reports parsed by the real ingest pipeline, and the real
``openai`` client path against a tiny fake OpenAI-compatible server (tests/fake_openai_server.py). Every
test leaves a screenshot in artifacts/screenshots/.
"""

from __future__ import annotations

import re
import time
import shutil
import textwrap
from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import chromium, needs_chromium, new_page, open_tab, screenshot, serve
from fake_openai_server import FakeOpenAIServer

pytestmark = [pytest.mark.slow, pytest.mark.browser, needs_chromium]
expect.set_options(timeout=30_000)  # the machine is shared: answers can take a while

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "reports"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """(url, settings, library, fake model server) for the whole module: ingesting once keeps it quick."""
    from assistant.ingest import ingest_paths
    from assistant.settings import LLMSettings, Settings
    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library

    home = tmp_path_factory.mktemp("ui-home")
    with FakeOpenAIServer() as llm:
        settings = Settings(home=home, llm=LLMSettings(base_url=llm.base_url, model="fake-openai", max_retries=0))
        library = open_library(settings, embedding=FakeEmbedding())
        summary = ingest_paths(library, [SAMPLES], progress=False)
        assert summary.ok, summary.describe()
        demo = build_demo(settings, library=library)
        with serve(demo, settings) as url, chromium() as browser:
            yield {"url": url, "settings": settings, "library": library, "llm": llm, "browser": browser, "home": home}


_open_pages: list = []


@pytest.fixture(autouse=True)
def keep_last_page(request):
    """After each test, a screenshot of its pages as they were at the end (to see why a test failed)."""
    _open_pages.clear()
    yield
    for i, page in enumerate(_open_pages):
        try:
            screenshot(page, f"end-{request.node.name}-{i}")
            page.context.close()
        except Exception:  # a crashed page: nothing to show
            pass


def page_for(app, width: int = 1440):
    page = new_page(app["browser"], app["url"], width=width)
    _open_pages.append(page)
    return page


def choose(page, elem_id: str, option: str) -> None:
    """Pick ``option`` in a Gradio dropdown."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def xuxing_2025(folder: Path) -> Path:
    """徐行镇's report relabelled as its report on 2025 (same bytes every time, so ingesting it twice is a no-op)."""
    path = folder / "2025-xuxing-zhen.txt"
    text = (SAMPLES / "2024-xuxing-zhen.txt").read_text(encoding="utf-8")
    path.write_text(text.replace("2025年", "2026年").replace("2024年", "2025年"), encoding="utf-8")
    return path


def test_status_line_names_model_and_library(app):
    page = page_for(app)
    status = page.locator("#status")
    expect(status).to_contain_text("fake-openai")
    expect(status).to_contain_text(f"{len(app['library'].reports())} 份报告")
    expect(status).to_contain_text("fake:hash-64")  # the embedding the library really uses
    assert "不可用" not in status.inner_text()


def test_chat_answer_shows_citation_scope_and_passage(app):
    page = page_for(app)
    page.locator("#question textarea").fill("泾源县2024年调解矛盾纠纷多少件?")
    page.locator("#question textarea").press("Enter")
    cite = page.locator("#chatbot details.citation").first
    cite.wait_for()
    assert re.search(r"\[1\] 泾源县 2024年", cite.locator("summary").inner_text())
    cite.locator("summary").click()
    quote = cite.locator("blockquote")
    assert quote.is_visible() and len(quote.inner_text()) > 10
    # the answer text carries the [1] marker and the scope read off the question is shown and clearable
    assert "[1]" in page.locator("#chatbot .answer-text").last.inner_text()
    scope = page.locator("#scope")
    scope.get_by_text("泾源县").wait_for()
    assert "自动识别" in scope.inner_text()
    assert page.locator("#clear-scope").is_visible()
    screenshot(page, "chat")
    page.locator("#clear-scope").click()
    page.locator("#chatbot details.citation").nth(1).wait_for()
    page.locator("#scope").get_by_text("全部报告").wait_for()
    assert not page.locator("#auto-scope input").is_checked()


def test_chat_shows_model_written_script_links_as_text(app):
    """A model (or a report it quotes) writes Markdown links: only http(s) ones may become links. (After a blank
    line the chat's Markdown renderer reads the rest of an answer's HTML block as Markdown again.)"""
    from fake_openai_server import default_reply

    app["llm"].reply = lambda messages: (
        "泾源县深化“塞上枫桥”基层法治工作机制。\n\n详见[点此查看原文](javascript:alert(document.cookie))"
        "和[县政府网站](https://www.jingyuan.gov.cn/)。"
    )
    try:
        page = page_for(app)
        page.locator("#question textarea").fill("泾源县如何推进矛盾纠纷化解?")
        page.locator("#send").click()
        expect(page.locator("#chatbot .answer-text").last).to_contain_text("县政府网站")
        expect(page.locator("#chatbot .answer-text").last).to_contain_text("点此查看原文")
        assert page.locator("#chatbot a[href*='javascript' i]").count() == 0
        assert page.locator("#chatbot a[href^='https://www.jingyuan.gov.cn']").count() >= 1
        screenshot(page, "chat-links")
    finally:
        app["llm"].reply = default_reply


@pytest.mark.usefixtures("model_answers")  # the model's path, for a figure code would answer itself
def test_chat_shows_the_phase_and_seconds_while_the_model_thinks(app):
    page = page_for(app)
    app["llm"].first_delay_s = 4.0  # the model reads for a while before its first word
    try:
        page.locator("#question textarea").fill("泾源县2024年调解矛盾纠纷多少件?")
        page.locator("#send").click()
        phase = page.locator("#chatbot .answer-phase").last
        expect(phase).to_contain_text(re.compile(r"模型思考中 [1-9]\d* 秒 · 已用 \d+ 秒"))
        screenshot(page, "chat-thinking")
        page.locator("#chatbot details.citation").first.wait_for()
        expect(page.locator("#chatbot .answer-phase")).to_have_count(0)  # the checked answer took its place
    finally:
        app["llm"].first_delay_s = 0.0


def test_chat_refusal_is_noted(app):
    page = page_for(app)
    from assistant.answers.citations import REFUSAL

    # Nothing in the evidence is about rockets: the answer path refuses before asking the model (no passage
    # names 火箭), or the model answers with the refusal phrase; either way the chat says nothing was answered.
    page.locator("#question textarea").fill("泾源县发射了几枚火箭?")
    page.locator("#send").click()
    expect(page.locator("#chatbot .note-refusal")).to_contain_text("作答")
    assert REFUSAL in page.locator("#chatbot .answer-text").last.inner_text()
    assert page.locator("#chatbot details.citation").count() == 0
    screenshot(page, "chat-refusal")


def test_chat_says_which_body_the_library_lacks(app):
    page = page_for(app)
    page.locator("#question textarea").fill("潼关县2024年组织行政执法培训多少次?")
    page.locator("#send").click()
    expect(page.locator("#chatbot .note-refusal")).to_contain_text("报告库中没有潼关县的报告")
    assert page.locator("#chatbot details.citation").count() == 0


def test_two_sessions_do_not_share_chats(app):
    first, second = page_for(app), page_for(app)
    first.locator("#question textarea").fill("徐行镇的重大行政决策事项是什么?")
    first.locator("#question textarea").press("Enter")
    first.locator("#chatbot details.citation").first.wait_for()
    second.wait_for_timeout(500)
    assert second.locator("#chatbot details.citation").count() == 0
    assert "徐行镇的重大行政决策" not in second.locator("#chatbot").inner_text()


def test_library_upload_lists_report_and_refuses_bad_files(app, tmp_path):
    page = page_for(app)
    open_tab(page, "报告库")
    page.locator("#report-table").get_by_text("泾源县-2024").wait_for()
    good = tmp_path / "2024-huating-zhen.txt"  # a body no other test adds, so this import is always new
    good.write_text((SAMPLES / "2024-xuxing-zhen.txt").read_text(encoding="utf-8").replace("徐行镇", "华亭镇"), encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"this is not a pdf")
    page.locator("#upload-files input[type=file]").set_input_files([str(good), str(empty), str(broken)])
    page.locator("#ingest").click()
    results = page.locator("#ingest-results")
    expect(results).to_contain_text("文件为空", timeout=60_000)
    expect(results).to_contain_text("华亭镇-2024", timeout=60_000)
    expect(results).to_contain_text("已导入")
    expect(results).to_contain_text("无法读取 PDF")
    expect(page.locator("#report-table")).to_contain_text("华亭镇-2024")
    # view the new report with its structure
    choose(page, "report-picker", "华亭镇 2024年")
    page.locator("#report-view .part-tag").first.wait_for()
    assert "不足" in page.locator("#report-view").inner_text()
    screenshot(page, "library")


def test_draft_streams_and_downloads_docx(app, tmp_path):
    import docx

    page = page_for(app)
    open_tab(page, "起草")
    choose(page, "draft-org", "吉昌镇")
    page.wait_for_function("document.querySelector('#draft-year input').value === '2025'")
    page.locator("#draft-material textarea").fill("2025年共开展法治宣传活动12场次,调解矛盾纠纷45件。")
    page.locator("#start-draft").click()
    page.locator("#draft-title").get_by_text("吉昌镇2025年法治政府建设情况报告").wait_for(timeout=120_000)
    assert page.locator("#draft-coverage tbody tr").count() >= 1
    expect(page.locator("#draft-placeholders")).to_contain_text("待补充项")
    page.get_by_text("各段落的来源").click()
    expect(page.locator("#draft-sources")).to_contain_text("吉昌镇 2024年")  # paragraphs traced to last year's report
    screenshot(page, "draft")
    # edit section 二, regenerate section 一: the edit survives and reaches the export
    edited = "我镇党政主要负责人亲自部署法治政府建设工作。"
    page.locator("#draft-section-2 textarea").fill(edited)
    choose(page, "regen-part", "一、2025年推进法治政府建设的主要举措和成效")
    calls = len(app["llm"].requests)
    page.locator("#regen").click()
    expect(page.locator("#draft-progress")).to_contain_text("已重新生成", timeout=60_000)
    assert len(app["llm"].requests) > calls
    expect(page.locator("#draft-section-2 textarea")).to_have_value(edited)
    page.locator("#export-draft").click()
    link = page.locator("#draft-downloads tr", has_text=".docx").locator("a").first
    link.wait_for()
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "draft.docx"
    info.value.save_as(target)
    paragraphs = [p.text for p in docx.Document(str(target)).paragraphs]
    assert any("吉昌镇2025年法治政府建设情况报告" in p for p in paragraphs)
    assert any(edited in p for p in paragraphs)


def test_eval_suite_runs_and_shows_table(app, tmp_path, monkeypatch):
    from ui import evals_tab

    suites = tmp_path / "suites"
    suites.mkdir()
    shutil.copy(SAMPLES / "2024-jichang-zhen.txt", suites / "2024-jichang-zhen.txt")
    (suites / "ui-small.dev.v1.yaml").write_text(
        textwrap.dedent(
            """
            name: ui-small.dev.v1
            cases:
              - id: meta-jichang
                kind: metadata
                file: 2024-jichang-zhen.txt
                expect: {org: 吉昌镇, level: 镇, year: 2024}
              - id: find-jingyuan
                kind: retrieval
                question: 泾源县2024年调解矛盾纠纷多少件?
                expect: {in_top_k: 5, org: 泾源县}
              - id: qa-jingyuan
                kind: qa
                question: 泾源县2024年调解矛盾纠纷多少件?
                expect: {sources: [{org: 泾源县, year: 2024}]}
              - id: meta-wrong-on-purpose
                kind: metadata
                file: 2024-jichang-zhen.txt
                expect: {org: 泾源县}
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(evals_tab, "SUITES_DIR", suites)
    page = page_for(app)
    open_tab(page, "评测")
    page.locator("#eval-suites").get_by_text("ui-small.dev.v1.yaml").click()
    page.locator("#run-evals").click()
    expect(page.locator("#eval-status")).to_contain_text("完成", timeout=120_000)
    table = page.locator("#eval-table")
    for case in ("meta-jichang", "find-jingyuan", "qa-jingyuan", "meta-wrong-on-purpose"):
        expect(table).to_contain_text(case)
    expect(table).to_contain_text("通过")
    expect(table).to_contain_text("失败")
    expect(page.locator("#eval-totals")).to_contain_text("75%")  # 3 of 4 pass
    # the failed case opens first, with its checks
    detail = page.locator("#eval-case-detail")
    expect(detail).to_contain_text("meta-wrong-on-purpose")
    expect(detail).to_contain_text("【未通过】")
    screenshot(page, "evals")
    # a second run can be compared with the first: same cases, nothing flipped
    first_status = page.locator("#eval-status").inner_text()
    page.locator("#run-evals").click()
    expect(page.locator("#eval-status")).not_to_have_text(first_status)
    expect(page.locator("#eval-status")).to_contain_text("完成")
    page.locator("#eval-earlier input").click()
    page.get_by_role("option").filter(has_text="ui-small.dev.v1").first.click()
    page.locator("#eval-compare").click()
    expect(page.locator("#eval-diff-note")).to_contain_text("75% → 75%;0 个用例结果改变")


def test_summary_figures_comparison_and_tracker(app, tmp_path):
    from assistant.ingest import ingest_paths

    assert ingest_paths(app["library"], [xuxing_2025(tmp_path)], progress=False).ok
    page = page_for(app)
    open_tab(page, "摘要")
    choose(page, "summary-report", "泾源县 2024年")
    page.locator("#summarize").click()
    expect(page.locator("#summary-text")).to_contain_text("泾源县 2024年 摘要")
    expect(page.locator("#summary-text")).to_contain_text("存在的不足")
    expect(page.locator("#summary-figures")).to_contain_text("69次")  # the table is virtualised: an early row
    page.locator("#compare-question textarea").fill("各乡镇2024年调解矛盾纠纷的件数?")
    page.locator("#compare").click()
    expect(page.locator("#compare-note")).to_contain_text("份报告", timeout=60_000)
    expect(page.locator("#compare-table")).to_contain_text("吉昌镇")  # 各乡镇: towns and townships, not 泾源县
    choose(page, "track-org", "徐行镇")
    expect(page.locator("#track-pair input")).to_have_value("2024年 → 2025年")
    page.locator("#track").click()
    expect(page.locator("#track-table")).to_contain_text("已报告")
    screenshot(page, "summary")


def test_year_field_is_empty_until_a_body_is_chosen(app):
    page = page_for(app)
    open_tab(page, "起草")
    assert page.locator("#draft-year input").input_value() == ""  # not 0
    choose(page, "draft-org", "荆家镇")
    page.wait_for_function("document.querySelector('#draft-year input').value === '2024'")  # last report 2023 + 1


def test_stop_keeps_what_was_written_and_says_stopped(app):
    page = page_for(app)
    app["llm"].delay_s = 0.3  # slow replies, so the draft is still being written when we press stop
    try:
        open_tab(page, "起草")
        choose(page, "draft-org", "泾源县")
        page.wait_for_function("document.querySelector('#draft-year input').value === '2025'")
        page.locator("#start-draft").click()
        expect(page.locator("#draft-progress")).to_contain_text("正在写第", timeout=30_000)
        expect(page.locator("#draft-live")).to_contain_text("▌", timeout=30_000)  # streaming text is shown
        expect(page.locator("#draft-live p").nth(1)).to_be_visible(timeout=60_000)  # a finished paragraph too
        screenshot(page, "draft-streaming")
        page.locator("#stop-draft").click()
        expect(page.locator("#draft-progress")).to_contain_text("已停止", timeout=15_000)
        calls = len(app["llm"].requests)
        page.wait_for_timeout(3000)
        assert len(app["llm"].requests) == calls  # the worker stopped asking the model
        assert "正在写第" not in page.locator("#draft-progress").inner_text()
        assert page.locator("#draft-live p").count() >= 2  # what was written stays on the page
        assert "▌" not in page.locator("#draft-live").inner_text()
        assert page.locator(".error:visible").count() == 0  # no 错误 badges over the outputs
        assert "泾源县2025年" not in page.locator("#draft-title").inner_text()
        screenshot(page, "draft-stopped")
    finally:
        app["llm"].delay_s = 0.0


def test_chat_filter_restricts_scope(app):
    page = page_for(app)
    choose(page, "filter-org", "徐行镇")
    page.locator("#question textarea").fill("组织执法队员培训多少次?")
    page.locator("#send").click()
    cite = page.locator("#chatbot details.citation").first
    cite.wait_for()
    assert "徐行镇" in cite.locator("summary").inner_text()
    expect(page.locator("#scope")).to_contain_text("范围: 徐行镇")
    assert "自动识别" not in page.locator("#scope").inner_text()


def test_assistant_ui_command_serves_on_localhost_with_auth_and_banner(app, tmp_path):
    """The real entry point in a subprocess: `assistant ui --port P` with auth; the model endpoint is down, so
    the banner shows while the library part of the page still works. (Uses the module's browser only.)"""
    import os
    import subprocess
    import sys

    from browser import free_port

    port, dead = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        ASSISTANT_HOME=str(tmp_path / "home"),
        ASSISTANT_LLM_BASE_URL=f"http://127.0.0.1:{dead}/v1",
        ASSISTANT_LLM_MODEL="m",
        ASSISTANT_UI_USERNAME="staff",
        ASSISTANT_UI_PASSWORD="secret-pw",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        import httpx

        url = f"http://127.0.0.1:{port}/"
        for _ in range(120):
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    pytest.fail(proc.stdout.read())
                time.sleep(0.5)
        # the module's browser (Playwright's sync API allows one driver per thread)
        context = app["browser"].new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        _open_pages.append(page)
        page.goto(url)
        page.locator("input[type=password]").wait_for()  # Gradio's login form, not the app
        page.locator("input[type=text]").fill("staff")
        page.locator("input[type=password]").fill("secret-pw")
        page.locator("button[type=submit], button:has-text('Login'), button:has-text('登录')").first.click()
        banner = page.locator("#status .status-banner")
        expect(banner).to_contain_text("模型不可用", timeout=30_000)
        expect(page.locator("#status")).to_contain_text("0 份报告")
        open_tab(page, "报告库")  # the rest keeps working
        expect(page.locator("#report-table")).to_be_visible()
        screenshot(page, "banner-model-down")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.mark.parametrize("width", [1280, 1024])
def test_every_tab_fits_the_window(app, width):
    """Each tab at a laptop width: no horizontal overflow (nothing cut off at the right edge); screenshots."""
    page = page_for(app, width=width)
    for label, name in [("对话", "chat"), ("起草", "draft"), ("报告库", "library"), ("摘要", "summary"), ("评测", "evals")]:
        open_tab(page, label)
        page.wait_for_timeout(400)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label} overflows by {overflow}px at {width}px"
        screenshot(page, f"tab-{name}-{width}")


def test_library_edit_metadata_and_remove_with_confirmation(app, tmp_path):
    from assistant.ingest import ingest_paths

    assert ingest_paths(app["library"], [xuxing_2025(tmp_path)], progress=False).ok
    page = page_for(app)
    open_tab(page, "报告库")
    choose(page, "report-picker", "徐行镇 2025年")
    expect(page.locator("#meta-title textarea")).to_have_value("徐行镇2025年法治政府建设情况报告")
    page.locator("#meta-title textarea").fill("徐行镇2025年法治政府建设情况报告(修订)")
    page.locator("#save-meta").click()
    expect(page.locator("#report-table")).to_contain_text("(修订)")
    assert app["library"].get("徐行镇-2025").meta.title.endswith("(修订)")
    page.locator("#delete-report").click()
    expect(page.locator("#confirm-delete")).to_be_visible()
    page.locator("#cancel-delete").click()  # cancelling keeps the report
    expect(page.locator("#confirm-delete")).to_be_hidden()
    assert app["library"].get("徐行镇-2025")
    page.locator("#delete-report").click()
    page.locator("#confirm-delete").click()
    expect(page.locator("#report-table")).not_to_contain_text("徐行镇-2025")
    assert "徐行镇-2025" not in [r.id for r in app["library"].reports()]
