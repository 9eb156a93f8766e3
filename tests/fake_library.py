"""A small in-memory stand-in for ``vectorstore.Library`` used by the answers tests.

Search is character-bigram overlap (deterministic, no models), filtering and filter inference
follow the real library's rules (``vectorstore.filters.infer_filter``). Reports are built from short
texts: one paragraph per line, a line ending in no punctuation and starting with 一、/(一) is a heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.types import Chunk, Hit, Item, Part, Report, ReportMeta, SearchFilter, Section
from vectorstore.filters import infer_filter

_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")
_ITEM = re.compile(r"^(?:[(（][一二三四五六七八九十]+[)）]|\d+[、.]|[一二三四五六七八九十]是)")


def _part_of(heading: str) -> Part | None:
    if "不足" in heading or "问题" in heading:
        return Part.SHORTCOMINGS
    if "原因" in heading:
        return Part.CAUSES
    if "安排" in heading or "下一" in heading or "打算" in heading:
        return Part.PLANS
    if "第一责任人" in heading:
        return Part.LEADERSHIP
    if "举措" in heading or "成效" in heading:
        return Part.MEASURES
    return None


def make_report(org: str, year: int, text: str, level: str = "镇") -> Report:
    text = text.strip("\n")
    report_id = Report.make_id(org, year)
    meta = ReportMeta(org=org, level=level, year=year, title=f"{org}{year}年法治政府建设情况报告", source=f"{year}-{org}.txt")
    report = Report(report_id, f"hash-{report_id}", meta, text)
    part, path, offset = Part.PREAMBLE, (), 0
    item_counts: dict[Part, int] = {}
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        if not line.strip():
            continue
        if _HEADING.match(line) and not line.endswith(("。", ";", "；")):
            found = _part_of(line)
            if found is not None:
                if report.sections:
                    report.sections[-1].end = start - 1
                part, path = found, (line,)
                report.sections.append(Section(part, line, path, 1, start, len(text)))
            continue
        if part in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS) and _ITEM.match(line):
            item_counts[part] = item_counts.get(part, 0) + 1
            marker = _ITEM.match(line).group(0)
            report.items.append(Item(part, item_counts[part], marker, line, start, end))
        report.chunks.append(
            Chunk(Chunk.make_id(report_id, start, end), report_id, org, year, level, part, path, line, start, end,
                  f"【{org} {year}年 · {part.value}】{line}")
        )
    if not report.sections:
        report.sections.append(Section(Part.MEASURES, "", (), 1, 0, len(text)))
    return report


@dataclass
class SearchResult:
    hits: list[Hit]
    filter: SearchFilter


def _bigrams(s: str) -> set[str]:
    s = re.sub(r"\s", "", s)
    return {s[i : i + 2] for i in range(len(s) - 1)}


@dataclass
class FakeLibrary:
    reports_: list[Report] = field(default_factory=list)
    searches: list[tuple[str, SearchFilter]] = field(default_factory=list)

    def reports(self) -> list[Report]:
        return list(self.reports_)

    def catalog(self) -> list:
        from vectorstore.catalog import catalog_entry

        return sorted((catalog_entry(r) for r in self.reports_), key=lambda e: (e.org, e.year, e.id))

    def get(self, ref: str) -> Report:
        for r in self.reports_:
            if ref in (r.id, f"{r.meta.org}{r.meta.year}", f"{r.meta.org} {r.meta.year}", r.meta.org):
                return r
        from assistant.errors import BadInput

        raise BadInput(f"没有找到报告: {ref}")

    def infer_filter(self, question: str) -> SearchFilter:
        return infer_filter(question, [(r.meta.org, r.meta.year) for r in self.reports_])

    def chunks(self, filter: SearchFilter | None = None) -> list[Chunk]:
        f = filter or SearchFilter()
        out = []
        for r in self.reports_:
            for c in r.chunks:
                if f.orgs and c.org not in f.orgs or f.years and c.year not in f.years:
                    continue
                if f.levels and c.level not in f.levels or f.parts and c.part not in f.parts:
                    continue
                out.append(c)
        return out

    def search(self, question: str, filter: SearchFilter | None = None, k: int = 8, infer: bool = True) -> SearchResult:
        applied = filter if filter is not None and not filter.is_empty() else (
            self.infer_filter(question) if infer else SearchFilter()
        )
        self.searches.append((question, applied))
        q = _bigrams(question)
        scored = [(len(q & _bigrams(c.text)) / (1 + len(q)), c) for c in self.chunks(applied)]
        scored = [(s, c) for s, c in scored if s > 0]
        scored.sort(key=lambda sc: -sc[0])
        return SearchResult([Hit(c, s) for s, c in scored[:k]], applied)


JINGYUAN = """2024年,泾源县坚持以习近平新时代中国特色社会主义思想为指导,扎实推进法治政府建设。
一、主要举措和成效
深学细悟强思想。开展县委常委会、政府常务会议会前学法69次、理论学习中心组学法21次,举办领导干部习近平法治思想专题讲座4期。
化解矛盾纠纷。全县各级调解组织共调解矛盾纠纷930件,矛盾纠纷化解率96.77%,涉及金额7800万元。
优化营商环境。解决企业发展难题136件,落实减税降费1420户1500万元。
二、存在的不足
一是法治宣传的针对性还不够强。
二是行政执法人员专业化水平有待提高。
三、下一步工作安排
一是持续深化普法宣传。
二是加强执法队伍建设,开展执法人员培训。"""

XUXING = """2024年,徐行镇深入贯彻习近平法治思想,法治政府建设取得新成效。
一、2024年推进法治政府建设的主要举措和成效
完善矛盾化解机制。全年共受理各类矛盾纠纷186件,调解成功率达到95%。
强化执法监督。组织执法案卷评查,罚款25.2万元。
二、存在的不足
(一)执法队伍力量不足。
三、2025年推进法治政府建设的主要安排
(一)加强执法队伍建设。"""

ZHUSHAN = """2024年,柱山乡党委、政府认真贯彻落实法治政府建设各项要求。
一、主要举措和成效
开展法治宣传。组织法治宣传活动12次,发放宣传资料2000余份。
二、存在的不足
一是群众法治意识仍需提升。
三、下一步工作安排
一是创新普法形式。"""


def sample_library() -> FakeLibrary:
    return FakeLibrary(
        [
            make_report("泾源县", 2024, JINGYUAN, level="县/区"),
            make_report("徐行镇", 2024, XUXING),
            make_report("柱山乡", 2024, ZHUSHAN, level="乡"),
        ]
    )
