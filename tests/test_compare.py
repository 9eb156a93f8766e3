"""Cross-report comparison: every matching report, figures by code first, the model only where code finds
nothing, progress per report, a table and a coverage line."""

from __future__ import annotations

import re

import pytest

from assistant.answers.citations import REFUSAL
from assistant.answers.compare import CompareProgress, Comparison, compare, infer_levels, scope, stream_compare
from assistant.answers.question import parse_question
from assistant.errors import BadInput
from assistant.llm import FakeChatModel
from assistant.types import SearchFilter
from fake_library import FakeLibrary, make_report, sample_library

Q = "各乡镇2024年调解矛盾纠纷的件数?"


def per_report_reply(messages):
    """A fake model that answers from the material it is shown, citing the passage with 件 in it."""
    material = messages[-1]["content"]
    m = re.search(r"\[(ev-[0-9a-f]{8})\] (\S+) [^\n]*\n([^\n]*?(\d+)件[^\n]*)", material)
    if not m or "纠纷" not in m.group(3):
        return REFUSAL
    return f"{m.group(2)}共受理矛盾纠纷{m.group(4)}件 [{m.group(1)}]。"


class CatalogOnlyLibrary(FakeLibrary):
    """A library that fails if anything decodes every report, and counts the reports decoded one by one."""

    decoded: list[str]

    def reports(self):
        raise AssertionError("a question must not decode every report")

    def get(self, ref):
        self.decoded = [*getattr(self, "decoded", []), ref]
        return super().get(ref)


def test_scope_reads_level_and_year_off_the_question():
    lib = sample_library()
    f, entries = scope(parse_question(Q, [(e.org, e.year) for e in lib.catalog()]), lib.catalog())
    assert f.years == [2024] and f.levels == ["镇", "乡"]
    assert [e.org for e in entries] == ["柱山乡", "徐行镇"]  # 泾源县 is a 县, not a 乡镇


def test_every_matching_report_gets_a_row_by_code_without_a_model():
    comparison = compare(Q, sample_library())
    rows = {r.org: r for r in comparison.rows}
    assert set(rows) == {"徐行镇", "柱山乡"}
    x = rows["徐行镇"]
    assert x.mentioned and x.found_by == "code" and x.figure.text == "186件" and x.figure.value == 186
    assert "矛盾纠纷" in x.figure_what and x.answer == "全年共受理各类矛盾纠纷186件,调解成功率达到95%[1]。"
    assert x.figure_citation.org == "徐行镇" and x.figure_citation.quote[x.figure.start : x.figure.end] == "186件"
    assert not rows["柱山乡"].mentioned  # its report gives no dispute count
    assert comparison.coverage_line() == "基于 1/2 份报告;未提及: 柱山乡(2024)"


# On the topic, with a count, but too loosely worded for code to take it as the answer: the model reads it.
LOOSE = "一、主要举措和成效\n矛盾纠纷调解工作有序开展,调解成效明显。\n全镇纠纷调处86件,群众满意。"


def test_the_model_is_asked_only_where_code_finds_nothing_it_could_cite():
    lib = sample_library()
    lib.reports_ += [make_report("清水镇", 2024, LOOSE),
                     make_report("石桥镇", 2024, "一、主要举措和成效\n矛盾纠纷调解工作有序开展,调解成效明显。")]
    model = FakeChatModel([per_report_reply])
    comparison = compare(Q, lib, model=model)
    # 徐行镇: code found 186件; 柱山乡: nothing on disputes; 石桥镇: on disputes but no count to cite (未提及 without
    # asking); 清水镇: a count code would not take on its own wording
    assert len(model.history) == 1 and comparison.model_calls == 1
    shown = model.history[0].messages[-1]["content"]
    assert "清水镇" in shown and "86件" in shown and "徐行镇" not in shown
    rows = {r.org: r for r in comparison.rows}
    assert rows["徐行镇"].found_by == "code" and rows["清水镇"].found_by == "model" and "86件[1]" in rows["清水镇"].answer
    assert not rows["石桥镇"].mentioned
    table = comparison.to_markdown()
    assert "| 徐行镇 | 2024 |" in table and "186件" in table and "(程序摘出)" in table and "(模型)" in table
    assert table.endswith("基于 2/4 份报告;未提及: 柱山乡(2024)、石桥镇(2024)")


def test_a_model_row_with_a_wrong_figure_is_flagged():
    lib = FakeLibrary([make_report("清水镇", 2024, LOOSE)])
    comparison = compare(Q, lib, model=FakeChatModel([lambda m: per_report_reply(m).replace("86件", "68件")]))
    (row,) = comparison.rows
    assert row.found_by == "model" and [f.text for f in row.ungrounded] == ["68件"]


