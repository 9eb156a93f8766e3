"""Fast tests of the UI's own code: rendering, filters, edits, upload screening, status, background runs,
the CLI subcommand. No browser; Chroma only where a handler is run end to end (embedded, fake embeddings).
"""

from __future__ import annotations

import threading
import time

import pytest

from assistant.settings import LLMSettings, Settings, UISettings
from assistant.types import (
    Answer,
    Citation,
    Draft,
    DraftParagraph,
    DraftSection,
    Figure,
    Part,
    SearchFilter,
    SourceRef,
)
from ui import render
from ui.background import Cancelled, Done, Failed, run_with_events


def citation(quote: str = "全年调解矛盾纠纷930件<script>") -> Citation:
    return Citation("ev-1a2b3c4d", "泾源县-2024", "泾源县", 2024, Part.MEASURES, "五、践行法治为民", quote, "ch-1")


# --- rendering -------------------------------------------------------------------------------------


def test_mark_figures_escapes_and_marks_by_offset():
    text = "调解<b>纠纷930件,化解率96.77%"
    fig = Figure("930件", 930, "件", text.index("930件"), text.index("930件") + 4)
    html = render.mark_figures(text, [fig])
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert '<mark class="ungrounded"' in html and "⚠930件</mark>" in html
    assert html.count("<mark") == 1  # 96.77% is grounded: not marked


def test_mark_figures_replaces_the_plain_text_marks_qa_already_added():
    text = "调解纠纷⚠931件⚠。"
    fig = Figure("931件", 931, "件", text.index("931件"), text.index("931件") + 4)
    html = render.mark_figures(text, [fig])
    assert html == '调解纠纷<mark class="ungrounded" title="此数字在所引用的原文中未找到,请核对">⚠931件</mark>。'


def test_mark_figures_falls_back_to_first_occurrence_when_offsets_are_stale():
    fig = Figure("12场次", 12, "场次", 0, 4)  # offsets from another text
    assert "⚠12场次</mark>" in render.mark_figures("开展宣传12场次。", [fig])


def test_answer_html_shows_citation_passage_refusal_and_ungrounded_notes():
    fig = Figure("931件", 931, "件", 2, 6)
    ans = Answer("问题", "调解931件[1]。", [citation()], [], ungrounded=[fig], invented_ids=["ev-deadbeef"])
    html = render.answer_html(ans, "没有作答")
    assert "<details" in html and "[1] 泾源县 2024年 · 举措成效 · 五、践行法治为民" in html
    assert "全年调解矛盾纠纷930件&lt;script&gt;" in html  # the quoted passage, escaped
    assert "931件" in html and "note-warning" in html and "1 个不对应任何检索段落的出处编号" in html
    assert "ev-deadbeef" not in html  # an invented id means nothing to a reader; the count and removal do
    assert "没有作答" not in html
    refused = render.answer_html(Answer("问题", "现有报告中没有找到", [], [], refused=True), "没有作答")
    assert "note-refusal" in refused and "没有作答" in refused and "<details" not in refused


def test_filter_html_says_when_scope_was_inferred():
    assert "自动识别" in render.filter_html(SearchFilter(orgs=["泾源县"], years=[2024], inferred=True))
    assert "自动识别" not in render.filter_html(SearchFilter(orgs=["泾源县"]))
    assert render.filter_html(None) == ""


def test_report_html_tags_each_section_with_its_part():
    from vectorstore.testing import make_report

    report = make_report("吉昌镇", 2024, [(Part.MEASURES, "一、主要举措"), (Part.SHORTCOMINGS, "二、存在不足<x>")])
    html = render.report_html(report)
    assert html.count('class="part-tag"') == len(report.sections)
    assert "不足" in html and "&lt;x&gt;" in html


# --- chat ------------------------------------------------------------------------------------------


def test_build_filter_none_means_infer_and_off_means_every_report():
    from ui.chat_tab import build_filter
    from ui.render import filter_html

    assert build_filter(None, None, None, True) is None
    everything = build_filter(None, None, None, False)
    assert everything is not None and everything.is_empty() and not everything.inferred
    assert "全部报告" in filter_html(everything)
    chosen = build_filter(["甲镇"], ["2024"], ["不足"], True)
    assert chosen.orgs == ["甲镇"] and chosen.years == [2024] and chosen.parts == [Part.SHORTCOMINGS]


