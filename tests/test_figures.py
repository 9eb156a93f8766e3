"""Figures: what counts as a number a reader could check, and grounding against sources."""

from __future__ import annotations

import pytest

from assistant.figures import (
    find_figures,
    mark_ungrounded,
    parse_chinese_number,
    same_figure,
    ungrounded_figures,
    units_compatible,
)
from assistant.types import Figure


def one(text: str) -> tuple[str, float, str]:
    figs = find_figures(text)
    assert len(figs) == 1, f"{text!r}: {[f.text for f in figs]}"
    f = figs[0]
    return f.text, f.value, f.unit


@pytest.mark.parametrize(
    "text, expected",
    [
        ("调解矛盾纠纷930件,", ("930件", 930, "件")),
        ("法律咨询3,140人次", ("3,140人次", 3140, "人次")),
        ("化解率96.77%,", ("96.77%", 96.77, "%")),
        ("化解率96.77％。", ("96.77％", 96.77, "%")),
        ("罚款25.2万元。", ("25.2万元", 252000, "元")),
        ("减税降费1500万元", ("1500万元", 15_000_000, "元")),
        ("投入1.2亿元", ("1.2亿元", 120_000_000, "元")),
        ("挽回经济损失107万,", ("107万", 1_070_000, "")),
        ("发现问题160余条", ("160余条", 160, "条")),
        ("发放宣传资料26000多份", ("26000多份", 26000, "份")),
        ("培训3万余人次", ("3万余人次", 30000, "人次")),
        ("开展执法检查两轮", ("两轮", 2, "轮")),
        ("落实三项制度", ("三项", 3, "项")),
        ("建设一支队伍", ("一支", 1, "支")),
        ("全镇十二名执法人员", ("十二名", 12, "名")),
        ("提出二十九项具体任务", ("二十九项", 29, "项")),
        ("满意度达百分之九十五", ("百分之九十五", 95, "%")),
        ("覆盖两万余人", ("两万余人", 20000, "人")),
        ("发放千余份", ("千余份", 1000, "份")),
        ("拆除面积2572㎡。", ("2572㎡", 2572, "㎡")),
        ("拆除面积2572平方米。", ("2572平方米", 2572, "㎡")),
        ("房屋948幢,", ("948幢", 948, "幢")),
        ("违规点位429处", ("429处", 429, "处")),
        ("培训60学时", ("60学时", 60, "学时")),
        ("举办讲座4期", ("4期", 4, "期")),
        ("在29家执法主体", ("29家", 29, "家")),
        ("立案8起,", ("8起", 8, "起")),
        ("答:930,", ("930", 930, "")),
        ("共９３０件", ("９３０件", 930, "件")),
        ("- 泾源县:930件", ("930件", 930, "件")),
        ("提高2.5个百分点", ("2.5个百分点", 2.5, "个百分点")),
    ],
)
def test_finds_figure(text, expected):
    got_text, got_value, got_unit = one(text)
    assert (got_text, got_unit) == (expected[0], expected[2])
    assert got_value == pytest.approx(expected[1])


@pytest.mark.parametrize(
    "text",
    [
        "2024年,泾源县坚持",
        "现将2025年度工作报告如下",
        "中共荆家镇委 2023年12月18日",
        "发布日期:2025-01-15",
        "8:30开始办公",
        "一是加强学习;二是完善制度",
        "(一)强化领导 （二）加强学习",
        "1、对法治建设重视不够",
        "1.部分干部\n2.法治教育",
        "存在以下不足: 1. 部分干部意识不强。2. 重视不够",
        "第一责任人 第3次会议 第二十九项",
        "“八五”普法",
        "党的二十大和二十届三中全会精神",
        "12345热线、110接警",
        "“1+1+3”工作机制和“2+1+3”模式",
        "重点项目审批8+N会商机制",
        "“15336”工作思路",
        "网站标识码:1410280001",
        "晋ICP备18009906号",
        "〔2019〕28号",
        "使用大于1366*768分辨率",
        "版权所有 2018",
        "见[1][2]",
        "[ev-1a2b3c4d]",
        "大家一起努力,统一部署,进一步加强",
        "万州区千家万户,法律进万家",
        "“两个确立”、“四个意识”、“两个维护”",
        "高效办成一件事,一次性告知,一户一代表",
        "二〇二四年",
        "严格落实中央八项规定精神",
        "“三所联动”和“十分钟法治文化圈”",
        "5G基站",
        "完成新一轮机构改革,每一项任务",
        "3-5次",
    ],
)
def test_not_a_figure(text):
    assert find_figures(text) == [], [f.text for f in find_figures(text)]


def test_offsets_index_the_original_text():
    text = "开展执法检查２轮，调解纠纷９３０件，化解率96.77％。"
    for f in find_figures(text):
        assert text[f.start : f.end] == f.text


def test_many_figures_in_order():
    text = "开展会前学法69次、理论学习中心组学法21次,举办专题讲座4期,组织任前考法2次。"
    assert [f.text for f in find_figures(text)] == ["69次", "21次", "4期", "2次"]


