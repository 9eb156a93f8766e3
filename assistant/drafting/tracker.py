"""Commitment tracker: was each 安排 item of one report reported on in the body's next report?

Scoring (jieba keywords, IDF over both reports so formulaic words weigh little), per later passage the
F1 of recall (share of the plan's keywords in the passage) and precision (share of the passage's keywords
in the plan) — plans are long and passages short, so recall alone under-rates a passage written about a plan:
- ``best``: the F1 of the single best passage of the later report;
- ``spread``: the recall of the union of its top three passages (a plan reported across paragraphs).
A plan is *reported* when best ≥ REPORTED_BEST or spread ≥ REPORTED_SPREAD, *partly* when
best ≥ PARTLY_BEST, else *not mentioned*. Thresholds were set on 徐行镇's 2024 report against a made-up
2025 report (tests/test_track.py): paragraphs written about a plan score 0.45–0.76, one touching a single
point of it about 0.2, unrelated ones under 0.05.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.drafting.plan import part_spans
from assistant.drafting.similarity import idf_table, overlap, shared_words
from assistant.errors import BadInput
from assistant.types import Item, Part, Report

REPORTED_BEST = 0.35
REPORTED_SPREAD = 0.55
PARTLY_BEST = 0.18
TOP_PASSAGES = 3

STATUS_LABELS = {"reported": "已报告", "partly": "部分报告", "not_mentioned": "未提及"}


@dataclass
class TrackPassage:
    text: str
    score: float
    start: int  # offsets into later.text
    end: int


@dataclass
class TrackRow:
    plan: Item  # the earlier report's 安排 item
    status: str  # reported | partly | not_mentioned
    score: float  # best single-passage score
    passages: list[TrackPassage] = field(default_factory=list)  # best first
    shared: list[str] = field(default_factory=list)  # content words the plan and the passages share

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _later_passages(later: Report) -> list[tuple[str, int, int]]:
    """Paragraphs of the later report's results part (its whole text when parts were not found)."""
    spans = part_spans(later, (Part.MEASURES, Part.LEADERSHIP)) or [(0, len(later.text))]
    out: list[tuple[str, int, int]] = []
    for start, end in spans:
        for m in re.finditer(r"[^\n]+", later.text[start:end]):
            if len(m.group().strip()) >= 10:
                out.append((m.group(), start + m.start(), start + m.end()))
    return out


def _f1(plan: str, passage: str, idf: dict[str, float]) -> float:
    recall, precision = overlap(plan, passage, idf), overlap(passage, plan, idf)
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def track(earlier: Report, later: Report) -> list[TrackRow]:
    """One row per 安排 item of ``earlier``: reported / partly / not mentioned in ``later``."""
    if earlier.meta.org != later.meta.org:
        raise BadInput(f"两份报告不是同一单位: {earlier.meta.label} 与 {later.meta.label}")
    if later.meta.year <= earlier.meta.year:
        raise BadInput(f"后一份报告的年份应晚于前一份: {earlier.meta.label} → {later.meta.label}")
    plans = earlier.items_of(Part.PLANS)
    if not plans:
        raise BadInput(f"{earlier.meta.label}的报告中没有识别出“下一年度安排”条目,无法跟踪。")
    passages = _later_passages(later)
    idf = idf_table([t for t, _, _ in passages] + [p.text for p in plans])
    rows: list[TrackRow] = []
    for plan in plans:
        scored = sorted(((_f1(plan.text, t, idf), t, s, e) for t, s, e in passages), key=lambda x: -x[0])
        top = [x for x in scored[:TOP_PASSAGES] if x[0] > 0]
        best = top[0][0] if top else 0.0
        union = "\n".join(t for _, t, _, _ in top)
        spread = overlap(plan.text, union, idf) if top else 0.0
        if best >= REPORTED_BEST or spread >= REPORTED_SPREAD:
            status = "reported"
        elif best >= PARTLY_BEST:
            status = "partly"
        else:
            status = "not_mentioned"
        shown = [TrackPassage(t, round(sc, 3), s, e) for sc, t, s, e in top if sc >= PARTLY_BEST] if top else []
        rows.append(TrackRow(plan, status, round(best, 3), shown,
                             shared_words(plan.text, union) if shown else []))
    return rows
