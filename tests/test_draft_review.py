"""The reviewer's checks (assistant/drafting/review.py) one by one, on the passages issue 16 found in real
1.5B drafts: each is found, repaired where code can, and named so the eval can count it."""

from __future__ import annotations

import pytest

from assistant.drafting.checks import CheckContext, self_reference
from assistant.drafting.material import load_material, material_headings
from assistant.drafting.review import (
    ALL_CHECKS,
    audit_draft,
    fullwidth,
    heading_problem,
    review_heading,
    review_paragraph,
)
from assistant.types import Draft, DraftParagraph, DraftSection, Part
from tests.conftest import SAMPLES

JINGYUAN = (SAMPLES / "2024-jingyuan-xian.txt").read_text(encoding="utf-8")
LIBRARY = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
MATERIAL_WITH_HEADINGS = """吉昌镇2025年法治工作素材(镇司法所整理)
一、学法用法
党委理论学习中心组集中学法6次,镇党委书记年终述法。
五、矛盾纠纷化解
调解工作:人民调解组织调解矛盾纠纷142件,调解成功率95%。
组织执法业务培训5次,评查执法案卷32卷。
"""


@pytest.fixture(scope="module")
def county():
    """泾源县 (a county) drafting its 2025 report, with material that has a title and headings."""
    passages = load_material([MATERIAL_WITH_HEADINGS])
    return CheckContext("泾源县", "县/区", 2025, ["吉昌镇", "徐行镇"], [JINGYUAN], [p.text for p in passages],
                        last_report=JINGYUAN, library_texts=LIBRARY, material_headings=material_headings(passages))


def _checks(notes) -> set[str]:
    return {n.check for n in notes}


def test_self_reference_follows_the_bodys_level(county):
    text, notes = review_paragraph("我镇加强执法培训,本乡也开展普法。本区域内无事故。", county)
    assert text.startswith("我县加强执法培训，我县也开展普法") and "本区域" in text
    assert _checks(notes) >= {"self_reference"}
    assert [self_reference(o, lv) for o, lv in [("吉昌镇", "镇"), ("柱山乡", "乡"), ("望湖街道", "街道"), ("泾源县", "县/区"),
                                                 ("嘉定区", "县/区"), ("沅丘县司法局", "部门")]] == [
        "我镇", "我乡", "我街道", "我县", "我区", "我局"]


def test_prompt_wording_is_found_against_the_prompt_files_not_a_list(county):
    text, notes = review_paragraph("去年定下的这项工作:加强普法。我县开展以案释法。", county)
    assert text == "加强普法。我县开展以案释法。"
    assert "prompt_wording" in _checks(notes)
    # the genre's own words are not prompt wording, though the prompts use them too
    text, notes = review_paragraph("我县党政主要负责人履行推进法治建设第一责任人职责。", county)
    assert "prompt_wording" not in _checks(notes)


def test_talk_about_the_sources_is_removed(county):
    text, notes = review_paragraph(
        "上一年度报告指出,我县执法力量薄弱。今年材料中没有提到该问题的改进情况。今年材料中提到,[notes.txt 第3段]组织执法业务培训5次。",
        county)
    assert text == "我县执法力量薄弱。组织执法业务培训5次。"
    assert "source_talk" in _checks(notes)
    # 材料 as an ordinary word stays
    text, _ = review_paragraph("申请材料齐全的当场办结。", county)
    assert text == "申请材料齐全的当场办结。"


def test_material_headings_pasted_as_text_are_removed(county):
    text, notes = review_paragraph(
        "吉昌镇2025年法治工作素材(镇司法所整理)。五、矛盾纠纷化解。我县调解矛盾纠纷142件,做好人民调解工作。", county)
    assert text == "我县调解矛盾纠纷142件，做好人民调解工作。"  # 调解工作 inside a sentence is not the heading
    assert "material_heading" in _checks(notes)


