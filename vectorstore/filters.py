"""Search filters: reading one off a question, and turning one into a Chroma ``where`` clause.

Inference only uses what the library holds: a body is recognised when the question names a body that
has a report (or an unambiguous short form of it, 泾源 for 泾源县), and a year only when a report in scope
is on that year. A year the library has no report on ("徐行镇2025年的安排" — the 2025 plans live in the
2024 report) is left out rather than filtering everything away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.types import Part, SearchFilter

# Administrative suffixes that people drop when they speak of a body: 泾源县 → 泾源, 徐行镇 → 徐行.
# Longest first so 街道办事处 is stripped before 街道.
_ORG_SUFFIXES = ("人民政府", "街道办事处", "街道", "自治县", "县", "区", "市", "镇", "乡")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def short_forms(org: str) -> list[str]:
    """Ways a question may name ``org`` besides its full name (at least two characters left)."""
    forms = []
    for suffix in _ORG_SUFFIXES:
        if org.endswith(suffix) and len(org) - len(suffix) >= 2:
            forms.append(org[: -len(suffix)])
    return forms


def _org_aliases(orgs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """(surface form, org) pairs, longest surface first; a short form shared by two orgs is dropped."""
    return _aliases(tuple(sorted(set(orgs))))


@lru_cache(maxsize=8)
def _aliases(orgs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Computed once per set of bodies (a library of 500 reports has ~250: every search asks)."""
    owners: dict[str, set[str]] = {}
    for org in orgs:
        for form in short_forms(org):
            owners.setdefault(form, set()).add(org)
    pairs = [(org, org) for org in orgs]
    pairs += [(form, next(iter(o))) for form, o in owners.items() if len(o) == 1 and form not in orgs]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def infer_filter(question: str, catalog: Iterable[tuple[str, int]]) -> SearchFilter:
    """Bodies and years named in ``question`` that the library has reports for.

    ``catalog`` is the (org, year) of every report. Returns an empty filter (``inferred=False``) when
    nothing was recognised, else one with ``inferred=True``.
    """
    catalog = list(catalog)
    taken = [False] * len(question)
    orgs: list[str] = []
    for surface, org in _org_aliases(o for o, _ in catalog):
        start = question.find(surface)
        while start != -1:
            end = start + len(surface)
            # A span already claimed by a longer name (泾源县司法局 over 泾源县) is not matched again.
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                if org not in orgs:
                    orgs.append(org)
            start = question.find(surface, end)
    in_scope = {y for o, y in catalog if not orgs or o in orgs}
    years: list[int] = []
    for m in _YEAR.finditer(question):
        year = int(m.group(1))
        if year in in_scope and year not in years:
            years.append(year)
    if not orgs and not years:
        return SearchFilter()
    return SearchFilter(orgs=orgs or None, years=years or None, inferred=True)


# Words by which a question asks about one part of a report. Used as a soft preference when ranking,
# never as a filter: "存在什么问题" is about 不足, but a wrong guess must only cost a rank, not the answer.
_PART_CUES: tuple[tuple[Part, tuple[str, ...]], ...] = (
    (Part.CAUSES, ("原因", "为什么", "为何", "缘故")),
    # not 问题 or 不够: "解答法律问题多少人次" asks for a figure (measured: it cost a gold case)
    (Part.SHORTCOMINGS, ("不足", "短板", "欠缺", "差距", "薄弱", "困难", "缺点", "弱项")),
    (Part.PLANS, ("下一步", "明年", "今后", "打算", "计划", "安排", "准备", "将来", "未来", "下一年")),
    (Part.LEADERSHIP, ("第一责任人", "主要负责人", "党政主要", "一把手", "领导小组", "组长")),
)


def part_cues(question: str) -> list[Part]:
    """Parts of a report the question seems to ask about (possibly several, possibly none)."""
    return [part for part, words in _PART_CUES if any(w in question for w in words)]


def _as_values(f: SearchFilter) -> dict[str, list]:
    """The filter as metadata field → allowed values (only the fields it constrains)."""
    values: dict[str, list] = {}
    if f.orgs:
        values["org"] = list(f.orgs)
    if f.years:
        values["year"] = [int(y) for y in f.years]
    if f.levels:
        values["level"] = list(f.levels)
    if f.parts:
        values["part"] = [getattr(p, "value", p) for p in f.parts]
    return values


def to_where(f: SearchFilter | None, generations: list[str] | None = None) -> dict | None:
    """Chroma ``where`` clause for a filter, optionally limited to the given chunk generations."""
    values = _as_values(f) if f else {}
    if generations is not None:
        values["generation"] = list(generations)
    clauses = [{key: {"$in": allowed}} for key, allowed in values.items()]
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(meta: dict, f: SearchFilter | None) -> bool:
    """Whether chunk metadata (as stored in Chroma) passes the filter — the same test as ``to_where``."""
    if f is None:
        return True
    return all(meta.get(key) in allowed for key, allowed in _as_values(f).items())
