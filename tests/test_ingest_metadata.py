"""Metadata from every source, which must agree: a wrong body is never filed, a refusal says why."""

from __future__ import annotations

import pytest

from assistant.errors import BadInput
from assistant.ingest import parse_text

BODY = "\n一、主要举措和成效\n开展普法活动12场。\n二、存在的不足\n一是学法不深。二是执法不规范。\n"
WORK = "坚持以习近平法治思想为指导,扎实推进法治建设。现将有关情况报告如下:"


def meta(text: str, filename: str = "r.txt"):
    return parse_text(text + BODY, filename).meta


@pytest.mark.parametrize(
    ("head", "org", "level", "source"),
    [
        (f"2021年,在区委、区政府坚强领导下,望津街道{WORK}", "望津街道", "街道", "opening"),  # not 在区
        (f"2023年,在县委、县政府的坚强领导和县委依法治县办的具体指导下,秋溪乡{WORK}", "秋溪乡", "乡", "opening"),
        (f"沅丘县司法局2023年法治政府建设工作报告\n2023年,县司法局紧紧围绕县委、县政府中心工作,{WORK}", "沅丘县司法局", "部门", "title"),
        (f"中共柏岭镇委员会 柏岭镇人民政府关于2024年度法治政府建设情况的报告\n县委、县政府:\n2024年,柏岭镇党委、政府{WORK}", "柏岭镇", "镇", "title"),
        (f"中共栗坪乡委员会\n栗坪乡人民政府\n关于2023年法治政府建设工作情况的报告\n2023年,我乡{WORK}", "栗坪乡", "乡", "header"),
        (f"柏阳县市场监督管理局关于2023年度法治政府\n建设工作情况的报告\n2023年,县市场监督管理局{WORK}", "柏阳县市场监督管理局", "部门", "title"),
        (f"临渚区人力资源和社会保障局2024年法治政府建设年度报告\n2024年,区人社局{WORK}", "临渚区人力资源和社会保障局", "部门", "title"),
        (f"2024年是关键之年。凤鸣镇{WORK}", "凤鸣镇", "镇", "opening"),  # theme sentence first
        ("根据《法治政府建设与责任落实督察工作规定》要求,现将石家乡2025年度法治政府建设情况报告如下:", "石家乡", "乡", "opening"),
        (f"石柱土家族自治县人民政府关于2025年法治政府建设情况的报告\n2025年,石柱县{WORK}", "石柱县", "县/区", "title"),
        (f"盘龙彝族乡2023年法治政府建设工作报告\n2023年来,盘龙乡{WORK}", "盘龙彝族乡", "乡", "title"),
    ],
)
def test_body_from_agreeing_sources(head, org, level, source):
    m = meta(head)
    assert (m.org, m.level, m.provenance["org"]) == (org, level, source)


def test_page_information_table_names_the_body_when_nothing_else_does():
    m = meta(f"2024年度法治政府建设情况报告\n索引号:11452631MB1X73805P/2025-00127  发布机构:宁川县鹤鸣镇人民政府\n2024年,我镇{WORK}")
    assert (m.org, m.year, m.provenance["org"]) == ("鹤鸣镇", 2024, "meta")


def test_the_document_number_comes_from_the_page_table_or_the_letterhead_never_from_the_text():
    m = meta(f"2024年度法治政府建设情况报告\n索引号:11452631MB1X73805P/2025-00127  文号:鹤政报〔2025〕6号\n2024年,鹤鸣镇{WORK}")
    assert (m.doc_number, m.provenance["doc_number"]) == ("鹤政报〔2025〕6号", "meta")
    m = meta(f"栗坪乡人民政府\n栗政发[2024] 3号\n关于2023年法治政府建设工作情况的报告\n2023年,栗坪乡{WORK}")
    assert (m.doc_number, m.provenance["doc_number"]) == ("栗政发[2024]3号", "header")
    # a 文号 the text quotes is another document's
    m = meta(f"王河镇2024年法治政府建设情况报告\n2024年,王河镇按照《关于加强法治建设的通知》(王政发〔2024〕2号)要求,{WORK}")
    assert m.doc_number == "" and "doc_number" not in m.provenance


def test_page_table_never_overrules_the_text():
    """The 发布机构 is often the office that posted the report (the 司法局 for the district, the county site)."""
    m = meta(f"下陆区2024年法治政府建设工作报告\n发布日期:2025-02-28  发布机构:下陆区司法局\n2024年,下陆区{WORK}")
    assert m.org == "下陆区"
    m = meta(f"王河镇人民政府关于2025年法治政府建设的报告\n发布机构:王河乡\n2025年,王河镇{WORK}")
    assert m.org == "王河镇"


