"""Shared helpers for the drafting tests: small hand-built reports, a library fake and a fake model
that answers per prompt kind. (No tests here; pytest collects the file but finds none.)"""

from __future__ import annotations

import re

from assistant.errors import BadInput
from assistant.llm import FakeChatModel
from assistant.types import Item, Part, Report, ReportMeta, Section

JICHANG_2024 = """吉昌镇2024年法治政府建设情况报告
一、推进法治政府建设的主要举措和成效
2024年,吉昌镇开展法治宣传活动36场,调解矛盾纠纷58件,调解成功率96%。
二、存在的不足
1、普法宣传方式较为传统,对新媒体运用不足,群众法治观念淡薄。
2、乡镇执法人员不足,执法人员工作经验缺失、执法水平有待提高。
原因分析
1、对法治建设重要性认识不够,学法用法主动性不强。
三、第一责任人履职情况
镇党委书记带头学法述法,专题研究法治建设工作。
四、下一年度推进法治政府建设的主要安排
1、深化普法宣传。2025年利用微信公众号等新媒体开展以案释法,推动普法进村入户。
2、规范行政执法。加强执法人员培训,落实行政执法三项制度,提升执法规范化水平。
3、化解矛盾纠纷。坚持和发展新时代枫桥经验,完善人民调解网络,做到小事不出村。
"""

JINGYUAN_2024 = """泾源县2024年法治政府建设情况报告
一、加强执法监管
泾源县推行乡镇一支队伍管执法,分批次培训行政执法人员360人次,开展案卷评查。
下一步,我们将一是推行执法人员以案代训、跟班学习,每季度组织执法案卷评查;二是用短视频开展普法宣传。
"""

MATERIAL_JICHANG = """# 示例材料(为测试编造,不是真实数据)
2025年,镇里通过微信公众号和短视频开展以案释法宣传24场,覆盖群众3000人次。
全年开展执法人员培训6次,落实行政执法三项制度,评查执法案卷40卷。
人民调解组织调解矛盾纠纷45件,调解成功率97%。
镇党委书记主持党委会专题研究法治建设4次,年终述法。
"""


def _items(text: str, part: Part, lines: list[str]) -> list[Item]:
    out = []
    for i, line in enumerate(lines, 1):
        start = text.index(line)
        heading = re.match(r"\d+、|[一二三四五六七八九十]+是", line).group()
        out.append(Item(part, i, heading, line, start, start + len(line)))
    return out


def make_report(org: str, year: int, text: str, level: str = "镇") -> Report:
    """A Report with sections and items found by the markers in these small test texts."""
    lines = text.splitlines()
    items: list[Item] = []
    sections: list[Section] = []
    part_by_heading = {"举措": Part.MEASURES, "不足": Part.SHORTCOMINGS, "原因": Part.CAUSES,
                       "第一责任人": Part.LEADERSHIP, "安排": Part.PLANS, "执法监管": Part.MEASURES}
    current: Part | None = None
    buckets: dict[Part, list[str]] = {}
    for line in lines[1:]:
        is_heading = re.match(r"[一二三四]、|原因分析", line)
        hit = next((p for k, p in part_by_heading.items() if k in line), None) if is_heading else None
        if hit:
            current = hit
            start = text.index(line)
            sections.append(Section(hit, line, (line,), 1, start, start))
            continue
        if current and line:
            sections[-1].end = text.index(line) + len(line)
            if re.match(r"\d+、", line) and current in (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS):
                buckets.setdefault(current, []).append(line)
    for part, ls in buckets.items():
        items += _items(text, part, ls)
    meta = ReportMeta(org=org, level=level, year=year, title=lines[0])
    report = Report(Report.make_id(org, year), f"hash-{org}-{year}", meta, text, sections, items, [])
    if org == "泾源县":  # inline 一是/二是 plans, as the real report has them
        for n, m in enumerate(re.finditer(r"[一二]是[^;。]*", text), 1):
            report.items.append(Item(Part.PLANS, n, m.group()[:2], m.group(), m.start(), m.end()))
    return report


class FakeLibrary:
    """The Library methods drafting and tracking use: reports(), catalog() and get(ref)."""

    def __init__(self, reports: list[Report]):
        self._reports = reports

    def reports(self) -> list[Report]:
        return list(self._reports)

    def catalog(self) -> list:
        from vectorstore.catalog import catalog_entry

        return sorted((catalog_entry(r) for r in self._reports), key=lambda e: (e.org, e.year, e.id))

    def get(self, ref: str) -> Report:
        for r in self._reports:
            if ref in (r.id, r.meta.org):
                return r
        raise BadInput(f"库中没有 {ref}")


def library() -> FakeLibrary:
    return FakeLibrary([make_report("吉昌镇", 2024, JICHANG_2024), make_report("泾源县", 2024, JINGYUAN_2024, "县/区")])


def prompt_kind(messages: list[dict]) -> str:
    user = messages[-1]["content"]
    for marker, kind in (("去年定下的这项工作", "measures"), ("小节:其他工作", "other_work"),
                         ("第一责任人职责", "leadership"), ("小节:原因分析", "causes"), ("去年指出的不足", "shortcomings"),
                         ("要解决的不足", "plans"), ("其他需要报告", "other")):
        if marker in user:
            return kind
    raise AssertionError("unknown prompt: " + user[:200])


GOOD_REPLIES = {
    "measures": "推进落实。2025年,我镇按照上一年度安排推进相关工作,取得积极成效。",
    "other_work": "其他工作。我镇还开展了其他法治工作。",
    "leadership": "镇党委书记主持党委会专题研究法治建设4次,年终述法。",
    "shortcomings": "问题仍有表现。2025年该问题仍然存在,需要继续改进。",
    "causes": "原因分析。对法治建设重要性认识不够。",
    "plans": "持续改进。2026年,我镇将针对执法和普法问题加强执法人员培训,利用新媒体开展普法宣传。",
    "other": "其他情况。无。",
}


def scripted_model(overrides: dict[str, object] | None = None, calls: int = 20) -> FakeChatModel:
    """A fake that answers every call by prompt kind; ``overrides`` maps a kind to a str or a list of str
    (used in order for successive calls of that kind)."""
    overrides = {k: (list(v) if isinstance(v, list) else v) for k, v in (overrides or {}).items()}

    def reply(messages):
        kind = prompt_kind(messages)
        value = overrides.get(kind, GOOD_REPLIES[kind])
        if isinstance(value, list):
            return value.pop(0) if len(value) > 1 else value[0]
        return value

    return FakeChatModel([reply] * calls)
