"""Questions about a body or year the library has no report on are refused by code, with the reason."""

from __future__ import annotations

import pytest

from assistant.cli.answers import print_answer
from assistant.answers.citations import REFUSAL
from assistant.llm import FakeChatModel
from assistant.answers.pipeline import answer
from assistant.answers.question import parse_question
from assistant.answers.scope import out_of_scope
from assistant.types import SearchFilter
from fake_library import sample_library
from ui.render import answer_html

# These tests script the model's reply to figure questions code would otherwise answer from the report's
# own clause (answer.quote_first): here the model answers, and the guards after it are what is tested.
pytestmark = pytest.mark.usefixtures("model_answers")

CATALOG = [("泾源县", 2024), ("吉昌镇", 2024), ("徐行镇", 2024), ("柱山乡", 2024), ("荆家镇", 2023)]


def out_of_scope_note(question: str, catalog=CATALOG) -> str | None:
    return out_of_scope(parse_question(question, catalog))


@pytest.mark.parametrize(
    "question, expected",
    [
        ("潼关县2024年组织行政执法培训多少次?", "报告库中没有潼关县的报告"),
        ("请问潼关县司法局今年做了什么", "报告库中没有潼关县司法局的报告"),
        ("华阳街道办事处的行政复议情况", "报告库中没有华阳街道的报告"),
        ("泾源县2023年调解矛盾纠纷多少件?", "报告库中没有泾源县2023年度的报告(现有: 2024年度)"),
        ("荆家镇2024年调解了多少件矛盾纠纷?", "2024年的工作安排见2023年度报告的安排部分"),
        ("2021年各镇调解多少件?", "报告库中没有2021年度的报告"),
        ("潼关2024年组织行政执法培训多少次?", "报告库中没有潼关的报告"),  # no suffix, where a body's name stands
        ("请问枫林2023年培育了多少名法律明白人?", "报告库中没有枫林的报告"),
        ("泾源县交通运输局2023年查办了多少件行政案件?", "报告库中没有泾源县交通运输局的报告"),
    ],
)
def test_out_of_scope_says_what_is_missing_and_what_the_library_holds(question, expected):
    note = out_of_scope_note(question)
    assert note is not None and expected in note


@pytest.mark.parametrize(
    "question",
    [
        "泾源县2024年调解矛盾纠纷多少件?",
        "泾源县2025年有什么安排?",  # plans for 2025 are in the 2024 report
        "柱山乡2025年怎样完善依法行政制度体系?",  # a plan question without a plan word, no count asked
        "泾源2024年法律援助多少件",  # a short form of a known body
        "城关镇和徐行镇哪个调解的纠纷多?",  # one known body named: answer what can be answered
        "各乡镇2024年调解矛盾纠纷的件数?",
        "全县共有多少名执法人员?",
        "泾源县2020年以来累计调解多少件?",  # a span, not a report year
        "泾源县在2023年的基础上增长了多少?",  # a baseline the 2024 report gives
        "到2035年基本建成法治政府需要做什么?",  # a distant target
        "社区和园区的普法工作怎么做?",
        "执法人员2024年共有多少名?",  # a common word before the year is not a body's name
        "今年2024年调解了多少件?",
    ],
)
def test_questions_the_library_may_answer_are_let_through(question):
    assert out_of_scope_note(question) is None


def test_named_bodies_and_years():
    q = parse_question("城关镇和泾源的调解", [("泾源县", 2024), ("徐行镇", 2024)])
    assert (q.bodies, q.unknown_bodies) == (("泾源县",), ("城关镇",))
    assert parse_question("2024年和2035年、2020年以来", [("甲镇", 2023), ("甲镇", 2024)]).years == (2024,)


def test_empty_library_is_not_judged_here():
    assert out_of_scope_note("潼关县2024年培训多少次?", []) is None


def test_answer_refuses_an_unknown_body_without_calling_the_model():
    model = FakeChatModel([])  # an empty queue fails loudly if the model is asked
    ans = answer("潼关县2024年组织行政执法培训多少次?", library=sample_library(), model=model)
    assert ans.refused and ans.text == REFUSAL and ans.citations == [] and model.history == []
    assert "潼关县" in ans.note and "泾源县" in ans.note and ans.guard == "scope"


def test_answer_refuses_a_year_the_body_did_not_report_on(capsys):
    ans = answer("泾源县2023年调解矛盾纠纷多少件?", library=sample_library(), model=FakeChatModel([]))
    assert ans.refused and "2023年度" in ans.note and "2024年度" in ans.note
    print_answer(ans)
    assert "ⓘ 报告库中没有泾源县2023年度的报告" in capsys.readouterr().out
    assert "报告库中没有泾源县2023年度的报告" in answer_html(ans, "通用说明")


def test_an_explicit_filter_is_the_users_choice_and_skips_the_scope_check():
    lib = sample_library()
    model = FakeChatModel([REFUSAL])
    ans = answer("泾源县2023年调解矛盾纠纷多少件?", library=lib, model=model, filter=SearchFilter(orgs=["泾源县"]))
    assert len(model.history) == 1 and ans.note == ""