def test_a_plan_target_is_not_taken_for_a_result():
    text = ("一、主要举措和成效\n矛盾纠纷调解工作有序开展,力争调解成功率达到98%以上。\n"
            "三、下一步工作安排\n一是矛盾纠纷调解成功率保持在95%以上。")
    lib = FakeLibrary([make_report("清水镇", 2024, text)])
    comparison = compare("各乡镇矛盾纠纷调解成功率是多少?", lib, model=FakeChatModel([REFUSAL]))
    (row,) = comparison.rows
    assert not row.mentioned and row.figure is None and "未提及: 清水镇(2024)" in comparison.coverage_line()
    planned = compare("各乡镇计划把矛盾纠纷调解成功率提高到多少?", lib)
    assert planned.rows[0].found_by == "code" and "98%" in planned.rows[0].answer  # plans asked: targets answer


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
    assert len(comparison.rows) == 2
    assert all(r.answer.startswith("相关段落: ") and r.citations for r in comparison.rows)


def test_the_same_body_over_two_years_gives_two_rows():
    lib = sample_library()
    lib.reports_.append(make_report("徐行镇", 2023, "一、主要举措和成效\n全年共受理各类矛盾纠纷150件。"))
    comparison = compare("徐行镇调解矛盾纠纷的件数?", lib)
    assert [(r.year, r.figure.text) for r in comparison.rows] == [(2023, "150件"), (2024, "186件")]


def test_progress_comes_per_report_code_rows_first_and_nothing_decodes_every_report():
    lib = CatalogOnlyLibrary(sample_library().reports_ + [make_report("清水镇", 2024, LOOSE)])
    items = list(stream_compare(Q, lib, model=FakeChatModel([REFUSAL])))
    progress, final = items[:-1], items[-1]
    assert isinstance(final, Comparison) and all(isinstance(p, CompareProgress) for p in progress)
    assert [p.done for p in progress] == [1, 2, 3] and {p.total for p in progress} == {3}
    assert [p.row.org for p in progress][-1] == "清水镇"  # the one the model was asked about comes last
    assert progress[-1].line() == "已查 3/3 份报告" and final.model_calls == 1
    assert [r.org for r in final.rows] == ["柱山乡", "徐行镇", "清水镇"]  # in the table's order, not progress order
    assert getattr(lib, "decoded", []) == []


def test_which_reports_mention_is_answered_by_code():
    lib = sample_library()
    lib.reports_.append(make_report("清水镇", 2024, "一、主要举措和成效\n全鎮矛盾糾紛調解工作有序開展。"))
    model = FakeChatModel([])  # fails if asked
    comparison = compare("哪些乡镇提到了矛盾纠纷?", lib, model=model)
    rows = {r.org: r for r in comparison.rows}
    assert model.history == [] and comparison.model_calls == 0 and comparison.term == "矛盾纠纷"
    assert rows["徐行镇"].mentioned and "186件" in rows["徐行镇"].answer and rows["徐行镇"].citations[0].org == "徐行镇"
    assert rows["清水镇"].mentioned and "糾紛" in rows["清水镇"].answer  # traditional characters read as simplified
    assert comparison.coverage_line() == "基于 2/3 份报告;未提及: 柱山乡(2024)"


@pytest.mark.parametrize("q, unit", [("调解矛盾纠纷的件数?", "件"), ("化解率是多少?", "%"), ("参训人数?", "人")])
def test_the_unit_asked_is_read_by_the_question(q, unit):
    assert parse_question(q, []).unit == unit and parse_question(q, []).asks_figure


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


def test_a_plan_then_its_outcome_quotes_the_earlier_reports_target():
    """"2023年度报告给2024年定的目标是多少?到2024年实际做到了多少?": the 2023 row is its plan (96%), not its
    own year's result (95.3%); the 2024 row is the result."""
    earlier = make_report("清水镇", 2023, "一、主要举措和成效\n全年调解矛盾纠纷276件,调解成功率95.3%。\n"
                          "三、下一步工作安排\n调解成功率力争达到96%以上。")
    later = make_report("清水镇", 2024, "一、主要举措和成效\n全年受理矛盾纠纷312件,调解成功率97.1%。")
    lib = FakeLibrary([earlier, later])
    comparison = compare("清水镇2023年度报告给2024年定的调解成功率目标是多少?到2024年实际做到了多少?", lib)
    rows = {r.year: r for r in comparison.rows}
    assert "96%" in rows[2023].answer and "95.3%" not in rows[2023].answer
    assert "97.1%" in rows[2024].answer
