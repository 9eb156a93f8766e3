"""Each assertion type, with a passing and a failing example."""

from __future__ import annotations

from evals_fakes import citation, hit, report

from assistant.types import CoverageRow, Draft, DraftParagraph, DraftSection, Item, Part
from evals import checks
from evals.suite import RetrievalExpect, SourceSpec

REFUSAL = "根据现有报告无法回答该问题。"


def test_contains_all_needles_full_width_equals_ascii():
    assert checks.check_contains("调解矛盾纠纷930件,化解率96.77%。", ["930", "96.77%"]).passed
    assert checks.check_contains("化解率９６.７７％", ["96.77%"]).passed  # NFKC: full-width digits and ％
    failed = checks.check_contains("调解矛盾纠纷930件", ["930", "96.77%"])
    assert not failed.passed and "96.77%" in failed.detail


def test_any_of():
    assert checks.check_any_of("共930 件", ["930件", "930 件"]).passed
    assert not checks.check_any_of("共九百三十件", ["930件", "930 件"]).passed


def test_not_contains():
    assert checks.check_not_contains("930件", ["186"]).passed
    failed = checks.check_not_contains("吉昌镇186件,泾源县930件", ["186"])
    assert not failed.passed and "186" in failed.detail


def test_regex():
    assert checks.check_regex("聘请行政执法监督员10名", r"监督员\s*10\s*名").passed
    assert not checks.check_regex("聘请行政执法监督员12名", r"监督员\s*10\s*名").passed


def test_refuses_needs_phrase_flag_and_no_figure():
    assert checks.check_refuses(REFUSAL, refused=True, expected=True, refusal_phrase=REFUSAL).passed
    answered = checks.check_refuses("受理行政复议案件45件。", refused=False, expected=True, refusal_phrase=REFUSAL)
    assert not answered.passed
    with_figure = checks.check_refuses(REFUSAL + "但报告提到调解186件。", True, True, REFUSAL)
    assert not with_figure.passed and "186件" in with_figure.detail


def test_refuses_false_means_must_answer():
    assert checks.check_refuses("930件", refused=False, expected=False, refusal_phrase=REFUSAL).passed
    assert not checks.check_refuses(REFUSAL, refused=True, expected=False, refusal_phrase=REFUSAL).passed


def test_sources_match_org_year_and_part():
    cites = [citation("调解矛盾纠纷930件", "泾源县", 2024, Part.MEASURES)]
    assert checks.check_sources(cites, [SourceSpec(org="泾源县", year=2024)]).passed
    assert checks.check_sources(cites, [SourceSpec(org="泾源县", part=Part.MEASURES)]).passed
    wrong_year = checks.check_sources(cites, [SourceSpec(org="泾源县", year=2023)])
    assert not wrong_year.passed and "泾源县 2023年" in wrong_year.detail
    assert not checks.check_sources(cites, [SourceSpec(org="吉昌镇")]).passed
    assert not checks.check_sources(cites, [SourceSpec(org="泾源县", part=Part.SHORTCOMINGS)]).passed
    assert not checks.check_sources([], [SourceSpec(org="泾源县")]).passed
    # one body in either script: a report titled 桐溪鎮 is the case's 桐溪镇
    tongxi = [citation("成功調解398件", "桐溪鎮", 2023, Part.MEASURES)]
    assert checks.check_sources(tongxi, [SourceSpec(org="桐溪镇", year=2023)]).passed


def test_grounded_numbers():
    quotes = ["2024年,全年调解矛盾纠纷930件,矛盾纠纷化解率96.77%,涉及金额7800万元。"]
    assert checks.check_grounded_numbers("泾源县调解矛盾纠纷930件[1],化解率96.77%[1]。", quotes).passed
    invented = checks.check_grounded_numbers("调解930件[1],化解率98%[1]。", quotes)
    assert not invented.passed and "98%" in invented.detail
    assert not checks.check_grounded_numbers("调解930件。", []).passed  # a figure with no evidence at all


def test_valid_citations():
    assert checks.check_valid_citations([]).passed
    assert not checks.check_valid_citations(["ev-deadbeef"]).passed


