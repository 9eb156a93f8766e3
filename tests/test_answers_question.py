"""One reading of a question (assistant.answers.question) and the vocabulary it reads with (assistant.lexicon)."""

from __future__ import annotations

import pytest

from assistant import lexicon
from assistant.answers.question import Kind, parse_question
from assistant.figures import find_figures, ungrounded_figures
from assistant.types import Part

CATALOG = [
    ("泾源县", 2024), ("徐行镇", 2024), ("芦林镇", 2023), ("芦林镇", 2024), ("桐溪鎮", 2023), ("望湖街道", 2023),
    ("柏阳县市场监督管理局", 2023), ("岚川县人民政府办公室", 2024), ("临渚区人力资源和社会保障局", 2024),
]


def q(text: str):
    return parse_question(text, CATALOG)


@pytest.mark.parametrize(
    "text, bodies",
    [
        ("泾源2024年调解矛盾纠纷多少件?", ("泾源县",)),
        ("县市场监管局2023年食品安全抽检做了多少批次?", ("柏阳县市场监督管理局",)),  # the library's only one
        ("柏阳市场监管局2023年受理投诉多少件?", ("柏阳县市场监督管理局",)),
        ("临渚区人社局2024年为多少名劳动者追发了工资?", ("临渚区人力资源和社会保障局",)),
        ("岚川县政府办2024年审核了多少项议题?", ("岚川县人民政府办公室",)),
        ("岚川县12345热线2024年受理了多少件诉求?", ("岚川县人民政府办公室",)),  # its county's only body
        ("望湖街道办2023年立案查处了多少起?", ("望湖街道",)),
        ("柏阳市监局23年执法终端一共配了几台?", ("柏阳县市场监督管理局",)),
        ("岚川县府办24年报告里承认有哪些不足?", ("岚川县人民政府办公室",)),
        ("桐溪镇2023年成功调解了多少件?", ("桐溪鎮",)),  # simplified question, traditional report
        ("沅丘县司法局和泓湾区各是多少?", ()),
    ],
)
def test_bodies_by_any_alias(text, bodies):
    assert q(text).bodies == bodies


@pytest.mark.parametrize(
    "text, unknown",
    [
        ("潼关县2024年组织行政执法培训多少次?", ("潼关县",)),
        ("潼关2024年组织行政执法培训多少次?", ("潼关",)),  # no suffix, where a body's name stands
        ("柏阳县交通运输局2023年查办了多少件行政案件?", ("柏阳县交通运输局",)),  # another department
        ("泾源县公安局2024年办了多少件案子?", ("泾源县公安局",)),
        ("执法人员2024年共有多少名?", ()),  # a common word, not a name
        ("各乡镇2024年调解矛盾纠纷的件数?", ()),
    ],
)
def test_unknown_bodies(text, unknown):
    assert q(text).unknown_bodies == unknown


def test_report_years_and_plan_years():
    x = q("芦林镇2023年和2024年分别为多少名农民工追回了工资?")
    assert x.report_years == (2023, 2024) and x.plan_years == ()
    y = q("望湖街道2024年打算做些什么?")
    assert y.report_years == () and y.plan_years == (2024,)
    assert q("泾源县2020年以来累计调解多少件?").years == ()  # a span, not a report year


def test_years_as_people_type_them():
    """"23年", "24年度": the year as a staffer types it, read only near the library's years."""
    assert q("芦林镇23年和24年分别为多少名农民工追回了工资?").report_years == (2023, 2024)
    assert q("沅丘司法局23年报告里,给24年定的目标是多少?").years == (2023, 2024)
    assert q("泾源县20年以来累计调解多少件?").years == ()  # a span
    assert q("泾源县10余年来调解多少件?").years == ()
    assert q("泾源县12年前调解多少件?").years == ()  # 2012: far from the library's years


@pytest.mark.parametrize(
    "text, kind, field",
    [
        ("鹤鸣镇2024年度报告是哪天在县政府网站上发布的?".replace("鹤鸣镇", "泾源县"), Kind.META, "published"),
        ("徐行镇这份报告是哪天落款的?", Kind.META, "signed"),
        ("芦林镇2023年的报告是以哪些单位的名义落款的?", Kind.META, "signer"),
        ("资料库里芦林镇有哪几个年度的法治政府建设报告?", Kind.META, "years"),
        ("望湖街道那份报告的标题是什么?", Kind.META, "title"),
        ("哪些单位的报告提到了“721”工作法?", Kind.MENTION, None),
        ("泾源县和徐行镇2024年各调解了多少件矛盾纠纷?", Kind.COMPARISON, None),
        ("芦林镇计划2024年新培育多少名法律明白人?实际培育了多少?", Kind.COMPARISON, None),
        ("各乡镇2024年调解矛盾纠纷的件数?", Kind.COMPARISON, None),
        ("泾源县存在哪些问题和不足?", Kind.LIST, None),
        ("泾源县2024年还有哪些问题没解决好?", Kind.LIST, None),  # "not yet solved" asks the same list
        ("泾源县自己总结2024年有哪些做得不够的地方?", Kind.LIST, None),
        ("泾源县对2025年的法治政府建设工作是怎么安排的?", Kind.LIST, None),
        ("泾源县2024年度的报告是哪一天挂到网上的?", Kind.META, "published"),
        ("泾源县2024年调解矛盾纠纷多少件?", Kind.FIGURE, None),
        ("泾源县怎样化解矛盾纠纷?", Kind.OTHER, None),
        ("泾源县2024年度那份报告,正文最后落的日期是哪天?", Kind.META, "signed"),
        ("泾源县2025年法治这块主要打算抓哪几件事?", Kind.LIST, None),
        ("泾源县24年的报告里自己查摆了哪些问题?", Kind.LIST, None),
    ],
)
def test_kind(text, kind, field):
    x = q(text)
    assert (x.kind, x.meta_field) == (kind, field)


