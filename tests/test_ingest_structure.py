"""Structure on synthetic reports: heading wording and order, numbering styles, inline lists, chunk sizes."""

from __future__ import annotations

from assistant.ingest import parse_text
from assistant.ingest.chunking import MAX_CHARS, split_long
from assistant.ingest.structure import classify_heading
from assistant.types import Part

OPENING = "2024年,新民镇坚持以习近平法治思想为指导,现将有关情况报告如下:\n"


def counts(report):
    return tuple(len(report.items_of(p)) for p in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS))


def test_classify_heading_wordings():
    cases = {
        "一、推进法治政府建设的主要举措和成效": Part.MEASURES,
        "二、2024年度推进法治政府建设主要做法和成效": Part.MEASURES,
        "三、第一履行推进法治政府建设第一责任人职责情况": Part.LEADERSHIP,
        "二、党政主要负责人履行推进法治建设第一责任人职责情况": Part.LEADERSHIP,
        "三、存在问题和不足": Part.SHORTCOMINGS,
        "三、推进法治政府建设存在的不足和原因": Part.SHORTCOMINGS,
        "三、存在的短板": Part.SHORTCOMINGS,
        "(二)原因分析": Part.CAUSES,
        "四、2025年推进法治政府建设的主要安排": Part.PLANS,
        "四、下一步工作打算": Part.PLANS,
        "四、下一年度工作计划": Part.PLANS,
        "五、其他需要报告的情况": Part.OTHER,
        "二、存在的問題和不足": Part.SHORTCOMINGS,  # traditional characters
        "四、下一步工作計劃": Part.PLANS,
        "三、存在的问题": Part.SHORTCOMINGS,
        "四、下步打算": Part.PLANS,
        "四、2025年工作打算": Part.PLANS,
        "四、2022年工作思路": Part.PLANS,
        "第三部分 存在的问题": Part.SHORTCOMINGS,
        "第四部分 2025年工作打算": Part.PLANS,
        "三、工作中存在的困难和问题": Part.SHORTCOMINGS,
        "三、面临的主要问题": Part.SHORTCOMINGS,
        "四、2025年工作要点": Part.PLANS,
    }
    for heading, part in cases.items():
        assert classify_heading(heading) is part, heading
    assert classify_heading("一、突出政治引领,筑牢法治建设根基") is None  # thematic → 举措成效 by default


def test_parts_in_any_order_with_traditional_and_fullwidth_headings():
    text = OPENING + (
        "一、下一步工作計劃\n（一）加強學習。組織學法12次。\n（二）規範執法。開展培訓。\n（三）創新普法。\n"
        "二、存在的問題和不足\n（一）學法不深。\n（二）執法不規範。\n"
        "三、主要举措和成效\n全年调解矛盾纠纷186件。\n"
        "四、其他需要报告的情况\n无。\n"
    )
    r = parse_text(text, "x.txt")
    assert [p.value for p in r.parts_found()] == ["开头", "安排", "不足", "举措成效", "其他"]
    assert counts(r) == (2, 0, 3)
    assert r.items_of(Part.PLANS)[0].heading == "（一）加強學習"


def test_split_shortcomings_and_causes_with_dot_numbers():
    text = OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、存在的不足和原因\n（一）存在问题\n1.学法不深,运用法治思维不够。\n2.执法人员不足。\n3.普法方式单一。\n"
        "（二）原因分析\n1.重视不够。\n2.培训不足。\n"
        "三、下一步工作打算\n（一）加强学习\n组织学法。\n（二）规范执法\n开展培训。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (3, 2, 2)
    assert r.items_of(Part.CAUSES)[1].text == "2.培训不足。"
    assert r.items_of(Part.PLANS)[1].text == "（二）规范执法\n开展培训。"


