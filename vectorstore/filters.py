"""Search filters: reading one off a question, and turning one into a Chroma ``where`` clause.

Inference only uses what the library holds: a body is recognised when the question names a body that
has a report (or an unambiguous short form of it, 泾源 for 泾源县), and a year only when a report in scope
is on that year. A year the library has no report on ("徐行镇2025年的安排" — the 2025 plans live in the
2024 report) is left out rather than filtering everything away.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from assistant.lexicon import YEAR as _YEAR
from assistant.lexicon import alias_table, part_cues, short_forms
from assistant.types import SearchFilter

__all__ = ["infer_filter", "matches", "part_cues", "short_forms", "to_where"]


@lru_cache(maxsize=8)
def _aliases(orgs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Computed once per set of bodies (a library of 500 reports has ~250: every search asks)."""
    return tuple(alias_table(orgs, short_forms))


def infer_filter(question: str, catalog: Iterable[tuple[str, int]]) -> SearchFilter:
    """Bodies and years named in ``question`` that the library has reports for.

    ``catalog`` is the (org, year) of every report. Returns an empty filter (``inferred=False``) when
    nothing was recognised, else one with ``inferred=True``.
    """
    catalog = list(catalog)
    taken = [False] * len(question)
    orgs: list[str] = []
    for surface, org in _aliases(tuple(sorted({o for o, _ in catalog}))):
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
