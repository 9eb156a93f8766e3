"""Is the question about reports the library holds? Said by code before any passage is searched.

Retrieval always finds *something*. Asked "潼关县2024年组织行政执法培训多少次?" with no 潼关县 report,
it finds 徐行镇's training figures; asked about 泾源县 2023 with only the 2024 report, it finds 2024's.
A small model then answers with another body's or another year's figure: exactly the error that
embarrasses an official document. So a question that names only bodies the library has no report
from, or only years none of the named bodies reported on, is refused with the reason (what the
library does hold), without calling the model.

Deliberately narrow: a year may be a plan year ("泾源县2025年有什么安排" lives in the 2024 report),
a span ("2020年以来") or a far-off target ("2035年远景目标"); none of these is refused. A question that
names a known body and an unknown one ("城关镇和徐行镇…") is answered for what the library has.
"""

from __future__ import annotations

from assistant.answers.question import Question
from assistant.types import Part


def out_of_scope(question: Question) -> str | None:
    """Why the library cannot answer ``question`` (a Chinese sentence), or None when it may."""
    catalog = question.catalog
    if not catalog:
        return None  # an empty library is reported by the caller
    orgs = sorted({o for o, _ in catalog})
    if question.unknown_bodies and not question.bodies:
        have = "、".join(orgs[:8]) + ("等" if len(orgs) > 8 else "")
        return f"报告库中没有{'、'.join(question.unknown_bodies)}的报告(现有: {have})。"
    if not question.years or question.report_years:
        return None
    scope = question.bodies or orgs
    in_scope = sorted({y for o, y in catalog if o in scope})
    planned = list(question.plan_years)
    if planned and (Part.PLANS in question.parts or not question.asks_figure):
        return None  # next year's plans are in the previous year's report ("柱山乡2025年怎样完善…")
    who = "、".join(question.bodies)
    have = "、".join(f"{y}年度" for y in in_scope)
    hint = f"{planned[0]}年的工作安排见{planned[0] - 1}年度报告的安排部分。" if planned else ""
    return f"报告库中没有{who}{'、'.join(str(y) for y in question.years)}年度的报告(现有: {have})。{hint}"