def test_closing_paragraph_lists_without_headings():
    text = OPENING + (
        "一、突出政治引领\n开展会前学法69次。\n"
        "二、提升行政执法质量\n培训执法人员360人次。\n"
        "一年来,我镇法治政府建设取得了一些成效,但仍存在一些短板:一是学法不深。二是执法标准统一是难点。三是普法不够。\n"
        "下一步,我们将持续发力。一是加强学习。二是规范执法。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (3, 0, 2)  # 统一是 is not a marker
    assert r.items_of(Part.SHORTCOMINGS)[1].text == "二是执法标准统一是难点。"
    assert [s.part for s in r.sections if not s.heading] == [Part.PREAMBLE, Part.SHORTCOMINGS, Part.PLANS]
    measures = [s for s in r.sections if s.heading == "二、提升行政执法质量"][0]
    assert r.text[measures.start:measures.end] == "二、提升行政执法质量\n培训执法人员360人次。"


def test_causes_inline_after_shortcomings_and_signature():
    text = "县委、县政府:\n" + OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、存在的不足和原因\n主要表现:一是学法不深;二是执法不规范。究其原因:一是重视不够;二是培训不足;三是人员流动。\n"
        "三、2025年工作安排\n一是加强学习。\n二是规范执法。\n"
        "特此报告。\n中共新民镇委员会\n新民镇人民政府\n2025年2月10日\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (2, 3, 2)
    assert r.meta.signed.isoformat() == "2025-02-10" and r.meta.org == "新民镇"
    assert r.items_of(Part.PLANS)[1].text == "二是规范执法。"
    closing = [s for s in r.sections if s.part is Part.CLOSING][0]
    assert r.text[closing.start:closing.end].startswith("特此报告。")


def test_plain_paragraph_plans_fallback():
    text = OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、下一步工作安排\n下一步,我们将重点做好以下工作:\n持续加强学法用法,组织干部学法不少于12次。\n"
        "规范行政执法,开展执法案卷评查两轮次。\n"
    )
    r = parse_text(text, "x.txt")
    assert [i.text for i in r.items_of(Part.PLANS)] == [
        "持续加强学法用法,组织干部学法不少于12次。",
        "规范行政执法,开展执法案卷评查两轮次。",
    ]


def test_numbers_that_are_not_headings():
    text = OPENING + (
        "一、主要举措和成效\n2、3月份开展普法宣传。\n1.5万元用于法律顾问。\n"
        "二、存在的不足\n1、学法不深。\n2、执法不规范。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (2, 0, 0)
    assert not any(s.heading.startswith(("2、3", "1.5")) for s in r.sections)


def test_long_paragraphs_split_at_sentence_ends():
    sentence = "镇司法所组织开展法治宣传进村入户活动并发放宣传资料一千余份群众反响良好。"
    text = OPENING + "一、主要举措和成效\n" + sentence * 30 + "\n"
    r = parse_text(text, "x.txt")
    body = [c for c in r.chunks if c.part is Part.MEASURES]
    assert len(body) >= 3
    assert all(len(c.text) <= MAX_CHARS and c.text.endswith("。") for c in body)
    assert "".join(c.text for c in body) == sentence * 30


def test_one_overlong_sentence_is_cut_at_clauses():
    text = "开展宣传活动," * 150
    pieces = split_long(text, 0, len(text))
    assert all(len(text[a:b]) <= MAX_CHARS for a, b in pieces)
    assert all(text[a:b].endswith(",") for a, b in pieces[:-1])
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)


def test_traditional_character_report():
    text = (
        "涇源縣2024年法治政府建設情況報告\n2024年，涇源縣堅持以習近平法治思想為指導，紮實推進各項工作。\n"
        "一、主要舉措和成效\n全年調解矛盾糾紛930件。\n二、存在的問題和不足\n（一）學法不深。\n（二）執法不規範。\n"
        "三、下一步工作計劃\n一是加強學習。二是規範執法。\n"
    )
    r = parse_text(text, "x.txt")
    assert (r.meta.org, r.meta.level, r.meta.year, r.meta.title) == ("涇源縣", "县/区", 2024, "涇源縣2024年法治政府建設情況報告")
    assert counts(r) == (2, 0, 2)
    assert r.items_of(Part.SHORTCOMINGS)[1].text == "（二）執法不規範。"  # shown in the report's own characters


