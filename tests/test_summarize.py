"""Summaries: code-extracted measures, figures, shortcomings and plans, all traceable; optional cited overview."""

from __future__ import annotations

import re

import pytest

from assistant.figures import find_figures
from assistant.llm import FakeChatModel
from assistant.answers.summarize import figures_table, summarize
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
    s = summarize(report, model=FakeChatModel(["泾源县成效明显。"]))
    assert s.overview == "泾源县成效明显。" and "没有引用" in s.overview_note
