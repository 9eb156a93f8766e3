"""draft_report / regenerate_section with a scripted fake model: structure, sources, placeholders,
contamination, years, coverage, events, regenerate keeping edits."""

from __future__ import annotations

import pytest

from assistant.drafting import DraftEvent, draft_report, regenerate_section
from assistant.errors import BadInput
from assistant.types import Part
from test_draft_support import MATERIAL_JICHANG, library, prompt_kind, scripted_model


def _draft(overrides=None, material=(MATERIAL_JICHANG,), **kw):
    model = scripted_model(overrides)
    return draft_report("吉昌镇", 2025, library=library(), model=model, material=material, **kw), model


def _section(draft, part):
    return next(s for s in draft.sections if s.part == part)


def test_structure_title_and_one_call_per_unit():
    draft, model = _draft()
    assert draft.title == "吉昌镇2025年法治政府建设情况报告"
    assert draft.previous_report_id == "吉昌镇-2024"
    assert [s.part for s in draft.sections] == [Part.PREAMBLE, Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS,
                                                Part.PLANS]
    assert _section(draft, Part.PLANS).heading.startswith("四、2026年")
    kinds = [prompt_kind(c.messages) for c in model.history]
    # 3 last-year plans → 3 calls; leadership; 2 shortcomings + causes; 2 measures. No 其他工作: all material used.
    assert kinds == ["measures"] * 3 + ["leadership", "shortcomings", "shortcomings", "causes", "plans", "plans"]
    from assistant.settings import get_settings

    assert all(c.kwargs["max_tokens"] == get_settings().draft.max_tokens for c in model.history)


def test_every_paragraph_has_sources_and_section_one_follows_last_year_plans():
    draft, model = _draft()
    for section in draft.sections:
        assert all(p.sources for p in section.paragraphs), section.heading
    measures = _section(draft, Part.MEASURES).paragraphs
    assert [p.sources[0].label for p in measures] == [f"吉昌镇 2024年 · 安排-{i}" for i in (1, 2, 3)]
    # the material passage on 调解 is routed to the 化解矛盾纠纷 commitment and shown in that prompt only
    assert any(s.kind == "material" and "调解矛盾纠纷45件" in s.quote for s in measures[2].sources)
    assert "调解矛盾纠纷45件" in model.history[2].messages[-1]["content"]
    assert "调解矛盾纠纷45件" not in model.history[0].messages[-1]["content"]


def test_no_material_leaves_visible_placeholders_never_figures():
    draft, model = _draft(material=())
    for p in _section(draft, Part.MEASURES).paragraphs:
        assert "〔待补充:2025年落实“" in p.text
    assert "2025年的事实:\n(无)" in model.history[0].messages[-1]["content"]
    assert len(draft.placeholders) >= 3 + 1 + 2  # three commitments, leadership, two shortcomings


def test_model_placeholder_variants_are_normalized():
    draft, _ = _draft({"leadership": "党委书记主持专题会【待补充:次数】次,开展述法XX次。"})
    text = _section(draft, Part.LEADERSHIP).paragraphs[0].text
    assert "〔待补充:次数〕" in text and "〔待补充:具体数字〕" in text and "XX" not in text


def test_invented_figure_is_replaced_and_recorded_material_figure_kept():
    reply = "矛盾纠纷化解。全年调解矛盾纠纷45件,调解成功率97%,另办理法律援助案件930件。"
    draft, _ = _draft({"measures": reply})
    para = _section(draft, Part.MEASURES).paragraphs[0]
    assert "45件" in para.text and "97%" in para.text  # in the user's material
    assert "930件" not in para.text and "〔待补充:2025年" in para.text
    assert [f.text for f in para.ungrounded] == ["930件"]
    assert any("930" in ph for ph in draft.placeholders) is False  # the placeholder names the gap, not the figure
    assert any("法律援助案件" in ph for ph in draft.placeholders)


def test_foreign_body_name_is_removed_and_recorded():
    reply = "借鉴做法。学习泾源县经验,2026年推行执法人员以案代训、跟班学习,华亭镇也在推行。"
    draft, model = _draft({"plans": reply})
    para = _section(draft, Part.PLANS).paragraphs[0]
    assert "泾源县" not in para.text and "华亭镇" not in para.text
    assert para.foreign_orgs == ["泾源县", "华亭镇"]
    assert "学习我镇经验" in para.text
    assert any("已删除其他单位名称" in n for n in para.notes)
    # the peer practice was offered with its name masked, and is credited in the sources
    prompt = model.history[-1].messages[-1]["content"]
    assert "以案代训" in prompt and "泾源县" not in prompt
    assert any(s.kind == "peer" and s.label.startswith("泾源县 2024年") for s in para.sources)


def test_own_county_name_from_own_report_is_kept():
    reply = "深化普法。2025年,我镇在吉昌镇各村开展以案释法宣传24场。"
    draft, _ = _draft({"measures": reply})
    para = _section(draft, Part.MEASURES).paragraphs[0]
    assert para.foreign_orgs == [] and "吉昌镇各村" in para.text


def test_wrong_years_are_fixed_and_comparisons_kept():
    draft, _ = _draft({
        "measures": "规范执法。2024年全年开展执法人员培训6次,较2024年明显增加。",
        "plans": "加强培训。2025年将加强执法人员培训,在2025年基础上巩固提升。",
    })
    m = _section(draft, Part.MEASURES).paragraphs[0]
    assert m.text.startswith("2025年全年开展") and "较2024年" in m.text
    assert "年份已更正: 2024年→2025年" in m.notes
    p = _section(draft, Part.PLANS).paragraphs[0]
    assert p.text.startswith("2026年将加强") and "在2025年基础上" in p.text