@pytest.fixture
def small_library(tmp_path):
    from vectorstore import FakeEmbedding, open_library
    from vectorstore.testing import make_report

    settings = Settings(home=tmp_path / "home")
    lib = open_library(settings, embedding=FakeEmbedding())
    lib.add(make_report("泾源县", 2024, [(Part.MEASURES, "全年调解矛盾纠纷930件,化解率96.77%。")], level="县/区"))
    lib.add(make_report("徐行镇", 2024, [(Part.MEASURES, "全年调解矛盾纠纷312件。")]))
    return settings, lib


def test_ask_streams_then_shows_cited_answer_and_keeps_history_per_state(small_library):
    from assistant.llm import FakeChatModel
    from ui.chat_tab import ask
    from ui.context import AppContext

    settings, lib = small_library

    def reply(messages):  # cite the first evidence id shown to the model
        import re

        return "全年调解矛盾纠纷930件" + "[" + re.search(r"ev-[0-9a-f]{8}", messages[-1]["content"]).group(0) + "]。"

    model = FakeChatModel([reply])
    ctx = AppContext.create(settings, lib, model)
    steps = list(ask(ctx, "泾源县2024年调解矛盾纠纷多少件?", [], None, None, None, True))
    assert len(steps) >= 3  # the question at once, streamed pieces, the checked answer
    messages, turns, scope, clear_button, _ = steps[-1]
    assert len(turns) == 1 and turns[0].answer.citations[0].org == "泾源县"
    assert "<details" in messages[-1]["content"] and "930件" in messages[-1]["content"]
    assert "泾源县" in scope and clear_button["visible"] is True


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_ask_shows_the_phase_and_counts_the_seconds_while_the_model_thinks(small_library):
    from assistant.llm import FakeChatModel
    from ui.chat_tab import ask
    from ui.context import AppContext

    class SlowToStart(FakeChatModel):
        def stream(self, messages, **kw):
            pieces = super().stream(messages, **kw)
            time.sleep(1.3)  # a small model on a busy CPU: nothing for a while, then the words
            yield from pieces

    settings, lib = small_library
    ctx = AppContext.create(settings, lib, SlowToStart(["我不知道。"]))
    shown = [step[0][-1]["content"] for step in ask(ctx, "泾源县2024年调解矛盾纠纷多少件?", [], None, None, None, True,
                                                    tick_s=0.25)]
    assert "检索中" in shown[0] and "answer-phase" in shown[0]  # at once, before anything came back
    thinking = [s for s in shown if "模型思考中" in s]
    assert len(thinking) >= 3  # redrawn while nothing arrives
    assert "模型思考中 1 秒" in "".join(thinking)  # …with the seconds counted
    assert "answer-phase" not in shown[-1]  # the checked answer replaces the waiting line


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_ask_reports_a_model_failure_in_the_chat_and_the_banner(small_library):
    from assistant.errors import ModelUnavailable
    from ui.chat_tab import ask
    from ui.context import AppContext
    from ui.status import render as render_status

    class DownModel:
        name, context_window = "down", 8192

        def stream(self, messages, **kw):
            raise ModelUnavailable("模型服务无法连接")

        complete = stream

    settings, lib = small_library
    ctx = AppContext.create(settings, lib, DownModel())
    *_, last = ask(ctx, "泾源县2024年调解矛盾纠纷多少件?", [], None, None, None, True)
    assert "模型服务无法连接" in last[0][-1]["content"]
    assert "模型不可用" in render_status(ctx) and "报告库不可用" not in render_status(ctx)


# --- drafting edits --------------------------------------------------------------------------------


def make_draft() -> Draft:
    src = SourceRef("last_report", "吉昌镇 2024年 · 安排-1", "加强学习")
    sec = DraftSection(
        Part.MEASURES,
        "一、2025年主要举措和成效",
        [DraftParagraph("开展学法3次。", [src], heading="强化学习"), DraftParagraph("〔待补充:调解件数〕", [src])],
    )
    return Draft("吉昌镇", 2025, "吉昌镇2025年法治政府建设情况报告", "吉昌镇-2024", [sec])