def test_placeholder_inside_a_placeholder_and_pasted_prompt_in_one(county):
    text, notes = review_paragraph("培训〔待补充:〔待补充:2025年培训次数〕今年材料中没有提到〕次。", county, topic="执法培训")
    assert text == "培训5次。"  # merged into one, which the material then fills
    assert _checks(notes) >= {"nested_placeholder", "figure_gap"}
    text, notes = review_paragraph("〔待补充:今年材料(用户提供,只能用这里的事实和数字):调解件数〕。", county, topic="矛盾纠纷化解")
    assert text == "〔待补充:2025年矛盾纠纷化解的具体情况〕。" and "nested_placeholder" in _checks(notes)


def test_repeated_clauses_within_and_across_paragraphs(county):
    text, notes = review_paragraph("我县加强执法队伍建设,开展执法培训,加强执法队伍建设。", county)
    assert text == "我县加强执法队伍建设，开展执法培训。"
    earlier = {"深入推进谁执法谁普法责任制"}
    text, notes = review_paragraph("深入推进“谁执法谁普法”责任制,开展普法宣传。", county, earlier=earlier)
    assert text == "开展普法宣传。" and "repeated_clause" in _checks(notes)


def test_echoed_headings_and_numbering_inside_a_paragraph(county):
    text, notes = review_paragraph("提高他们的法治素养和能力。二、述法1. 通过召开会议研究法治工作。", county)
    assert text == "提高他们的法治素养和能力。通过召开会议研究法治工作。"
    assert "echoed_heading" in _checks(notes)
    text, _ = review_paragraph("深化普法宣传。我县开展以案释法。", county, topic="深化普法宣传")
    assert text == "我县开展以案释法。"


def test_inline_markers_are_renumbered_in_order(county):
    text, notes = review_paragraph("一是加强学习,一是完善制度,三是强化考核。", county)
    assert text == "一是加强学习，二是完善制度，三是强化考核。" and _checks(notes) >= {"marker_sequence"}
    _, notes = review_paragraph("一是加强学习,二是完善制度。", county)
    assert "marker_sequence" not in _checks(notes)


def test_vague_quantities_take_the_materials_figure_or_a_placeholder(county):
    text, notes = review_paragraph("组织执法业务培训若干次,多次召开会议研究法治工作。", county)
    assert text.startswith("组织执法业务培训5次，")  # the material states it
    assert "〔待补充:2025年召开会议研究法治工作次数〕次召开会议" in text
    assert "若干" not in text and "多次" not in text and "vague_quantity" in _checks(notes)
    text, _ = review_paragraph("培训行政执法人员若干人次。做了大量工作。", county)
    assert "〔待补充:2025年培训行政执法人员人次〕人次" in text and "做了大量工作" in text  # filler is not a count


def test_a_placeholder_where_the_material_states_the_figure_is_filled(county):
    text, notes = review_paragraph("全年调解〔待补充:2025年调解矛盾纠纷件数〕件,成功率〔待补充:调解成功率〕。", county)
    assert text == "全年调解142件，成功率95%。" and "figure_gap" in _checks(notes)


def test_sentences_copied_from_last_years_report_but_not_quoted_commitments(county):
    copied = "落实行政执法“三项制度”还不够到位,执法力量还相对薄弱,执法不严格、不规范现象还时有发生。"
    text, notes = review_paragraph(copied + "我县开展执法培训。", county)
    assert text == "我县开展执法培训。" and "copied_sentence" in _checks(notes)
    quoted = "我县继续落实“聚焦法治化营商环境,着力推进依法行政。大力提升依法治县、法治政府、合法性审查等工作质效”的安排。"
    _, notes = review_paragraph(quoted, county)
    assert "copied_sentence" not in _checks(notes)


def test_the_bodys_name_at_most_once_per_paragraph(county):
    text, notes = review_paragraph("泾源县加强执法,泾源县开展普法,泾源县人民政府研究法治工作。", county)
    assert text == "泾源县加强执法，我县开展普法，我县人民政府研究法治工作。" and "org_name_repeats" in _checks(notes)