def test_intro_joins_the_first_item_chunk():
    text = OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、存在问题和不足\n在看到成绩的同时,也要清醒地认识到存在一些问题,主要表现为:\n"
        "(一)普法责任不够明确。有的部门对自己领域的普法责任不清楚、不明确,缺乏主动落实的积极性。\n"
        "(二)行政执法不够规范。执法过程中重结果轻程序,办案时间超期、送达不规范等问题比较普遍。\n"
    )
    r = parse_text(text, "x.txt")
    shortcoming_chunks = [c for c in r.chunks if c.part is Part.SHORTCOMINGS]
    assert len(shortcoming_chunks) == 2
    assert shortcoming_chunks[0].text.startswith("在看到成绩的同时") and "(一)普法责任不够明确" in shortcoming_chunks[0].text


def test_out_of_sequence_numbers_are_body_text():
    text = OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、存在的不足\n1、学法不深。\n2、执法不规范。\n"
        "三、2025年工作安排\n(一)加强学习。\n一、二季度组织集中学法两次。\n(二)规范执法。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (2, 0, 2)
    assert "一、二季度组织集中学法两次。" in r.items_of(Part.PLANS)[0].text
    assert [p.value for p in r.parts_found()] == ["开头", "举措成效", "不足", "安排"]


def test_causes_paragraph_after_numbered_shortcomings():
    text = OPENING + (
        "一、主要举措和成效\n开展普法活动12场。\n"
        "二、存在问题和不足\n(一)普法责任不够明确。有的部门对普法责任不清楚。\n(二)行政执法不够规范。办案超期。\n"
        "产生上述问题的原因主要有:一是重视不够;二是培训不足。\n"
        "三、下一步工作打算\n(一)压实普法责任。\n(二)规范行政执法。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (2, 2, 2)
    assert r.items_of(Part.SHORTCOMINGS)[1].text == "(二)行政执法不够规范。办案超期。"
    assert r.items_of(Part.CAUSES)[1].text == "二是培训不足。"
    causes = [s for s in r.sections if s.part is Part.CAUSES]
    assert [s.heading for s in causes] == ["产生上述问题的原因主要有"]


def test_cause_words_inside_a_shortcoming_do_not_split_it():
    text = OPENING + (
        "二、存在问题和不足\n(一)执法不规范。造成这一问题的主要原因是人员不足。\n(二)普法不深入。\n"
    )
    r = parse_text(text, "x.txt")
    assert counts(r) == (2, 0, 0)


def test_parts_numbered_as_di_yi_bu_fen():
    """第一部分…第四部分 above 一、/（一）: each part is a top-level section, its numbered children its items."""
    text = OPENING + (
        "第一部分 主要举措和成效\n一、强化学法用法\n（一）落实学法制度。全年学法12次。\n二、严格合法性审查\n审查议题93项。\n"
        "第二部分 主要负责人履行第一责任人职责情况\n主要负责人带头学法。\n"
        "第三部分 存在的问题\n一年来还存在一些不足。\n（一）审查力量薄弱。\n（二）公开质量不均衡。\n"
        "第四部分 2025年工作打算\n（一）充实审查力量。\n（二）推动公开提质。\n（三）深化学法用法。\n"
    )
    r = parse_text(text, "x.txt")
    assert [p.value for p in r.parts_found()] == ["开头", "举措成效", "第一责任人", "不足", "安排"]
    assert counts(r) == (2, 0, 3)
    assert r.items_of(Part.PLANS)[0].heading == "（一）充实审查力量"