def test_in_top_k_rank_of_first_matching_chunk():
    expect = RetrievalExpect(in_top_k=2, chunk_contains=["路灯改造"], org="徐行镇")
    hits = [hit("编制公布重大行政决策事项目录", "泾源县"), hit("启秀绿地路灯改造工程方案", "徐行镇"), hit("路灯改造", "吉昌镇")]
    rank = checks.first_relevant_rank(hits, expect)
    assert rank == 2 and checks.check_in_top_k(rank, 2).passed
    assert not checks.check_in_top_k(rank, 1).passed
    assert checks.first_relevant_rank(hits[:1] + hits[2:], expect) is None  # right text, wrong org
    assert not checks.check_in_top_k(None, 5).passed


def test_metadata_equals_and_item_counts():
    r = report("吉昌镇", 2024, "1、意识不强。2、人员不足。一是学习。", [(Part.SHORTCOMINGS, "1、意识不强。"), (Part.SHORTCOMINGS, "2、人员不足。"), (Part.PLANS, "一是学习。")])
    assert checks.check_equals("meta.org", r.meta.org, "吉昌镇").passed
    assert not checks.check_equals("meta.year", r.meta.year, 2023).passed
    assert checks.check_item_count(r, Part.SHORTCOMINGS, 2).passed
    failed = checks.check_item_count(r, Part.PLANS, 5)
    assert not failed.passed and "实际 1 条" in failed.detail
    assert checks.check_parts_found(r, [Part.SHORTCOMINGS, Part.PLANS]).passed
    assert not checks.check_parts_found(r, [Part.LEADERSHIP]).passed


def _draft(plans_text: str, measures: list[str], org: str = "徐行镇") -> tuple[Draft, list[Item]]:
    last = report(org, 2024, "(一)普法责任不够明确。(二)行政执法不够规范。",
                  [(Part.SHORTCOMINGS, "(一)普法责任不够明确。"), (Part.SHORTCOMINGS, "(二)行政执法不够规范。")])
    shortcomings = last.items_of(Part.SHORTCOMINGS)
    sections = [
        DraftSection(Part.MEASURES, "一、2025年主要举措和成效", [DraftParagraph("组织执法培训12次。")]),
        DraftSection(Part.PLANS, "四、2026年主要安排", [DraftParagraph(plans_text)]),
    ]
    coverage = [CoverageRow(shortcomings[0], measures[:1], []), CoverageRow(shortcomings[1], measures[1:], [])]
    return Draft(org, 2025, f"{org}2025年法治政府建设情况报告", last.id, sections, coverage), shortcomings


def test_covers_shortcomings():
    plans = "制定普法责任清单。开展执法案卷评查。"
    draft, shortcomings = _draft(plans, ["制定普法责任清单。", "开展执法案卷评查。"])
    assert checks.check_covers_shortcomings(draft, shortcomings).passed
    missing, _ = _draft(plans, ["制定普法责任清单。"])  # 不足-2 has no measure
    out = checks.check_covers_shortcomings(missing, shortcomings)
    assert not out.passed and "不足-2" in out.detail
    claimed, _ = _draft("制定普法责任清单。", ["制定普法责任清单。", "开展执法案卷评查。"])  # not in section 四
    assert not checks.check_covers_shortcomings(claimed, shortcomings).passed


def test_sections_and_min_chars():
    draft, _ = _draft("开展执法案卷评查。", ["a", "b"])
    assert checks.check_sections(draft, [Part.MEASURES, Part.PLANS]).passed
    out = checks.check_sections(draft, [Part.MEASURES, Part.LEADERSHIP])
    assert not out.passed and "第一责任人" in out.detail
    text = checks.draft_text(draft)
    assert checks.check_min_chars(text, 20).passed
    assert not checks.check_min_chars(text, 1500).passed


def test_no_foreign_orgs_full_name_and_stem():
    orgs = ["徐行镇", "泾源县", "吉昌镇"]
    assert checks.check_no_foreign_orgs("徐行镇2025年法治政府建设情况报告", "徐行镇", orgs).passed
    assert not checks.check_no_foreign_orgs("借鉴泾源县做法", "徐行镇", orgs).passed
    out = checks.check_no_foreign_orgs("学习吉昌经验", "徐行镇", orgs)
    assert not out.passed and "吉昌镇" in out.detail


def test_placeholders_are_not_figures_for_grounding():
    body = checks.PLACEHOLDER.sub("", "调解纠纷〔待补充:2025年调解纠纷件数〕件,培训12次。")
    assert checks.check_grounded_numbers(body, ["组织执法队员培训12次"]).passed