def test_apply_edits_keeps_unchanged_paragraphs_and_sources_and_recounts_placeholders():
    from ui.draft_tab import apply_edits, section_text

    draft = make_draft()
    text = section_text(draft.sections[0].paragraphs)
    assert text.startswith("【强化学习】开展学法3次。")
    assert apply_edits(draft, [text]).sections[0].paragraphs == draft.sections[0].paragraphs
    edited = apply_edits(draft, [text.replace("〔待补充:调解件数〕", "调解纠纷45件。") + "\n\n新增一段。"])
    paras = edited.sections[0].paragraphs
    assert [p.text for p in paras] == ["开展学法3次。", "调解纠纷45件。", "新增一段。"]
    assert paras[0] is not draft.sections[0].paragraphs[0] and paras[0].sources  # a copy, sources kept
    assert paras[1].sources and "用户已修改" in paras[1].notes and paras[2].sources == []
    assert edited.placeholders == [] and draft.sections[0].paragraphs[1].text == "〔待补充:调解件数〕"


def test_placeholder_list_counts_repeats_and_sources_name_every_paragraph():
    from ui.draft_tab import placeholders_html, sources_html

    draft = make_draft()
    draft.placeholders = ["〔待补充:调解件数〕", "〔待补充:调解件数〕", "〔待补充:宣传场次〕"]
    html = placeholders_html(draft)
    assert "共 3 处" in html and "调解件数〕 ×2" in html and html.count("<li>") == 2
    src = sources_html(draft)
    assert src.count("<li>") == 2 and "吉昌镇 2024年 · 安排-1" in src


# --- library uploads -------------------------------------------------------------------------------


def test_screen_uploads_refuses_wrong_type_empty_and_oversized(tmp_path):
    from ui.library_tab import screen_uploads

    ok = tmp_path / "a.txt"
    ok.write_text("报告", encoding="utf-8")
    empty = tmp_path / "b.docx"
    empty.write_bytes(b"")
    exe = tmp_path / "c.exe"
    exe.write_bytes(b"MZ")
    big = tmp_path / "d.pdf"
    big.write_bytes(b"x" * 2_200_000)
    accepted, refused = screen_uploads([str(ok), str(empty), str(exe), str(big)], max_mb=2)
    assert accepted == [ok]
    reasons = {row[0]: row[3] for row in refused}
    assert "为空" in reasons["b.docx"] and "不支持" in reasons["c.exe"] and "超过上限 2 MB" in reasons["d.pdf"]


def test_library_handlers_edit_and_remove_leave_data_alone_on_bad_input(small_library):
    from ui.context import AppContext
    from ui.library_tab import ask_delete, remove_report, save_meta

    settings, lib = small_library
    ctx = AppContext.create(settings, lib, None)
    assert save_meta(ctx, "徐行镇-2024", "", "镇", 2024, "标题")[0] is not None  # refused: skip updates
    assert lib.get("徐行镇-2024").meta.org == "徐行镇"
    table, _picker, _view = save_meta(ctx, "徐行镇-2024", "徐行镇", "镇", 2024, "新标题")
    assert lib.get("徐行镇-2024").meta.title == "新标题" and any("新标题" in row for row in table)
    remove_report(ctx, "徐行镇-2024", None)  # not confirmed on the page: nothing deleted
    assert len(lib.reports()) == 2
    remove_report(ctx, "徐行镇-2024", ask_delete("徐行镇-2024")[2])
    assert [r.id for r in lib.reports()] == ["泾源县-2024"]


# --- evals -----------------------------------------------------------------------------------------


def test_compare_lists_flipped_cases_between_saved_runs(tmp_path):
    import json

    from evals.results import RESULT_FORMAT
    from ui.evals_tab import compare, totals_rows

    def case(i, status):
        return {"suite": "s.v1", "id": i, "kind": "qa", "status": status, "checks": [], "error": None, "seconds": 0.1}

    def write(name, cases):
        passed = sum(c["status"] == "pass" for c in cases)
        totals = {"all": {"total": len(cases), "passed": passed, "failed": len(cases) - passed, "errors": 0,
                          "pass_rate": passed / len(cases)}}
        path = tmp_path / name
        path.write_text(json.dumps({"format": RESULT_FORMAT, "cases": cases, "totals": totals}), encoding="utf-8")
        return path, totals

    old, _ = write("old.json", [case("a", "pass"), case("b", "fail"), case("c", "pass")])
    new, totals = write("new.json", [case("a", "fail"), case("b", "fail"), case("c", "pass")])
    flips, note = compare({"saved_as": str(new)}, str(old))
    assert flips == [["a", "qa", "通过", "失败", ""]]
    assert "67% → 33%" in note and "1 个用例结果改变" in note and "1 个退步" in note
    assert totals_rows(totals) == [["全部", "3", "1", "2", "0", "33%"]]