@pytest.mark.parametrize(
    "s, value",
    [("一", 1), ("两", 2), ("十", 10), ("十二", 12), ("二十九", 29), ("一百零五", 105), ("三千五百", 3500),
     ("两万", 20000), ("一万二千", 12000), ("二〇二四", 2024), ("一亿五千万", 150_000_000)],
)
def test_parse_chinese_number(s, value):
    assert parse_chinese_number(s) == value


def test_parse_chinese_number_rejects_other_text():
    assert parse_chinese_number("三中") is None
    assert parse_chinese_number("") is None


def test_units_compatible():
    assert units_compatible("件", "件")
    assert units_compatible("", "件")  # 930 matches 930件
    assert units_compatible("名", "人")
    assert units_compatible("起", "件")  # 纠纷29件 said as 29起
    assert units_compatible("平方米", "㎡")
    assert not units_compatible("件", "次")
    assert not units_compatible("人次", "人")
    assert not units_compatible("%", "个百分点")


def test_same_figure_scales_wan():
    a = find_figures("1500万元")[0]
    b = find_figures("15000000元")[0]
    assert same_figure(a, b)
    assert not same_figure(a, Figure("1500元", 1500, "元", 0, 5))


SOURCE = "2024年,全县调解矛盾纠纷930件,矛盾纠纷化解率96.77%,涉及金额7800万元。落实减税降费1420户1500万元。全镇12名执法人员。"


@pytest.mark.parametrize(
    "answer",
    [
        "泾源县2024年调解矛盾纠纷930件[1]。",
        "调解纠纷总数:930。",  # a bare number matches 930件
        "化解率为96.77%。",
        "减税降费1,500万元。",
        "减税降费15000000元。",
        "涉及金额0.78亿元。",
        "调解九百三十件。",
        "共有十二名执法人员。",
        "共有12人。",
        "2024年工作成效明显。",  # no figures at all
    ],
)
def test_grounded(answer):
    assert ungrounded_figures(answer, [SOURCE]) == []


@pytest.mark.parametrize(
    "answer, bad",
    [
        ("泾源县2024年调解矛盾纠纷903件。", ["903件"]),
        ("化解率为96.8%。", ["96.8%"]),
        ("减税降费150万元。", ["150万元"]),
        ("调解930次。", ["930次"]),  # right value, wrong unit
        ("调解930件,化解率99%。", ["99%"]),
        ("共有十三名执法人员。", ["十三名"]),
        ("共有12人次。", ["12人次"]),
    ],
)
def test_ungrounded(answer, bad):
    assert [f.text for f in ungrounded_figures(answer, [SOURCE])] == bad


def test_grounding_checks_every_source():
    sources = ["调解矛盾纠纷930件", "法律咨询3140人次"]
    assert ungrounded_figures("调解930件,咨询3,140人次", sources) == []
    assert ungrounded_figures("调解930件,咨询3,140人次", sources[:1])[0].text == "3,140人次"
    assert [f.text for f in ungrounded_figures("调解930件", [])] == ["930件"]


def test_mark_ungrounded_wraps_figures():
    text = "调解903件,化解率96.77%,罚款2万元。"
    bad = ungrounded_figures(text, [SOURCE])
    assert mark_ungrounded(text, bad) == "调解⚠903件⚠,化解率96.77%,罚款⚠2万元⚠。"
    assert mark_ungrounded(text, []) == text


def test_sample_reports_figures_are_real(samples_dir):
    text = (samples_dir / "2024-jingyuan-xian.txt").read_text(encoding="utf-8")
    found = {f.text for f in find_figures(text)}
    assert {"930件", "96.77%", "1500万元", "3140人次", "107万", "160余条", "两轮"} <= found
    assert not any(f.text.startswith(("2024", "2025")) for f in find_figures(text))
    assert not {"15336", "12345", "1410280001"} & found


def test_a_table_row_gives_its_numbers_the_unit_its_label_names():
    table = "指标\t2024年\t2023年\n开展普法活动（场次）\t58\t44\n罚没款(万元)\t12.5\t9\n持证率（%）\t88.2\t76.5\n其他\t7\t6"
    found = {(f.text, f.value, f.unit) for f in find_figures(table)}
    assert {("58", 58, "场次"), ("44", 44, "场次"), ("12.5", 125000, "元"), ("88.2", 88.2, "%"), ("7", 7, "")} <= found
    assert ungrounded_figures("全年开展普法活动58场次,罚没款12.5万元,持证率88.2%", [table]) == []
    assert [f.text for f in ungrounded_figures("全年开展普法活动58人次", [table])] == ["58人次"]
    # outside a table, a unit in brackets names nothing after it
    assert [f.unit for f in find_figures("开展普法活动（场次） 58")] == [""]


def test_measures_in_traditional_characters_are_measures():
    assert [(f.value, f.unit) for f in find_figures("拆除違法建築27處,開展普法活動12場次,整改問題45條")] == \
        [(27, "处"), (12, "场次"), (45, "条")]
    assert ungrounded_figures("拆了27处违法建筑", ["拆除違法建築27處"]) == []