@pytest.mark.usefixtures("model_reads_every_passage")  # the training passage, off the topic, must be shown
def test_a_count_answered_with_a_figure_about_something_else_is_refused():
    """The report gives no mediation count; a cited training count is not an answer to it."""
    from fake_library import FakeLibrary, make_report
    from test_qa_unit import reply_citing

    text = "一、主要举措和成效\n加强执法培训。2024年组织执法人员培训12次。\n化解矛盾纠纷。调解组织运转良好,矛盾纠纷调解工作有序开展。"
    lib = FakeLibrary([make_report("清水镇", 2024, text)])
    model = FakeChatModel([reply_citing("12次", "[{id}] 清水镇2024年调解矛盾纠纷12次。")])
    ans = answer("清水镇2024年调解矛盾纠纷多少件?", library=lib, model=model)
    assert ans.refused and ans.text == REFUSAL and ans.citations == []
    assert "12次" in ans.note


def test_a_count_answered_from_a_sentence_about_it_is_kept():
    from test_qa_unit import reply_citing

    lib = sample_library()
    model = FakeChatModel([reply_citing("930件", "[{id}] 泾源县2024年调解矛盾纠纷930件。")])
    ans = answer("泾源县2024年调解矛盾纠纷多少件?", library=lib, model=model)
    assert not ans.refused and ans.note == "" and "930件" in ans.text


@pytest.mark.parametrize(
    "question, answer_text, quote, refused",
    [
        ("清水镇调解矛盾纠纷多少件?", "调解了12次", "组织执法队员培训12次。调解矛盾纠纷工作有序开展。", True),
        ("清水镇调解矛盾纠纷多少件?", "930件", "全年调解矛盾纠纷930件,化解率96.77%。", False),
        ("清水镇2024年调解多少件?", "2024年", "2024年执法培训12次。", False),  # a year is not an answer figure
        # the reports say it in other words: 受理信访 → 处理群众来信来访 (the 柱山乡 case): never refused
        ("清水镇2024年受理信访多少件?", "受理信访83件", "共处理群众来信来访83件,办结率100%。", False),
    ],
)
def test_invented_count_guard(question, answer_text, quote, refused):
    from assistant.answers.citations import CheckedText
    from assistant.answers.guards import invented_count
    from assistant.settings import GuardSettings
    from assistant.types import Evidence
    from fake_library import make_report

    report = make_report("清水镇", 2024, "一、主要举措和成效\n" + quote)
    evidence = [Evidence(Evidence.make_id(c.id), c, 1.0) for c in report.chunks]
    q = parse_question(question, [("清水镇", 2024)])
    verdict = invented_count(q, CheckedText(answer_text), evidence, GuardSettings())
    assert (verdict is not None) is refused
    if refused:
        assert verdict[1].guard == "invented_count" and answer_text[-3:] in verdict[1].why


def test_a_right_figure_said_in_other_words_is_kept_end_to_end():
    """柱山乡: 受理信访多少件? — the report says 共处理群众来信来访83件 and the model answered 83件."""
    from fake_library import FakeLibrary, make_report
    from test_qa_unit import reply_citing

    text = "一、主要举措和成效\n畅通信访渠道。全年共处理群众来信来访83件,按期办结率100%。\n开展法治宣传。组织宣传活动12次。"
    lib = FakeLibrary([make_report("清水镇", 2024, text)])
    model = FakeChatModel([reply_citing("83件", "[{id}] 清水镇2024年受理信访83件。")])
    ans = answer("清水镇2024年受理信访多少件?", library=lib, model=model)
    assert not ans.refused and "83件" in ans.text and ans.guard == "" and ans.note == ""


def test_a_count_the_reports_do_not_have_is_refused_not_shown():
    from fake_library import FakeLibrary, make_report

    text = "一、主要举措和成效\n规范行政复议。2024年做好行政复议应诉工作,提升依法行政水平。"
    lib = FakeLibrary([make_report("清水镇", 2024, text)])
    ans = answer("清水镇2024年受理行政复议案件多少件?", library=lib, model=FakeChatModel(["清水镇2024年受理行政复议案件1件。"]))
    assert ans.refused and ans.text == REFUSAL and "1件" in ans.note and ans.guard == "invented_count"


def test_a_miscopied_count_stays_an_answer_with_the_figure_marked():
    """903 for 930件: the reports do have the count, so the answer stays, marked, next to its passage."""
    ans = answer("泾源县2024年调解矛盾纠纷多少件?", library=sample_library(),
                 model=FakeChatModel(["泾源县2024年调解矛盾纠纷903件。"]))
    assert not ans.refused and [f.text for f in ans.ungrounded] == ["903件"]


def test_a_reply_repeating_the_prompt_example_is_refused():
    ans = answer("泾源县2024年调解矛盾纠纷多少件?", library=sample_library(),
                 model=FakeChatModel(["泾源县调解矛盾纠纷件数为 样例乡 2020年 · 不足 · 二、存在的不足中提到的普法宣传方式较为单一。"]))
    assert ans.refused and "示例" in ans.note and ans.guard == "echo"
