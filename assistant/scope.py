"""Is the question about reports the library holds? Said by code before any model is asked.

Retrieval always finds *something*. Asked "潼关县2024年组织行政执法培训多少次?" with no 潼关县 report,
it finds 徐行镇's training figures; asked about 泾源县 2023 with only the 2024 report, it finds 2024's.
A small model then answers with another body's or another year's figure: exactly the error that
embarrasses an official document. So a question that names only bodies the library has no report
from, or only years none of the named bodies reported on, is refused with the reason (what the
library does hold), without calling the model.

Deliberately narrow: a year may be a plan year ("泾源县2025年有什么安排" lives in the 2024 report),
a span ("2020年以来") or a far-off target ("2035年远景目标"); none of these is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.places import place_names
from assistant.support import ASKS_FIGURE  # a count asked about a plan year wants facts it has not got
from assistant.types import Part
from vectorstore.filters import part_cues, short_forms

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)(?!\s*年?度?\s*(?:以来|来|起|至|到|—|-|~|的?基础上|相比))")
# Years further than this before the library's first report or after its last are targets, not reports.
_YEARS_BEFORE, _YEARS_AFTER = 5, 1


def named_bodies(question: str, known_orgs: Iterable[str]) -> tuple[list[str], list[str]]:
    """(known bodies, unknown place names) that ``question`` names; short forms (泾源) count as known."""
    known: list[str] = []
    rest = question
    surfaces = sorted({(s, org) for org in known_orgs for s in (org, *short_forms(org))}, key=lambda p: -len(p[0]))
    for surface, org in surfaces:
        if surface in rest:
            rest = rest.replace(surface, "，")
            if org not in known:
                known.append(org)
    return known, place_names(rest)


def named_years(question: str, library_years: Iterable[int]) -> list[int]:
    """Report years the question names: a year near the library's (not a span or a distant target)."""
    years = sorted(set(library_years))
    if not years:
        return []
    low, high = years[0] - _YEARS_BEFORE, years[-1] + _YEARS_AFTER
    out: list[int] = []
    for m in _YEAR.finditer(question):
        y = int(m.group(1))
        if low <= y <= high and y not in out:
            out.append(y)
    return out


def out_of_scope(question: str, catalog: Iterable[tuple[str, int]]) -> str | None:
    """Why the library cannot answer ``question`` (a Chinese sentence), or None when it may.

    ``catalog`` is the (body, year) of every report in the library.
    """
    catalog = list(catalog)
    if not catalog:
        return None  # an empty library is reported by the caller
    orgs = sorted({o for o, _ in catalog})
    known, unknown = named_bodies(question, orgs)
    if unknown and not known:
        have = "、".join(orgs[:8]) + ("等" if len(orgs) > 8 else "")
        return f"报告库中没有{'、'.join(unknown)}的报告(现有: {have})。"
    scope = known or orgs
    in_scope = sorted({y for o, y in catalog if o in scope})
    asked = named_years(question, [y for _, y in catalog])
    if not asked or any(y in in_scope for y in asked):
        return None
    if any(y - 1 in in_scope for y in asked) and (Part.PLANS in part_cues(question) or not ASKS_FIGURE.search(question)):
        return None  # next year's plans are in the previous year's report ("柱山乡2025年怎样完善…")
    who = "、".join(known)
    have = "、".join(f"{y}年度" for y in in_scope)
    hint = ""
    planned = [y for y in asked if y - 1 in in_scope]
    if planned:
        hint = f"{planned[0]}年的工作安排见{planned[0] - 1}年度报告的安排部分。"
    return f"报告库中没有{who}{'、'.join(str(y) for y in asked)}年度的报告(现有: {have})。{hint}"
