"""The code-enforced checks on their own: place names, contamination, grounding, years, placeholders."""

from __future__ import annotations

from assistant.drafting.checks import (
    CheckContext,
    check_paragraph,
    fix_years,
    foreign_names,
    normalize_placeholders,
    place_names,
)
from assistant.types import Part
from tests.conftest import SAMPLES


def _ctx(**kw) -> CheckContext:
    base = dict(org="徐行镇", level="镇", year=2025, other_orgs=["泾源县", "吉昌镇", "柱山乡", "荆家镇"],
                own_texts=[(SAMPLES / "2024-xuxing-zhen.txt").read_text(encoding="utf-8")],
                material=["2025年调解矛盾纠纷120件,调解成功率98.5%。与华亭镇开展联合执法2次。"])
    base.update(kw)
    return CheckContext(**base)


def test_place_names_on_the_sample_reports_are_real_names_only():
    found = {f.name: place_names(f.read_text(encoding="utf-8")) for f in SAMPLES.glob("*.txt")}
    everything = {n for names in found.values() for n in names}
    assert everything <= {"徐行镇", "嘉定区", "荆家镇", "吉昌镇", "泾源县", "万州区", "柱山乡"}, found
    assert place_names("推进全面依法治县,城乡社区,乡镇综合执法,示范区建设,在全镇开展,落实镇级责任") == []
    assert place_names("学习华亭镇和外冈镇做法,嘉定区委依法治区办,马陆镇人民政府") == ["华亭镇", "外冈镇", "嘉定区", "马陆镇"]


def test_foreign_names_respect_own_reports_and_material():
    ctx = _ctx()
    text = "嘉定区部署,徐行镇落实,与华亭镇联合执法,借鉴泾源县和马陆镇做法。"
    # 嘉定区 is in 徐行镇's own report, 华亭镇 in the user's material; library bodies and unknown towns are not
    assert foreign_names(text, ctx) == ["泾源县", "马陆镇"]


def test_check_paragraph_replaces_names_and_ungrounded_figures():
    para = check_paragraph("泾源县调解矛盾纠纷120件,成功率98.5%,举办讲座37场。", Part.MEASURES, _ctx())
    assert para.foreign_orgs == ["泾源县"]
    assert para.text.startswith("我镇调解矛盾纠纷120件,成功率98.5%")
    assert "37场" not in para.text and "〔待补充:2025年举办讲座…场的实际数字〕" in para.text
    assert [f.text for f in para.ungrounded] == ["37场"]


def test_figures_from_the_bodys_own_reports_are_grounded():
    para = check_paragraph("组织执法队员培训12次,督改火灾隐患831项。", Part.MEASURES, _ctx(material=[]))
    assert para.ungrounded == [] and "831项" in para.text


def test_years_results_and_plans():
    ctx = _ctx(material=[])
    text, notes = fix_years("2024年开展培训,较2024年增加;2024年以来持续推进;2026年将深化。", Part.MEASURES, ctx)
    assert text.startswith("2025年开展培训,较2024年增加;2024年以来持续推进;2026年将深化")
    assert "年份已更正: 2024年→2025年" in notes and any(n.startswith("年份待核实: 2026") for n in notes)
    text, notes = fix_years("2025年将推行清单管理,巩固2025年以来成果,2027年完成。", Part.PLANS, ctx)
    assert text.startswith("2026年将推行清单管理,巩固2025年以来成果,2027年完成")
    assert any(n.startswith("年份待核实: 2027") for n in notes)


def test_year_quoted_from_material_is_kept():
    ctx = _ctx(material=["2024年12月启动的矛盾纠纷排查在2025年完成。"])
    text, notes = fix_years("2024年12月启动的矛盾纠纷排查已完成。", Part.MEASURES, ctx)
    assert text.startswith("2024年12月") and notes == []


def test_placeholder_forms():
    assert normalize_placeholders("培训【待补充:次数】次,[待补充]人,XX件,×场") == (
        "培训〔待补充:次数〕次,〔待补充:具体内容〕人,〔待补充:具体数字〕件,〔待补充:具体数字〕场")
    assert normalize_placeholders("〔待补充:2025年调解件数〕") == "〔待补充:2025年调解件数〕"


def test_a_result_restated_as_next_years_plan_becomes_a_target_placeholder():
    """Measured with 1.5B: 计划在2026年开展…普法活动52场 (52场 was this year's result)."""
    ctx = _ctx(material=["2025年开展普法活动52场。2026年计划开展普法活动60场。"])
    para = check_paragraph("2026年计划开展普法活动52场,开展普法活动60场,组织执法队员培训12次。", Part.PLANS, ctx)
    assert "52场" not in para.text and "〔待补充:2026年计划开展普法活动…的目标数字(如有)〕" in para.text
    assert "60场" in para.text  # stated as a plan in the material
    assert "12次" not in para.text  # last year's result (徐行镇 2024), not a target
    assert any(n.startswith("安排中照搬的往年数字已改为待补充: 52场") for n in para.notes)
    named = check_paragraph("扎实推进行政执法“三项制度”,评查案卷60卷。", Part.PLANS, _ctx(material=["评查案卷60卷。"]))
    assert "“三项制度”" in named.text and "60卷" not in named.text
    # results stay results in the other sections
    assert "52场" in check_paragraph("开展普法活动52场。", Part.MEASURES, ctx).text


def test_labels_and_echoed_section_titles_are_removed_but_placeholders_kept():
    from assistant.drafting.reply import clean_reply

    assert clean_reply("【执法培训与案卷评查】我镇组织执法队员培训。") == "我镇组织执法队员培训。"
    assert clean_reply("2026年推进法治政府建设的主要安排为解决问题,我镇将加强培训。") == "为解决问题,我镇将加强培训。"
    assert clean_reply("【待补充:2025年培训次数】我镇组织执法培训。").startswith("【待补充:2025年培训次数】")