def test_a_plan_and_what_came_of_it_covers_both_reports():
    assert q("芦林镇计划2024年新培育多少名法律明白人?实际培育了多少?").comparison_reports == (("芦林镇", 2023), ("芦林镇", 2024))
    assert q("芦林镇2024年调解成功率是多少?").comparison_reports == ()


@pytest.mark.parametrize(
    "text, units",
    [
        ("泾源县2024年调解矛盾纠纷多少件?", ("件",)),
        ("望湖街道机关干部里学法律出身的有几个人?", ("人",)),
        ("磐溪县作出了多少件行政处罚决定?罚没款多少?", ("件", "元")),
        ("泓湾区行政复议的直接纠错率是多少?纠错了多少件?", ("%", "件")),
        ("岚川县政府办审核了多少项议题?其中涉法的有多少?", ()),  # a bare 多少: any figure may answer
        ("栗坪乡下一步准备做哪几件事?", ()),  # 哪几 is not 几
        ("芦林镇综合执法队配了多少台执法记录仪?", ("台",)),  # every counting word of the figures can be asked
        ("望湖街道新添了几辆执法车?", ("辆",)),
    ],
)
def test_units_asked(text, units):
    assert q(text).units == units


def test_filter_is_built_from_the_question():
    f = q("徐行镇2024年在不足方面还有什么问题?").search_filter()
    assert f.orgs == ["徐行镇"] and f.years == [2024] and f.inferred and f.prefer_parts == [Part.SHORTCOMINGS]
    everything = q("法律明白人怎么培育?").search_filter()
    assert everything.is_empty() and everything.prefer_parts == []  # [] = no part: the library must not guess


def test_a_figure_question_prefers_passages_with_a_figure_of_its_unit_and_not_the_plans():
    f = q("泾源县2024年调解矛盾纠纷多少件?").search_filter()
    assert f.prefer_figures == ("件",) and Part.PLANS not in f.prefer_parts and Part.MEASURES in f.prefer_parts
    assert q("泾源县2024年审计查出多少违规金额?").search_filter().prefer_figures == ("元",)
    assert q("泾源县怎样化解矛盾纠纷?").search_filter().prefer_figures is None  # no figure asked
    planned = q("徐行镇下一步计划开展多少场普法活动?").search_filter()  # plans asked: the plans are the answer
    assert planned.prefer_parts == [Part.PLANS]


def test_plans_for_a_year_are_also_sought_in_the_report_on_the_year_before():
    """对2024年…有什么打算: 2023's report planned 2024; 2024's own report plans 2025. Search both."""
    f = q("芦林镇对2024年执法人员持证有什么打算?").search_filter()
    assert f.orgs == ["芦林镇"] and sorted(f.years) == [2023, 2024]
    assert q("芦林镇2024年执法人员持证率是多少?").search_filter().years == [2024]  # no plan asked: its own year


@pytest.mark.parametrize("written, digits", [("两次", "2次"), ("二次", "2次"), ("俩次", "2次"), ("两名", "2名"), ("两轮", "2轮")])
def test_two_in_words_equals_the_digit(written, digits):
    assert [f.value for f in find_figures(written)] == [2.0]
    assert ungrounded_figures(f"开展{written}培训", [f"组织培训{digits}"]) == []
    assert ungrounded_figures(f"组织培训{digits}", [f"开展了{written}培训"]) == []


def test_one_sentence_splitter_and_one_overlap():
    assert lexicon.sentences("调解930件。化解率96.77%；涉及金额7800万元\n下一段") == ["调解930件", "化解率96.77%", "涉及金额7800万元", "下一段"]
    assert lexicon.wording_overlap("矛盾纠纷930件[1]", ["全年调解矛盾纠纷930件"]) == 1.0
    assert lexicon.short_forms("望湖街道") == ["望湖"] and "柏阳县市场监管局" in lexicon.body_aliases("柏阳县市场监督管理局")
    assert lexicon.answers_unit("起", "件") and lexicon.answers_unit("名", "人") and not lexicon.answers_unit("条", "件")