def test_bare_department_takes_its_county_from_the_page_table():
    m = meta(f"来源:九龙坡区人民政府\n区司法局关于2025年法治政府建设情况的报告\n2025年,区司法局{WORK}")
    assert (m.org, m.level) == ("九龙坡区司法局", "部门")


def test_bare_department_takes_its_county_from_a_title_naming_the_place_not_the_government():
    m = meta(f"关于柏阳县2023年度市场监管领域法治政府建设情况的报告\n2023年,县市场监督管理局{WORK}")
    assert (m.org, m.level) == ("柏阳县市场监督管理局", "部门")
    with pytest.raises(BadInput, match="标题为柏阳县,但开头称“县市场监督管理局”"):
        meta(f"柏阳县人民政府关于2023年度法治政府建设情况的报告\n2023年,县市场监督管理局{WORK}")


def test_short_department_names_are_filed_in_full():
    assert meta(f"2023年,通城县人社局{WORK}").org == "通城县人力资源和社会保障局"
    assert meta(f"2025年,郑州市卫生健康委{WORK}").org == "郑州市卫生健康委员会"


@pytest.mark.parametrize(
    ("head", "why"),
    [
        (f"2024年,在区委、区政府坚强领导下,我镇{WORK}", "只写了“我镇”"),
        (f"2023年,县司法局紧紧围绕县委、县政府中心工作,{WORK}", "只写了“县司法局”"),
        (f"2024年,鲁山人民政府{WORK}", "都没有完整的单位名称"),  # a typo'd name is no name
        (f"东湖镇2024年法治政府建设情况报告\n2024年,西山镇{WORK}", "标题为东湖镇,开头为西山镇"),
        (f"泓湾区人民政府\n2021年度法治政府建设情况报告\n2021年,我镇{WORK}", "文头为泓湾区,但开头称“我镇”"),
        (f"2024年度法治政府建设情况报告\n发布机构:宁川县人民政府\n2024年,我镇{WORK}", "只写了“我镇”"),
    ],
)
def test_refusals_say_why(head, why):
    with pytest.raises(BadInput, match=f"无法识别报告单位.*{why}.*--org"):
        meta(head)


def test_signature_must_agree():
    text = f"芦林镇2024年法治政府建设情况报告\n2024年,芦林镇{WORK}" + BODY + "特此报告。\n桐坪镇人民政府\n2025年2月12日"
    with pytest.raises(BadInput, match="标题为芦林镇,落款为桐坪镇"):
        parse_text(text, "r.txt")


def test_year_rules():
    assert meta(f"塘栖镇法治政府建设年度报告(2024年度)\n塘栖镇{WORK}").year == 2024
    assert meta(f"东方山街道办事处2025度法治政府建设年度报告\n东方山街道{WORK}").year == 2025
    assert meta(f"根据《法治政府建设实施纲要(2021-2025年)》要求,2023年,清波街道{WORK}").year == 2023
    with pytest.raises(BadInput, match="无法识别报告年度.*标题为2023年,开头为2024年"):
        meta(f"芦林镇2023年法治政府建设情况报告\n2024年,芦林镇{WORK}")


def test_chinese_numeral_signature_date():
    text = f"芦林镇2024年法治政府建设情况报告\n2024年,芦林镇{WORK}" + BODY + "芦林镇人民政府\n二〇二五年二月十二日"
    m = parse_text(text, "r.txt").meta
    assert m.signed.isoformat() == "2025-02-12" and m.provenance["signed"] == "signature"


@pytest.mark.parametrize(
    "head",
    [
        f"青石县人民政府\n2024年,鹤龙街{WORK}",  # a copied page's site name above a text without title
        f"发布机构:青石县人民政府\n2024年,鹤龙街{WORK}",  # the publisher, and nothing in the text to confirm it
        f"青石县人民政府\n2024年,教育局{WORK}",  # the subject is a department, the top line a government
    ],
)
def test_a_weak_name_alone_is_not_enough(head):
    with pytest.raises(BadInput, match="无法识别报告单位"):
        meta(head)


def test_only_the_first_paragraph_has_the_subject():
    """A later paragraph may open with another body: it names the author only after a preamble paragraph."""
    with pytest.raises(BadInput, match="无法识别报告单位"):
        meta("今年以来,我们扎实推进法治建设,成效明显。\n柏川县司法局指导我镇开展普法活动12场,群众满意。")
    assert meta(f"2025年是法治政府建设实施纲要的收官之年。\n凤鸣镇{WORK}").org == "凤鸣镇"