# --- status ----------------------------------------------------------------------------------------


def test_probe_model_sets_banner_for_unreachable_endpoint_and_clears_it(tmp_path):
    from browser import free_port
    from fake_openai_server import FakeOpenAIServer
    from ui.context import AppContext
    from ui.status import probe_model, render

    dead = Settings(home=tmp_path, llm=LLMSettings(base_url=f"http://127.0.0.1:{free_port()}/v1", model="m"))
    ctx = AppContext.create(dead)
    started = time.perf_counter()
    probe_model(ctx)
    assert time.perf_counter() - started < 5
    assert ctx.model_error and "模型不可用" in render(ctx) and "role=\"alert\"" in render(ctx)
    with FakeOpenAIServer() as srv:
        ctx.settings = Settings(home=tmp_path, llm=LLMSettings(base_url=srv.base_url, model="m"))
        probe_model(ctx)
    assert ctx.model_error is None and "模型不可用" not in render(ctx)


def test_unreachable_chroma_server_sets_library_banner(tmp_path):
    from browser import free_port
    from ui.context import AppContext
    from ui.status import probe

    settings = Settings(home=tmp_path)
    settings = settings.model_copy(
        update={"chroma": settings.chroma.model_copy(update={"host": "127.0.0.1", "port": free_port(), "timeout_s": 1.0})}
    )
    ctx = AppContext.create(settings)
    line = probe(ctx)
    assert ctx.library_error and "报告库不可用" in line
    from ui.chat_tab import refresh_choices

    orgs, years = refresh_choices(ctx)  # the tabs get empty choices, not an exception
    assert orgs["choices"] == [] and years["choices"] == []


# --- background runs -------------------------------------------------------------------------------


def test_run_with_events_yields_events_then_result_or_error():
    def work(emit):
        emit(1)
        emit(2)
        return "ok"

    assert list(run_with_events(work)) == [1, 2, Done("ok")]
    failed = list(run_with_events(lambda emit: 1 / 0))
    assert isinstance(failed[-1], Failed) and isinstance(failed[-1].error, ZeroDivisionError)


def test_closing_the_stream_cancels_the_worker_at_its_next_event():
    stopped = threading.Event()

    def work(emit):
        try:
            for i in range(1000):
                emit(i)
                time.sleep(0.01)
        except Cancelled:
            stopped.set()
            raise

    stream = run_with_events(work)
    assert next(stream) == 0
    stream.close()  # what Gradio does when the user presses 停止
    assert stopped.wait(2)


# --- launch and CLI --------------------------------------------------------------------------------


def test_launch_kwargs_bind_locally_with_auth_and_upload_limit(tmp_path):
    from pydantic import SecretStr

    from ui.app import launch_kwargs

    default = launch_kwargs(Settings(home=tmp_path))
    assert default["server_name"] == "127.0.0.1" and default["auth"] is None and default["share"] is False
    ui = UISettings(host="0.0.0.0", port=8080, username="admin", password=SecretStr("pw"), max_upload_mb=5)
    kw = launch_kwargs(Settings(home=tmp_path, ui=ui))
    assert kw["auth"] == ("admin", "pw") and kw["server_port"] == 8080 and kw["max_file_size"] == "5mb"


def test_cli_ui_registers_and_validates_host_and_port():
    from assistant.cli import build_parser
    from assistant.cli.ui import cmd_ui, settings_for
    from assistant.errors import BadInput

    args = build_parser().parse_args(["ui", "--host", "127.0.0.1", "--port", "7999"])
    assert args.func is cmd_ui
    settings = settings_for(args.host, args.port)
    assert (settings.ui.host, settings.ui.port) == ("127.0.0.1", 7999)
    with pytest.raises(BadInput, match="端口"):
        settings_for(None, 70000)


def test_module_level_demo_is_built_without_opening_library_or_model():
    import gradio as gr

    import ui.app

    assert isinstance(ui.app.demo, gr.Blocks)
    from assistant import runtime

    assert runtime.default().opened_library is None and runtime.default().opened_model is None
