"""A question for a report's whole 不足/原因/安排 list is answered by code from the report's own items."""

from __future__ import annotations

import pytest

from assistant.answers.listing import describe
from assistant.answers.question import parse_question
from assistant.llm import FakeChatModel
from assistant.answers.pipeline import answer
from assistant.types import Item, Part
from fake_library import sample_library
from ui.render import answer_html

ORGS = ["泾源县", "徐行镇", "柱山乡", "吉昌镇", "荆家镇"]


@pytest.mark.parametrize(
    "question, part",
    [
        ("泾源县在法治政府建设中还存在哪些问题和不足?", Part.SHORTCOMINGS),
        ("徐行镇报告列出的存在问题和不足是什么?", Part.SHORTCOMINGS),
        ("吉昌镇分析的法治政府建设存在不足的原因有哪些?", Part.CAUSES),
        ("荆家镇法治政府建设存在不足的主要原因是什么?", Part.CAUSES),
        ("泾源县下一步的三项主要安排分别聚焦什么?", Part.PLANS),
        ("柱山乡2025年推进法治政府建设有哪些主要安排?", Part.PLANS),
        ("泾源2025年的工作计划", Part.PLANS),
        # narrower questions, or two lists at once: the model answers them from retrieval
        ("吉昌镇报告中提到乡镇执法人员方面存在什么不足?原因是什么?", None),
        ("徐行镇2025年在行政执法方面有什么安排?", None),
        ("吉昌镇下一步在宣传教育方面有什么打算?", None),
        ("泾源县2024年调解矛盾纠纷多少件?", None),
        ("泾源县存在哪些不足?下一步有什么安排?", None),
        # the usual ways of asking for the whole list, with words that do not narrow it
        ("泾源县在报告里承认了哪些不足?", Part.SHORTCOMINGS),
        ("泾源县认为自己工作存在不足的原因是什么?", Part.CAUSES),
        ("泾源县下一步准备做哪几件事?", Part.PLANS),
        ("泾源县2024年报告里列了哪些问题?", Part.SHORTCOMINGS),
    ],
)
def test_asked_part(question, part):
    assert parse_question(question, [(o, 2024) for o in ORGS]).list_part == part


def test_a_whole_list_is_read_off_the_report_without_the_model():
    model = FakeChatModel([])  # an empty queue fails loudly if the model is asked
    ans = answer("泾源县存在哪些不足?", library=sample_library(), model=model)
    assert model.history == [] and not ans.refused
    assert ans.text == "泾源县2024年度报告列出的不足:一是法治宣传的针对性还不够强[1];二是行政执法人员专业化水平有待提高[2]。"
    assert [(c.org, c.year, c.part) for c in ans.citations] == [("泾源县", 2024, Part.SHORTCOMINGS)] * 2
    assert "法治宣传的针对性" in ans.citations[0].quote and ans.ungrounded == []
    assert "程序从报告" in ans.note and "程序从报告" in answer_html(ans, "")
    assert ans.filter.orgs == ["泾源县"] and ans.filter.parts == [Part.SHORTCOMINGS] and ans.route == "list"


def test_next_years_plans_are_read_from_the_report_before():
    ans = answer("徐行镇2025年有哪些安排?", library=sample_library(), model=FakeChatModel([]))
    assert ans.text.startswith("徐行镇2024年度报告列出的安排:(一)加强执法队伍建设[1]")


def test_a_narrower_question_goes_to_the_model():
    model = FakeChatModel(["现有报告中没有找到能回答这个问题的内容。"])
    answer("泾源县在执法队伍方面存在什么不足?", library=sample_library(), model=model)
    assert len(model.history) == 1


def _item(heading: str, text: str) -> Item:
    return Item(Part.SHORTCOMINGS, 1, heading, text, 0, len(text))


@pytest.mark.parametrize(
    "heading, text, shown",
    [
        ("(一)普法责任不够明确", "(一)普法责任不够明确。司法所作为普法工作的牵头部门……", "(一)普法责任不够明确：司法所作为普法工作的牵头部门……"),
        ("（一）法治观念不够深入人心", "（一）法治观念不够深入人心 一是对……学习缺少主动性。", "（一）法治观念不够深入人心：一是对……学习缺少主动性"),
        ("（二）提升执法水平", "（二）提升执法水平", "（二）提升执法水平"),  # a title with nothing after it
        ("1、对法治建设重视程度还不够", "1、对法治建设重视程度还不够,部分干部没有充分认识。其他。", "1、对法治建设重视程度还不够,部分干部没有充分认识"),
        ("一是", "一是学得不够深。二是……", "一是学得不够深"),
    ],
)
def test_describe_uses_a_title_line_and_its_first_sentence_or_the_first_sentence(heading, text, shown):
    assert describe(_item(heading, text)) == shown


def test_describe_never_cuts_a_figure_in_two():
    text = "一是" + "甲" * 73 + "发放资料26000份,继续开展宣传活动。"  # the 80th character is inside 26000
    shown = describe(_item("一是", text))
    assert shown.endswith("发放资料…") and "2600" not in shown
