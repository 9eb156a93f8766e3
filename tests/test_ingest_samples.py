"""The five sample reports: metadata, parts, items, boilerplate and offsets, all pinned exactly.

Item-count rules (see assistant/ingest/items.py): items are taken at the highest numbering level
inside a part, so 柱山乡's three headed 不足 groups are three items even though (一) and (三) hold
一是/二是 facets; 荆家镇's one 不足 paragraph gives 3 不足 (一是…三是) and, after "主要原因:", 2 原因.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.ingest import parse_file
from assistant.types import LEVELS, Part

# file → (org, level, year, title, title_generated, published, signed)
META = {
    "2024-jichang-zhen.txt": ("吉昌镇", "镇", 2024, "吉昌镇2024年法治政府建设情况报告", True, None, None),
    "2024-xuxing-zhen.txt": ("徐行镇", "镇", 2024, "徐行镇2024年法治政府建设情况报告", False, date(2025, 1, 16), None),
    "2024-zhushan-xiang.txt": ("柱山乡", "乡", 2024, "关于2024年法治政府建设情况的报告", False, None, None),
    "2023-jingjia-zhen.txt": ("荆家镇", "镇", 2023, "关于2023年度法治政府建设工作的报告", False, None, date(2023, 12, 18)),
    "2024-jingyuan-xian.txt": ("泾源县", "县/区", 2024, "泾源县2024年法治政府建设情况报告", True, None, None),
}
# file → (不足, 原因, 安排) item counts
ITEMS = {
    "2024-jichang-zhen.txt": (4, 4, 5),
    "2024-xuxing-zhen.txt": (2, 0, 5),
    "2024-zhushan-xiang.txt": (3, 0, 4),
    "2023-jingjia-zhen.txt": (3, 2, 3),
    "2024-jingyuan-xian.txt": (3, 0, 3),
}
# file → parts in document order
PARTS = {
    "2024-jichang-zhen.txt": ["开头", "举措成效", "不足", "原因", "第一责任人", "安排", "结尾"],
    "2024-xuxing-zhen.txt": ["开头", "举措成效", "不足", "第一责任人", "安排"],
    "2024-zhushan-xiang.txt": ["开头", "举措成效", "第一责任人", "不足", "安排"],
    "2023-jingjia-zhen.txt": ["开头", "举措成效", "第一责任人", "不足", "原因", "安排", "结尾"],
    "2024-jingyuan-xian.txt": ["开头", "举措成效", "不足", "安排"],
}


@pytest.fixture(scope="module")
def reports():
    from tests.conftest import SAMPLES

    return {name: parse_file(SAMPLES / name) for name in META}


@pytest.mark.parametrize("name", META)
def test_metadata_exact(reports, name):
    m = reports[name].meta
    assert (m.org, m.level, m.year, m.title, m.title_generated, m.published, m.signed) == META[name]
    assert m.level in LEVELS
    assert reports[name].id == f"{m.org}-{m.year}"
    assert m.source == name


def test_metadata_provenance(reports):
    assert reports["2024-jichang-zhen.txt"].meta.provenance["org"] == "opening"
    assert reports["2024-xuxing-zhen.txt"].meta.provenance["org"] == "title"
    assert reports["2024-zhushan-xiang.txt"].meta.provenance["org"] == "header"  # 中共…柱山乡委员会 letterhead
    assert reports["2023-jingjia-zhen.txt"].meta.provenance["signed"] == "signature"
    assert reports["2024-jingyuan-xian.txt"].meta.provenance["title"] == "generated"


@pytest.mark.parametrize("name", META)
def test_item_counts(reports, name):
    r = reports[name]
    assert tuple(len(r.items_of(p)) for p in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)) == ITEMS[name]


@pytest.mark.parametrize("name", META)
def test_parts_in_order(reports, name):
    assert [p.value for p in reports[name].parts_found()] == PARTS[name]


def test_item_texts_and_headings(reports):
    jichang = reports["2024-jichang-zhen.txt"]
    assert jichang.items_of(Part.SHORTCOMINGS)[1].text.startswith("2、随着乡镇综合行政执法体制改革")
    assert jichang.items_of(Part.CAUSES)[3].text.startswith("4、受多种因素因素制约")
    assert jichang.items_of(Part.PLANS)[4].heading == "(五)强化矛盾纠纷化解,维护社会稳定"
    assert "在今后的工作中" not in jichang.items_of(Part.PLANS)[4].text  # the closing paragraph is 结尾
    xuxing = reports["2024-xuxing-zhen.txt"]
    assert xuxing.items_of(Part.SHORTCOMINGS)[1].heading == "(二)行政执法不够规范"
    assert "主要表现为" not in xuxing.items_of(Part.SHORTCOMINGS)[0].text  # the intro is no item
    jingyuan = reports["2024-jingyuan-xian.txt"]
    shortcomings = jingyuan.items_of(Part.SHORTCOMINGS)
    assert [i.heading for i in shortcomings] == ["一是", "二是", "三是"]
    assert shortcomings[2].text.endswith("高水平法治保障高质量发展的作用发挥不够充分。")
    assert jingyuan.items_of(Part.PLANS)[1].heading == "二是聚焦社会治理,着力推进矛盾纠纷化解"
    jingjia = reports["2023-jingjia-zhen.txt"]
    assert jingjia.items_of(Part.SHORTCOMINGS)[2].text == "三是全民普法、学法、守法的实效性需要进一步提升。"
    assert jingjia.items_of(Part.CAUSES)[0].text.startswith("一是在法治政府建设工作推进过程中")
    assert "特此报告" not in jingjia.items_of(Part.PLANS)[2].text
    zhushan = reports["2024-zhushan-xiang.txt"]
    first = zhushan.items_of(Part.SHORTCOMINGS)[0]
    assert first.heading == "（一）法治观念不够深入人心，缺乏主动性学习" and "二是部分领导干部" in first.text
    assert [i.key for i in zhushan.items] == ["不足-1", "不足-2", "不足-3", "安排-1", "安排-2", "安排-3", "安排-4"]


def test_sections_classified_whatever_the_wording(reports):
    def part_of(name, heading_start):
        return next(s.part for s in reports[name].sections if s.heading.startswith(heading_start))

    assert part_of("2024-jichang-zhen.txt", "三、第一履行推进法治政府建设第一责任人职责情况") is Part.LEADERSHIP
    assert part_of("2024-jichang-zhen.txt", "(二)原因分析") is Part.CAUSES
    assert part_of("2024-xuxing-zhen.txt", "二、存在问题和不足") is Part.SHORTCOMINGS
    assert part_of("2024-xuxing-zhen.txt", "四、2025年推进法治政府建设的主要安排") is Part.PLANS
    assert part_of("2024-jingyuan-xian.txt", "三、坚持依法行政") is Part.MEASURES  # thematic heading
    inline = [s for s in reports["2024-jingyuan-xian.txt"].sections if s.heading == ""]
    assert [s.part for s in inline] == [Part.PREAMBLE, Part.SHORTCOMINGS, Part.PLANS]


@pytest.mark.parametrize("name", ["2024-jichang-zhen.txt", "2024-xuxing-zhen.txt", "2024-jingyuan-xian.txt"])
def test_boilerplate_gone(reports, name):
    text = reports[name].text
    for junk in ("主办单位", "承办单位", "ICP备", "网站标识码", "涉密文件严禁上网", "浏览器", "扫一扫", "发布日期"):
        assert junk not in text
    assert text == text.strip() and "\n\n" not in text


def test_report_wording_kept(reports):
    raw = (reports["2024-jichang-zhen.txt"].text)
    assert "全年共排查化解各类矛盾纠纷186件,调解成功率达到95%以上。" in raw  # ASCII commas as published
    assert "（一）法治观念不够深入人心，缺乏主动性学习" in reports["2024-zhushan-xiang.txt"].text


@pytest.mark.parametrize("name", META)
def test_offsets_slice_back(reports, name):
    r = reports[name]
    for unit in [*r.chunks, *r.items]:
        assert r.text[unit.start:unit.end] == unit.text
    for s in r.sections:
        assert 0 <= s.start < s.end <= len(r.text)
        if s.heading:
            assert r.text[s.start:s.end].startswith(s.heading)


@pytest.mark.parametrize("name", META)
def test_chunks_cover_the_body_and_carry_context(reports, name):
    r = reports[name]
    m = r.meta
    assert len({c.id for c in r.chunks}) == len(r.chunks)
    previous_end = 0
    for c in r.chunks:
        assert c.start >= previous_end  # in order, no overlap
        previous_end = c.end
        assert len(c.text) <= 480
        assert (c.report_id, c.org, c.year, c.level) == (r.id, m.org, m.year, m.level)
        assert c.index_text.startswith(f"【{m.org} {m.year}年 · {c.part.value}】")
        assert c.index_text.endswith(c.text)
        for heading in c.heading_path:
            assert heading in c.index_text
    # only bare heading lines (they are in the heading path) and line breaks are left out
    covered = [False] * len(r.text)
    for c in r.chunks:
        covered[c.start:c.end] = [True] * (c.end - c.start)
    for s in r.sections:
        if s.heading:
            covered[s.start:s.start + len(s.heading) + 1] = [True] * (len(s.heading) + 1)
    missing = "".join(ch for ch, ok in zip(r.text, covered) if not ok)
    assert missing.strip("\n。") == ""
    sizes = sorted(len(c.text) for c in r.chunks)
    assert sizes[len(sizes) // 2] >= 100  # median: paragraphs and items, not fragments


def test_every_item_is_a_chunk_or_inside_one(reports):
    for r in reports.values():
        for item in r.items:
            inside = [c for c in r.chunks if c.start <= item.start < c.end]
            assert inside and inside[0].part == item.part


def test_long_paragraph_split_at_sentence_ends(reports):
    r = reports["2024-zhushan-xiang.txt"]
    pieces = [c for c in r.chunks if c.heading_path and c.heading_path[-1].startswith("（三）瞄准落脚点")]
    assert len(pieces) == 2 and sum(len(c.text) for c in pieces) > 600
    for c in pieces[:-1]:
        assert c.text.endswith(("。", "；", ";"))


def test_round_trip_through_dict(reports):
    from assistant.types import Report

    r = reports["2023-jingjia-zhen.txt"]
    assert Report.from_dict(r.to_dict()) == r
