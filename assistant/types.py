"""The project's own small types: report → section → item/chunk → evidence → answer → draft.

Everything else (Chroma, LangChain, Gradio) is converted to and from these at a thin seam.
Offsets are always character offsets into ``Report.text`` (the cleaned text, original wording),
so ``report.text[chunk.start:chunk.end] == chunk.text`` holds for every chunk and item.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from enum import Enum


class Part(str, Enum):
    """Canonical parts of an annual report (the five required items, plus the frame around them)."""

    PREAMBLE = "开头"  # opening paragraph(s) before the first part
    MEASURES = "举措成效"  # 1. 主要举措和成效
    LEADERSHIP = "第一责任人"  # 2. 党政主要负责人履行第一责任人职责
    SHORTCOMINGS = "不足"  # 3. 存在的不足 (the 不足 half)
    CAUSES = "原因"  # 3. 存在的不足和原因 (the 原因 half, where the report splits them)
    PLANS = "安排"  # 4. 下一年度主要安排
    OTHER = "其他"  # 5. 其他需要报告的情况
    CLOSING = "结尾"  # closing paragraph, signature block

    def __str__(self) -> str:  # so f-strings print 不足, not Part.SHORTCOMINGS
        return self.value


LEVELS = ("县/区", "部门", "镇", "乡", "街道")
"""Administrative level of the reporting body (县/区 government, a 局/办 department, 镇, 乡, 街道)."""


@dataclass
class ReportMeta:
    org: str  # reporting body, e.g. 泾源县, 徐行镇, 潼关县司法局
    level: str  # one of LEVELS
    year: int  # the year reported ON (a report on 2024, published 2025, is 2024)
    title: str
    title_generated: bool = False  # True when the report had no title and we made one
    published: date | None = None  # 发布日期 from the web page
    signed: date | None = None  # date under the signature block
    doc_number: str = ""  # 文号 (鹤政报〔2025〕6号): the page's information table, or the lines above the title
    source: str = ""  # file name it was read from
    # where each field came from ("title", "opening", "signature", "filename", "user") — for `assistant show`
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How a report is named to users: 泾源县 2024年."""
        return f"{self.org} {self.year}年"


@dataclass
class Section:
    """A headed stretch of the cleaned text, classified into a canonical part."""

    part: Part
    heading: str  # the heading as written ('' when the part has no heading, e.g. inline 一是… lists)
    heading_path: tuple[str, ...]  # headings from the top level down to this one
    depth: int  # 1 for 一、, 2 for (一), 3 for 1、 …
    start: int
    end: int


@dataclass
class Item:
    """One addressable shortcoming, cause or next-year plan item. Drafting works item by item."""

    part: Part  # SHORTCOMINGS, CAUSES or PLANS
    index: int  # 1-based within its part
    heading: str  # its own heading or marker as written: "(二)行政执法不够规范", "二是", "2、"
    text: str  # the item's full text (report.text[start:end])
    start: int
    end: int

    @property
    def key(self) -> str:
        """Stable address within a report, e.g. 不足-2."""
        return f"{self.part.value}-{self.index}"


@dataclass
class Chunk:
    """A retrieval unit: a paragraph or an item (long ones split at sentence ends)."""

    id: str  # stable: derived from report id and offsets
    report_id: str
    org: str
    year: int
    level: str
    part: Part
    heading_path: tuple[str, ...]
    text: str  # the report's own words: report.text[start:end]
    start: int
    end: int
    index_text: str  # what is embedded and BM25-indexed: 【泾源县 2024年 · 不足】 + headings + text

    @staticmethod
    def make_id(report_id: str, start: int, end: int) -> str:
        digest = hashlib.sha1(f"{report_id}:{start}:{end}".encode()).hexdigest()[:10]
        return f"ch-{digest}"


@dataclass
class Report:
    id: str  # "{org}-{year}", e.g. 泾源县-2024: one report per body and year in a library
    content_hash: str  # sha256 of the file's decoded text (UTF-8): same hash → same report, nothing to do
    meta: ReportMeta
    text: str  # cleaned text, original wording and punctuation
    sections: list[Section] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)

    @staticmethod
    def make_id(org: str, year: int) -> str:
        return f"{org}-{year}"

    def items_of(self, part: Part) -> list[Item]:
        return [i for i in self.items if i.part == part]

    def parts_found(self) -> list[Part]:
        seen: list[Part] = []
        for s in self.sections:
            if s.part not in seen:
                seen.append(s.part)
        return seen

    def to_dict(self) -> dict:
        """JSON-ready form (dates as ISO strings, parts as their Chinese names)."""
        return _jsonable(asdict(self))

    @classmethod
    def from_dict(cls, d: dict) -> "Report":
        m = dict(d["meta"])
        for k in ("published", "signed"):
            m[k] = date.fromisoformat(m[k]) if m.get(k) else None
        meta = ReportMeta(**m)
        sections = [
            Section(**{**s, "part": Part(s["part"]), "heading_path": tuple(s["heading_path"])}) for s in d["sections"]
        ]
        items = [Item(**{**i, "part": Part(i["part"])}) for i in d["items"]]
        chunks = [Chunk(**{**c, "part": Part(c["part"]), "heading_path": tuple(c["heading_path"])}) for c in d["chunks"]]
        return cls(d["id"], d["content_hash"], meta, d["text"], sections, items, chunks)


def _jsonable(x):
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, Part):
        return x.value
    if isinstance(x, date):
        return x.isoformat()
    return x