def test_uncovered_shortcoming_gets_a_marked_measure_from_last_years_plan():
    # the model answers shortcoming 2 with nothing about it
    draft, _ = _draft({"plans": ["普法创新。2026年利用新媒体开展普法宣传,转变群众观念。", "总体要求。坚持党的领导。"]})
    rows = draft.coverage
    assert [r.shortcoming.key for r in rows] == ["不足-1", "不足-2"]
    # code gives the measure its heading: last year's matching plan (the model's own "普法创新" is dropped)
    assert rows[0].added is False and rows[0].measures == ["深化普法宣传"]
    assert rows[1].added is True
    added = _section(draft, Part.PLANS).paragraphs[-1]
    assert added.text.startswith("2026年，我镇将针对“乡镇执法人员不足")
    assert "继续落实“规范行政执法”的安排" in added.text  # last year's 安排-2, quoted as the commitment it is
    # it takes the place of the model's off-topic paragraph for 不足-2, under last year's plan title
    assert len(_section(draft, Part.PLANS).paragraphs) == 2 and added.heading == "规范行政执法"
    assert any(s.label == "吉昌镇 2024年 · 安排-2" for s in added.sources)
    assert any("请核改" in ph for ph in draft.placeholders)
    assert any(n.startswith("自动补充") for n in added.notes)


def test_events_stream_progress_and_text():
    events: list[DraftEvent] = []
    draft, model = _draft(on_event=events.append)
    starts = [e for e in events if e.kind == "section"]
    assert [(e.section, e.sections) for e in starts] == [(i, 4) for i in range(1, 5)]
    assert starts[0].units == 3
    first_unit = "".join(e.text for e in events if e.kind == "delta" and e.section == 1 and e.unit == 1)
    assert first_unit == model.history[0].reply
    assert sum(e.kind == "paragraph" for e in events) == len(model.history)
    assert events[-1].kind == "done"


def test_missing_previous_report_lists_what_exists():
    with pytest.raises(BadInput, match="库中没有吉昌镇2023年的报告.*吉昌镇 2024年"):
        draft_report("吉昌镇", 2024, library=library(), model=scripted_model())
    with pytest.raises(BadInput, match="库中没有徐行镇的报告.*泾源县 2024年"):
        draft_report("徐行镇", 2025, library=library(), model=scripted_model())


def test_regenerate_section_keeps_user_edits_elsewhere():
    draft, _ = _draft()
    edited = _section(draft, Part.MEASURES).paragraphs[0]
    edited.text = "用户改写的一段:2025年开展以案释法宣传24场。"
    model = scripted_model({"plans": ["2026年利用新媒体开展普法宣传,推动普法进村入户。", "2026年加强执法人员培训,提升执法规范化水平。"]})
    new = regenerate_section(draft, Part.PLANS, library=library(), model=model, material=[MATERIAL_JICHANG])
    assert [prompt_kind(c.messages) for c in model.history] == ["plans", "plans"]
    assert _section(new, Part.MEASURES).paragraphs[0].text == "用户改写的一段:2025年开展以案释法宣传24场。"
    first, second = _section(new, Part.PLANS).paragraphs
    assert first.text.startswith("2026年利用新媒体开展普法宣传") and second.text.startswith("2026年加强执法人员培训")
    assert "针对执法和普法问题" in _section(draft, Part.PLANS).paragraphs[0].text  # the original is not changed
    assert [s.part for s in new.sections] == [s.part for s in draft.sections]
    with pytest.raises(BadInput):
        regenerate_section(draft, Part.PREAMBLE, library=library(), model=model)


def test_model_formatting_is_cleaned_before_checks():
    from assistant.drafting.reply import clean_reply, split_heading

    assert split_heading(clean_reply("**(一)强化执法。**\n- 2025年开展执法培训,")) == ("强化执法", "2025年开展执法培训。")
    assert split_heading(clean_reply("小标题:强化执法。\n正文:全年开展执法培训,评查案卷。")) == (
        "强化执法", "全年开展执法培训,评查案卷。")
    # a reply cut off by max_tokens loses its unfinished sentence
    assert clean_reply("第一句完整。第二句也完整。第三句被截") == "第一句完整。第二句也完整。"


def test_copied_commitment_and_echoed_instructions_are_dropped():
    from test_draft_support import JICHANG_2024

    commitment = next(line for line in JICHANG_2024.splitlines() if line.startswith("3、"))
    draft, _ = _draft({
        "measures": "化解矛盾纠纷。" + commitment[2:],  # last year's plan pasted back as this year's result
        "leadership": "写2025年党政主要负责人如何履职(学法、述法、研究部署法治工作、重大决策把关等)。镇党委书记全年带头讲授法治课,督促班子成员依法履职。",
    })
    para = _section(draft, Part.MEASURES).paragraphs[2]
    assert "枫桥经验" not in para.text
    assert para.text == "人民调解组织调解矛盾纠纷45件，调解成功率97%。"  # the user's own words instead
    assert any("照抄" in n for n in para.notes) and any("按今年材料原文整理" in n for n in para.notes)
    lead = _section(draft, Part.LEADERSHIP).paragraphs[0]
    # the echoed instruction is gone; the material's figure the model left out is added in the user's words
    assert lead.text == "镇党委书记全年带头讲授法治课，督促班子成员依法履职。镇党委书记主持党委会专题研究法治建设4次。"
    assert any(n.check == "prompt_wording" for n in lead.review)
    assert any("补入材料中未写到的数字: 4次" in n for n in lead.notes)
