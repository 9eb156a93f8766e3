"""Summaries: code-extracted measures, figures, shortcomings and plans, all traceable; optional cited overview."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from assistant.answers.overview import (
    CHECKING,
    EXTRACTING,
    REWRITING,
    WRITING,
    copied_run,
    overview_material,
    whole_sentences,
)
from assistant.answers.summarize import Summary, figures_table, stream_summary, summarize
from assistant.figures import find_figures
from assistant.llm import FakeChatModel, messages_tokens
from assistant.settings import Settings, SummarySettings
from assistant.types import Part
from fake_library import JINGYUAN, make_report

ingest = pytest.importorskip("assistant.ingest")


@pytest.fixture(scope="module")
def jingyuan():
    from pathlib import Path

    return ingest.parse_file(Path(__file__).parent.parent / "samples" / "reports" / "2024-jingyuan-xian.txt")


@pytest.fixture(scope="module")
def xuxing():
    from pathlib import Path

    return ingest.parse_file(Path(__file__).parent.parent / "samples" / "reports" / "2024-xuxing-zhen.txt")


def test_every_summary_line_points_at_its_passage(jingyuan, xuxing):
    for report in (jingyuan, xuxing):
        s = summarize(report)
        for p in s.measures + s.shortcomings + s.causes + s.plans:
            assert report.text[p.start : p.end] == p.text and p.text.strip()
        for row in s.figures:
            assert report.text[row.figure.start : row.figure.end] == row.figure.text
            assert report.text[row.sentence_start : row.sentence_end] == row.sentence
            assert row.figure.text in row.sentence


def test_key_measures_are_lead_sentences_under_measure_headings(jingyuan):
    measures = summarize(jingyuan).measures
    leads = [m.text for m in measures]
    assert "深学细悟强思想。" in leads and "着力优化法治化营商环境。" in leads
    assert all(m.part == Part.MEASURES for m in measures)
    assert measures[0].heading == "一、突出政治引领,筑牢法治建设根基"
    assert all(len(m.text) <= 51 for m in measures)


def test_figures_table_says_what_each_number_counts(jingyuan):
    rows = {r.figure.text: r for r in figures_table(jingyuan)}
    assert rows["930件"].what.endswith("调解矛盾纠纷") and rows["930件"].figure.value == 930
    assert rows["96.77%"].what.endswith("化解率")
    assert rows["1500万元"].figure.value == 15_000_000 and rows["1500万元"].figure.unit == "元"
    assert rows["1500万元"].what == rows["1420户"].what == "落实减税降费"  # 1420户1500万元
    assert rows["3140人次"].what.endswith("法律咨询")
    assert not any(t.startswith("2024") for t in rows)


def test_figures_table_leaves_out_only_figures_it_cannot_label(jingyuan):
    body = [f for f in find_figures(jingyuan.text) if jingyuan.sections[0].end <= f.start]
    kept = {r.figure.start for r in figures_table(jingyuan)}
    left_out = [jingyuan.text[f.start - 12 : f.end + 4] for f in body if f.start not in kept]
    assert len(left_out) <= 0.1 * len(body), left_out
    # each for a reason a reader would accept: part of a name, or a phrase that names nothing
    assert sum("三项制度" in s or "一支队伍" in s for s in left_out) == 4, left_out


def test_shortcomings_and_plans_are_the_reports_items(jingyuan, xuxing):
    s = summarize(jingyuan)
    assert [p.heading for p in s.shortcomings] == ["一是", "二是", "三是"]
    assert len(s.plans) == 3 and s.plans[0].text.startswith("一是聚焦法治化营商环境")
    x = summarize(xuxing)
    assert [p.heading for p in x.shortcomings] == ["(一)普法责任不够明确", "(二)行政执法不够规范"]
    assert len(x.plans) == 5


def test_no_model_no_overview():
    s = summarize(make_report("泾源县", 2024, JINGYUAN, level="县/区"))
    assert s.overview is None and "未使用模型" in s.overview_note


def test_overview_is_cited_and_grounded():
    report = make_report("泾源县", 2024, JINGYUAN, level="县/区")

    def reply(messages):
        material = messages[-1]["content"]
        ev = re.search(r"\[(ev-[0-9a-f]{8})\][^\n]*\n[^\n]*930件", material).group(1)
        return f"泾源县2024年调解矛盾纠纷930件,化解率96.77% [{ev}]。另有调解纠纷999件 [{ev}]。"

    model = FakeChatModel([reply])
    s = summarize(report, model=model)
    assert s.overview.startswith("泾源县2024年调解矛盾纠纷930件,化解率96.77%[1]。")
    assert [f.text for f in s.overview_ungrounded] == ["999件"] and "⚠999件⚠" in s.overview
    assert s.overview_citations[0].org == "泾源县" and s.model == "fake"
    prompt = model.history[0].messages[-1]["content"]
    assert "泾源县 2024年" in prompt
    for needle in ("930件", "一是法治宣传", "一是持续深化普法宣传"):  # every part is shown to the model
        assert needle in prompt


def test_overview_refusal_or_no_citation_is_reported():
    report = make_report("泾源县", 2024, JINGYUAN, level="县/区")
    s = summarize(report, model=FakeChatModel(["无法回答。"]))
    assert s.overview is None and s.overview_note
    s = summarize(report, model=FakeChatModel(["泾源县成效明显。", "泾源县成效明显。"]))  # asked again, then shown
    assert s.overview == "泾源县成效明显。" and "没有引用" in s.overview_note


# --- the overview: the model's own words, whole sentences, no copy ---------------------------------------

COPIED = "全县各级调解组织共调解矛盾纠纷930件,矛盾纠纷化解率96.77%,涉及金额7800万元"  # 44 characters of JINGYUAN


def _cite(messages, needle: str) -> str:
    """The evidence id of the passage holding ``needle`` in the prompt."""
    shown = "\n".join(m["content"] for m in messages)  # the prompt's worked example has other passages
    return re.search(rf"\[(ev-[0-9a-f]{{8}})\][^\n]*\n[^\n]*{needle}", shown).group(1)


def _own_words(messages) -> str:
    return (f"泾源县去年调解纠纷930件,化解率较高[{_cite(messages, '930件')}]。"
            f"普法宣传的针对性仍需加强[{_cite(messages, '一是法治宣传')}]。")


def _copy(messages) -> str:
    return f"{COPIED}[{_cite(messages, '930件')}]。"


def _jingyuan():
    return make_report("泾源县", 2024, JINGYUAN, level="县/区")


def test_copied_run_is_measured_on_the_reports_words_ignoring_punctuation_style():
    report = _jingyuan()
    assert copied_run(COPIED, report.text) == COPIED
    assert len(copied_run("全县各级调解组织共调解矛盾纠纷930件，矛盾纠纷", report.text)) == 24  # ，vs ,
    assert copied_run("泾源县去年调解纠纷930件", report.text) == "纠纷930件"


def test_an_overview_in_its_own_words_is_kept():
    model = FakeChatModel([_own_words])
    s = summarize(_jingyuan(), model=model)
    assert s.overview == "泾源县去年调解纠纷930件,化解率较高[1]。普法宣传的针对性仍需加强[2]。"
    assert s.overview_attempts == 1 and s.overview_copied_chars <= 40 and s.overview_note == ""
    assert model.history[0].kwargs["max_tokens"] == SummarySettings().overview_max_tokens


def test_a_copied_overview_is_rewritten_once_with_the_copied_run_quoted():
    model = FakeChatModel([_copy, _own_words])
    s = summarize(_jingyuan(), model=model)
    assert s.overview.startswith("泾源县去年调解纠纷930件") and s.overview_attempts == 2
    rewrite = model.history[1].messages
    assert rewrite[-2]["role"] == "assistant" and COPIED in rewrite[-2]["content"]
    assert COPIED in rewrite[-1]["content"] and "40" in rewrite[-1]["content"] and "照抄" in rewrite[-1]["content"]
    assert rewrite[: len(model.history[0].messages)] == model.history[0].messages  # same prefix: cached


def test_copied_twice_or_no_time_to_rewrite_means_no_overview():
    s = summarize(_jingyuan(), model=FakeChatModel([_copy, _copy]))
    assert s.overview is None and "照抄" in s.overview_note and s.overview_copied_chars >= len(COPIED)

    class Slow(FakeChatModel):
        def stream(self, messages, **kw):
            time.sleep(0.05)
            yield from super().stream(messages, **kw)

    settings = Settings(summary=SummarySettings(deadline_s=0.05))
    model = Slow([_copy, _own_words])
    s = summarize(_jingyuan(), model=model, settings=settings)
    assert s.overview is None and "来不及" in s.overview_note and len(model.history) == 1


def test_an_overview_citing_nothing_is_asked_again_then_shown_with_a_warning():
    model = FakeChatModel(["泾源县成效明显,普法仍需加强。", _own_words])
    s = summarize(_jingyuan(), model=model)
    assert s.overview.endswith("仍需加强[2]。") and s.overview_attempts == 2 and s.overview_note == ""
    assert "没有在句末标注" in model.history[1].messages[-1]["content"]
    s = summarize(_jingyuan(), model=FakeChatModel(["泾源县成效明显。", "泾源县普法仍需加强。"]))
    assert s.overview == "泾源县普法仍需加强。" and "没有引用" in s.overview_note
    s = summarize(_jingyuan(), model=FakeChatModel(["泾源县成效明显。", _copy]))
    assert s.overview == "泾源县成效明显。" and "没有引用" in s.overview_note  # the copy is not kept


def test_citations_written_as_a_list_are_joined():
    def listed(messages):
        return f"泾源县调解纠纷较多,普法仍需加强[{_cite(messages, '930件')}]、[{_cite(messages, '一是法治宣传')}]。"

    assert summarize(_jingyuan(), model=FakeChatModel([listed])).overview.endswith("加强[1][2]。")


def test_an_overview_cut_at_max_tokens_keeps_its_whole_sentences():
    assert whole_sentences("主要举措有成效[ev-1a2b3c4d]。存在不足[ev-0a1b2c3d]。下一步将加强现场") == \
        "主要举措有成效[ev-1a2b3c4d]。存在不足[ev-0a1b2c3d]。"
    assert whole_sentences("主要举措有成效。[ev-1a2b3c4d] 下一步") == "主要举措有成效。[ev-1a2b3c4d]"

    def cut(messages):
        return _own_words(messages) + f"下一步将加强执法队伍建设,开展现场[{_cite(messages, '一是持续深化')}"

    s = summarize(_jingyuan(), model=FakeChatModel([cut]))
    assert s.overview.endswith("仍需加强[2]。")


def test_the_model_sees_a_small_selection_of_every_part():
    report = ingest.parse_file(Path(__file__).parent.parent / "samples" / "reports" / "2024-jingyuan-xian.txt")
    cfg = SummarySettings()
    material = overview_material(report, cfg)
    assert {ev.chunk.part for ev in material} >= {Part.MEASURES, Part.SHORTCOMINGS, Part.PLANS}
    assert all(len(ev.chunk.text) <= cfg.passage_chars for ev in material)
    assert all(report.text[ev.chunk.start : ev.chunk.end] == ev.chunk.text for ev in material)
    model = FakeChatModel(["概述。", "概述。"])
    summarize(report, model=model)
    assert messages_tokens(model.history[0].messages) <= cfg.material_tokens + 700  # + instructions and example


def test_stream_summary_says_what_it_is_doing_and_shows_the_code_parts_first():
    items = list(stream_summary(_jingyuan(), FakeChatModel([_own_words])))
    steps = [i for i in items if not isinstance(i, (str, Summary))]
    assert steps == [EXTRACTING, WRITING, CHECKING]
    summaries = [i for i in items if isinstance(i, Summary)]
    assert len(summaries) == 2 and summaries[0] is summaries[1] and summaries[-1] is items[-1]
    assert items.index(summaries[0]) < items.index(WRITING)  # shown while the model writes
    assert "".join(i for i in items if isinstance(i, str)).startswith("泾源县去年")
    assert WRITING.label == "模型撰写概述" and WRITING.name == "thinking" and REWRITING.name == "thinking"
    assert [i for i in stream_summary(_jingyuan(), FakeChatModel([_copy, _own_words])) if i is REWRITING]


def test_ui_summary_streams_progress_then_the_checked_overview(tmp_path):
    from ui.context import AppContext
    from ui.summary_tab import summarize_stream
    from vectorstore import FakeEmbedding, open_library

    class SlowToStart(FakeChatModel):
        def stream(self, messages, **kw):
            time.sleep(1.2)
            yield from super().stream(messages, **kw)

    settings = Settings(home=tmp_path / "home")
    lib = open_library(settings, embedding=FakeEmbedding())
    lib.add(_jingyuan())
    ctx = AppContext.create(settings, lib, SlowToStart([_own_words]))
    steps = list(summarize_stream(ctx, "泾源县-2024", tick_s=0.25))
    assert "摘取" in steps[0][0]
    first_html, first_rows = next(step for step in steps if isinstance(step[1], list))
    assert "一是法治宣传" in first_html and any("930件" in r for r in first_rows)  # code parts at once
    assert "泾源县去年" not in first_html
    waiting = [html for html, _ in steps if "模型撰写概述" in html]
    assert len(waiting) >= 3 and "模型撰写概述 1 秒" in "".join(waiting)  # redrawn with the seconds
    last_html, _ = steps[-1]
    assert "泾源县去年调解纠纷930件" in last_html and "用时" in last_html and "模型撰写概述" not in last_html


def test_cli_summarize_prints_one_line_per_step_when_piped(monkeypatch, capsys):
    from assistant import runtime
    from assistant.cli import main
    from fake_library import sample_library

    monkeypatch.setattr(runtime, "library", lambda: sample_library())
    monkeypatch.setattr(runtime, "chat_model", lambda: FakeChatModel([_own_words]))
    assert main(["summarize", "泾源县-2024"]) == 0
    captured = capsys.readouterr()
    assert "摘取举措、数字、不足和安排… 已用 0 秒" in captured.err
    assert "模型撰写概述… 已用" in captured.err and "核对概述" in captured.err
    assert "概述 (模型撰写, 已核对): 泾源县去年调解纠纷930件" in captured.out and "用时" in captured.out