def test_fullwidth_punctuation_in_chinese_text_but_not_in_figures():
    text, changed = fullwidth("2025年,吉昌镇开展普法(含以案释法):化解率96.77%,金额1,500万元,时间10:30;成效?明显!")
    assert text == "2025年，吉昌镇开展普法（含以案释法）：化解率96.77%，金额1,500万元，时间10:30；成效？明显！"
    assert changed == 9
    assert fullwidth("〔待补充:2025年调解件数〕")[0] == "〔待补充:2025年调解件数〕"  # the placeholder form stays
    assert fullwidth("version 1.0 (beta), ok")[0] == "version 1.0 (beta), ok"


def test_item_headings_must_be_headings(county):
    assert review_heading("随着乡镇综合行政执法体制改革工作的落实。", county)[0] == ""
    assert review_heading("深化普法宣传", county) == ("深化普法宣传", [])
    for fragment in ("由于人员不足", "加强执法的", "调解矛盾纠纷142件", "今年,我县聚焦营商环境", "我县加强执法培训"):
        assert heading_problem(fragment, county), fragment
    assert heading_problem("部分干部法治意识有待进一步提高", county) == ""  # a 不足 heading as the genre writes it


def test_audit_counts_paragraphs_per_check_and_empty_sections(county):
    draft = Draft("泾源县", 2025, "t", "泾源县-2024", sections=[
        DraftSection(Part.MEASURES, "一、…", [DraftParagraph("我镇开展培训若干次。"), DraftParagraph("我镇开展普法。", heading="随着改革的落实")]),
        DraftSection(Part.LEADERSHIP, "二、…", []),
    ])
    left = audit_draft(draft, county)
    assert set(left) == set(ALL_CHECKS)
    assert left["self_reference"] == 2 and left["vague_quantity"] == 1  # the audit counts what the text still has
    assert left["item_heading"] == 1 and left["empty_section"] == 1 and left["halfwidth_punct"] == 0


def test_material_headings_are_not_passages():
    passages = load_material([MATERIAL_WITH_HEADINGS])
    assert [p.text[:6] for p in passages] == ["党委理论学习", "调解工作:人", "组织执法业务"]
    assert passages[1].headings == ("吉昌镇2025年法治工作素材(镇司法所整理)", "五、矛盾纠纷化解", "调解工作")
    assert "矛盾纠纷化解" in material_headings(passages) and "五、矛盾纠纷化解" in material_headings(passages)


def test_prompt_labels_echoed_before_the_facts_are_cut_not_the_facts(county):
    text, notes = review_paragraph("2025年的事实:党委理论学习中心组集中学法6次。去年指出的不足是宣传方式较为传统。", county)
    assert text == "党委理论学习中心组集中学法6次。宣传方式较为传统。" and "prompt_wording" in _checks(notes)


def test_a_clause_pasted_from_the_units_input_goes_alone(county):
    shortcoming = "各村习惯性借助原有的“法律明白人”,未能注入更多的“法律明白人”新鲜血液参与工作。"
    text, notes = review_paragraph("2026年,我县将定期组织法律培训,注入更多的“法律明白人”新鲜血液参与工作,推动基层法治建设。",
                                   county, no_copy=[shortcoming])
    assert text == "2026年，我县将定期组织法律培训，推动基层法治建设。" and "copied_sentence" in _checks(notes)


def test_item_titles_skip_a_leading_subordinate_clause():
    from assistant.drafting.plan import item_title
    from assistant.types import Item

    text = "随着乡镇综合行政执法体制改革工作的落实,许多部门执法权力下放,造成乡镇执法人员不足。"
    assert item_title(Item(Part.SHORTCOMINGS, 1, "随着乡镇综合行政执法体制改革工作的落实", text, 0, len(text))) == "许多部门执法权力下放"
