"""Cross-report comparison: every matching report, per-report answers, a table and a coverage line."""

from __future__ import annotations

import re

import pytest

from assistant.answers.citations import REFUSAL
from assistant.answers.compare import compare, infer_levels, scope, wanted_units
from assistant.errors import BadInput
from assistant.llm import FakeChatModel
from assistant.types import SearchFilter
from fake_library import make_report, sample_library

Q = "各乡镇2024年调解矛盾纠纷的件数?"


def per_report_reply(messages):
    """A fake model that answers from the material it is shown, citing the passage with 件 in it."""
    material = messages[-1]["content"]
    m = re.search(r"\[(ev-[0-9a-f]{8})\] (\S+) [^\n]*\n([^\n]*?(\d+)件[^\n]*)", material)
    if not m or "纠纷" not in m.group(3):
        return REFUSAL
    return f"{m.group(2)}共受理矛盾纠纷{m.group(4)}件 [{m.group(1)}]。"


def test_scope_reads_level_and_year_off_the_question():
    f, reports = scope(Q, sample_library())
    assert f.years == [2024] and f.levels == ["镇", "乡"]
    assert [r.meta.org for r in reports] == ["柱山乡", "徐行镇"]  # 泾源县 is a 县, not a 乡镇


def test_every_matching_report_gets_a_row_without_a_model():
    comparison = compare(Q, sample_library())
    rows = {r.org: r for r in comparison.rows}
    assert set(rows) == {"徐行镇", "柱山乡"}
    x = rows["徐行镇"]
    assert x.mentioned and x.figure.text == "186件" and x.figure.value == 186
    assert "矛盾纠纷" in x.figure_what and "186件" in x.answer
    assert x.figure_citation.org == "徐行镇" and "186件" in x.figure_citation.quote
    assert x.figure_citation.quote[x.figure.start : x.figure.end] == "186件"
    assert not rows["柱山乡"].mentioned  # its report gives no dispute count
    assert comparison.coverage_line() == "基于 1/2 份报告;未提及: 柱山乡(2024)"


def test_with_a_model_each_report_is_asked_separately_with_its_own_evidence():
    model = FakeChatModel([per_report_reply, per_report_reply])
    comparison = compare(Q, sample_library(), model=model)
    assert len(model.history) == 2
    prompts = [c.messages[-1]["content"] for c in model.history]
    assert all("泾源县" not in p for p in prompts)
    assert "柱山乡" in prompts[0] and "徐行镇" not in prompts[0]
    rows = {r.org: r for r in comparison.rows}
    assert rows["徐行镇"].answer == "徐行镇共受理矛盾纠纷186件[1]。" and rows["徐行镇"].ungrounded == []
    assert rows["徐行镇"].citations[0].org == "徐行镇"
    assert rows["柱山乡"].answer == REFUSAL and not rows["柱山乡"].mentioned
    table = comparison.to_markdown()
    assert "| 徐行镇 | 2024 |" in table and "186件" in table and "未提及" in table
    assert table.endswith("基于 1/2 份报告;未提及: 柱山乡(2024)")


def test_a_wrong_figure_in_a_row_is_flagged():
    def wrong(messages):
        return per_report_reply(messages).replace("186件", "168件")

    comparison = compare(Q, sample_library(), model=FakeChatModel([wrong, wrong]))
    row = next(r for r in comparison.rows if r.org == "徐行镇")
    assert [f.text for f in row.ungrounded] == ["168件"] and row.figure.text == "186件"


def test_all_reports_with_a_year_filter_and_county_included():
    comparison = compare("2024年调解矛盾纠纷多少件?", sample_library())
    assert {r.org for r in comparison.rows} == {"泾源县", "徐行镇", "柱山乡"}
    rows = {r.org: r for r in comparison.rows}
    assert rows["泾源县"].figure.text == "930件"


def test_explicit_filter_wins():
    comparison = compare(Q, sample_library(), filter=SearchFilter(orgs=["泾源县"]))
    assert [r.org for r in comparison.rows] == ["泾源县"]


def test_non_count_question_without_a_model_shows_the_best_passage():
    comparison = compare("各乡镇2024年存在哪些不足?", sample_library())
    assert all(r.answer.startswith("相关段落: ") and r.citations for r in comparison.rows)


def test_the_same_body_over_two_years_gives_two_rows():
    lib = sample_library()
    lib.reports_.append(make_report("徐行镇", 2023, "一、主要举措和成效\n全年共受理各类矛盾纠纷150件。"))
    comparison = compare("徐行镇调解矛盾纠纷的件数?", lib)
    assert [(r.year, r.figure.text) for r in comparison.rows] == [(2023, "150件"), (2024, "186件")]


@pytest.mark.parametrize(
    "q, units", [("调解矛盾纠纷的件数?", ["件", "起", "宗"]), ("化解率是多少?", ["%"]), ("有哪些不足?", None)]
)
def test_wanted_units(q, units):
    assert wanted_units(q) == units


def test_infer_levels():
    assert infer_levels("各乡镇的情况") == ["镇", "乡"]
    assert infer_levels("各街道") == ["街道"]
    assert infer_levels("泾源县的情况") is None


def test_bad_input():
    with pytest.raises(BadInput):
        compare("  ", sample_library())
    with pytest.raises(BadInput) as exc:
        compare("各街道2024年调解矛盾纠纷的件数?", sample_library())
    assert "没有符合条件的报告" in str(exc.value)