@dataclass
class SearchFilter:
    """Metadata filter for retrieval. ``None`` means "any". ``inferred`` marks a filter read off the question."""

    orgs: list[str] | None = None
    years: list[int] | None = None
    levels: list[str] | None = None
    parts: list[Part] | None = None
    inferred: bool = False
    # A soft preference, never a filter: chunks of these parts rank a little higher (the part a question asks
    # about). None lets the library read it off the question; [] says the question asks about no part.
    prefer_parts: list[Part] | None = None
    # Soft too: for a question asking a figure, chunks that give a figure of one of these units rank a little
    # higher (() any figure); None for a question that asks none.
    prefer_figures: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return not (self.orgs or self.years or self.levels or self.parts)

    def describe(self) -> str:
        """Chinese one-liner for users: 范围: 泾源县 · 2024年."""
        bits = []
        if self.orgs:
            bits.append("、".join(self.orgs))
        if self.years:
            bits.append("、".join(f"{y}年" for y in self.years))
        if self.levels:
            bits.append("、".join(self.levels))
        if self.parts:
            bits.append("、".join(p.value for p in self.parts))
        return "范围: " + (" · ".join(bits) if bits else "全部报告")


@dataclass
class Hit:
    """A retrieved chunk with its fused score and the ranks it had in each retriever (None = not found)."""

    chunk: Chunk
    score: float
    bm25_rank: int | None = None
    dense_rank: int | None = None


@dataclass
class Evidence:
    """A passage shown to the model under an opaque, stable id the model must cite."""

    id: str  # ev-1a2b3c4d, derived from the chunk id so it is stable across runs
    chunk: Chunk
    score: float

    @staticmethod
    def make_id(chunk_id: str) -> str:
        return "ev-" + hashlib.sha1(chunk_id.encode()).hexdigest()[:8]


@dataclass
class Figure:
    """A figure as written in a text: 930件, 96.77%, 1500万元, 两轮."""

    text: str  # as written
    value: float  # normalised numeric value (万/亿 applied, Chinese numerals parsed)
    unit: str  # 件, 人次, %, 元 … ('' when none)
    start: int
    end: int


@dataclass
class Citation:
    """What a user sees for a cited evidence id."""

    evidence_id: str
    report_id: str
    org: str
    year: int
    part: Part
    heading: str
    quote: str  # the chunk's own text
    chunk_id: str
    # True when code, not the model, chose this passage: the model cited nothing, or cited a passage that
    # lacks the answer's figures, and this one holds every figure and most of the wording (shown to users
    # as 系统匹配, so they know the model did not cite it).
    matched_by_code: bool = False


@dataclass
class Answer:
    question: str
    text: str  # the model's answer with [ev-…] markers mapped to [1], [2] …
    citations: list[Citation]
    evidence: list[Evidence]  # everything the model was shown
    refused: bool = False  # the fixed refusal phrase
    uncited: bool = False  # claims without any valid citation
    invented_ids: list[str] = field(default_factory=list)  # ids the model made up (dropped)
    ungrounded: list[Figure] = field(default_factory=list)  # figures found in no cited evidence
    filter: SearchFilter | None = None
    settings_hash: str = ""
    model: str = ""
    seconds_to_first_token: float | None = None
    seconds_total: float | None = None
    # What code tells the reader about this answer: why it refused (no report from that body or year, an
    # invented count), or that a list was read off the report without a model.
    note: str = ""
    # The guard that overturned or repaired the model's reply, or refused before it was asked (scope, support,
    # echo, dump, quote_over, invented_count, instruction); '' when none acted. ``note`` says why.
    guard: str = ""
    guard_action: str = ""  # what it did: refused, quoted (the report's sentence instead), repaired
    # How the question was answered: single (retrieval + model), list, meta, comparison, mention, refused.
    route: str = ""
    reply: str = ""  # the model's raw reply as written (ids and all), for replaying the checks offline


@dataclass
class SourceRef:
    """Where a draft paragraph comes from."""

    kind: str  # "last_report" | "material" | "peer"
    label: str  # 徐行镇 2024年 · 安排-3 / 材料第2段 / 泾源县 2024年 · 举措成效
    quote: str


@dataclass
class ReviewNote:
    """What one of the reviewer's checks found in a draft paragraph (assistant/drafting/review.py)."""

    check: str  # the check's name, e.g. self_reference, vague_quantity (an eval expect key)
    detail: str  # for the user, Chinese: 自称“我镇”已改为“我县”
    repaired: bool = True  # False: flagged only, the user must look


@dataclass
class DraftParagraph:
    text: str
    sources: list[SourceRef] = field(default_factory=list)
    ungrounded: list[Figure] = field(default_factory=list)
    foreign_orgs: list[str] = field(default_factory=list)  # other bodies' names caught (and removed)
    heading: str = ""  # run-in subheading without its marker, e.g. 强化组织领导 (drafting numbers it (一)…)
    notes: list[str] = field(default_factory=list)  # what the checks changed or flagged: 年份已更正…, 自动补充…
    review: list[ReviewNote] = field(default_factory=list)  # what the reviewer's checks repaired or flagged


@dataclass
class DraftSection:
    part: Part
    heading: str  # 一、2025年推进法治政府建设的主要举措和成效
    paragraphs: list[DraftParagraph] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)


@dataclass
class CoverageRow:
    shortcoming: Item  # from last year's report
    measures: list[str]  # measures in the new section 四 that address it
    sources: list[SourceRef]
    added: bool = False  # True when the model missed it and drafting added a measure (marked in the text)


@dataclass
class Draft:
    org: str
    year: int  # the year the new report is ON
    title: str  # 徐行镇2025年法治政府建设情况报告
    previous_report_id: str
    sections: list[DraftSection] = field(default_factory=list)
    coverage: list[CoverageRow] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # 〔待补充:…〕 left in the text
    # material figures the draft does not state, with their clause and passage: 调解成功率95%(材料1第5段)
    unused_figures: list[str] = field(default_factory=list)
    model: str = ""
    settings_hash: str = ""
