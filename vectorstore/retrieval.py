"""Fusing the BM25 and dense rankings into one.

Two methods, both measured by ``bench/bench_retrieval.py`` on the gold set:

* ``rrf`` — weighted reciprocal-rank fusion: ``Σ weight / (rrf_k + rank)``. Uses only ranks, so the
  two retrievers' incomparable score scales do not matter. BM25 is weighted higher because questions
  about figures and named measures hinge on exact terms that the small embedding model blurs.
* ``weighted`` — normalised scores, weighted and summed (a chunk missing from one list gets 0 from it):
  BM25 divided by the best BM25 score, dense cosine similarity min-max over the candidates.

Then soft priors on the fused list: ``prefer_parts`` (the part a question asks about), ``prefer_figures``
(for a question asking a figure, a passage that gives one of the unit asked) and ``prefer_literal`` (a
passage holding a distinctive phrase of the question word for word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from assistant.figures import find_figures
from assistant.lexicon import answers_unit
from assistant.settings import RetrievalSettings
from assistant.textnorm import normalize

FusionMethod = Literal["rrf", "weighted"]


@dataclass
class Candidate:
    """One chunk row seen by either retriever (key = Chroma row id)."""

    key: str
    bm25_rank: int | None = None  # 1-based
    bm25_score: float | None = None
    dense_rank: int | None = None
    dense_score: float | None = None  # cosine similarity (1 - distance)
    fused: float = 0.0
    payload: dict = field(default_factory=dict)  # what the caller needs to build a Hit


def _normalised(scores: list[float], floor: float | None) -> list[float]:
    """Scores mapped to [0, 1]: divided by the best when ``floor`` is 0 (BM25: 0 means no match), else
    min-max over the list. A list whose scores are all equal (one candidate, say) maps to 1, not 0:
    being the only match is not evidence against a chunk."""
    hi = max(scores)
    lo = floor if floor is not None else min(scores)
    if hi <= lo:
        return [1.0] * len(scores)
    return [(s - lo) / (hi - lo) for s in scores]


def fuse(
    bm25: list[tuple[str, float]],
    dense: list[tuple[str, float]],
    *,
    method: FusionMethod = "rrf",
    bm25_weight: float = 2.0,
    dense_weight: float = 1.0,
    rrf_k: int = 60,
) -> list[Candidate]:
    """Fuse two ranked lists of (key, score), each best first. Returns candidates, best first.

    Ties are broken by BM25 rank, then dense rank, then key, so results are deterministic.
    """
    by_key: dict[str, Candidate] = {}
    for rank, (key, score) in enumerate(bm25, start=1):
        c = by_key.setdefault(key, Candidate(key))
        c.bm25_rank, c.bm25_score = rank, score
    for rank, (key, score) in enumerate(dense, start=1):
        c = by_key.setdefault(key, Candidate(key))
        c.dense_rank, c.dense_score = rank, score

    if method == "rrf":
        for c in by_key.values():
            if c.bm25_rank is not None:
                c.fused += bm25_weight / (rrf_k + c.bm25_rank)
            if c.dense_rank is not None:
                c.fused += dense_weight / (rrf_k + c.dense_rank)
    elif method == "weighted":
        for (key, _), norm in zip(bm25, _normalised([s for _, s in bm25], 0.0) if bm25 else []):
            by_key[key].fused += bm25_weight * norm
        for (key, _), norm in zip(dense, _normalised([s for _, s in dense], None) if dense else []):
            by_key[key].fused += dense_weight * norm
    else:
        raise ValueError(f"unknown fusion method {method!r}")

    return _ranked(by_key.values())


def _ranked(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Best fused score first; ties go to the better BM25 rank, then the better dense rank, then the key."""
    big = 1 << 30
    return sorted(candidates, key=lambda c: (-c.fused, c.bm25_rank or big, c.dense_rank or big, c.key))


def prefer_parts(candidates: list[Candidate], part_of: dict[str, str], parts: list[str], boost: float) -> list[Candidate]:
    """Raise the fused score of candidates in the parts the question asks about by ``boost`` (relative).

    A soft prior, not a filter: a strong match elsewhere still wins. Re-sorted with the same tie-break.
    """
    if not parts or boost <= 0:
        return candidates
    wanted = set(parts)
    for c in candidates:
        if part_of.get(c.key) in wanted:
            c.fused *= 1.0 + boost
    return _ranked(candidates)


def prefer_figures(candidates: list[Candidate], text_of: dict[str, str], units: tuple[str, ...], boost: float) -> list[Candidate]:
    """Raise by ``boost`` (relative) the candidates whose text gives a figure of one of ``units`` (any figure but a
    year when ``units`` is empty): a question asking 多少人 is answered by a passage that states a number of
    people, not by one that only talks about its topic (the 不足 part often does). Candidates that both give
    one keep their order."""
    if boost <= 0:
        return candidates
    for c in candidates:
        figures = [f for f in find_figures(text_of.get(c.key, "")) if f.unit != "年"]
        if units:  # a bare number is no figure of a unit asked
            figures = [f for f in figures if f.unit and any(answers_unit(f.unit, u) for u in units)]
        if figures:
            c.fused *= 1.0 + boost
    return _ranked(candidates)


def _literal_form(text: str) -> str:
    """For word-for-word matching: one punctuation style, no spaces or line breaks (a PDF wraps lines
    mid-phrase)."""
    return "".join(normalize(text).split())


_QUOTED = re.compile(r'《([^》]+)》|"([^"]+)"|「([^」]+)」|\'([^\']+)\'')  # after normalize: “” → ""
_YEAR = re.compile(r"(?:19|20)\d{2}年?度?")


def _runs_in(question: str, body: str, min_chars: int) -> set[str]:
    """The maximal runs of the question's characters (≥ ``min_chars``) that ``body`` holds word for word."""
    runs: set[str] = set()
    reach = 0  # a run starting inside the previous one and ending no later is part of it
    for i in range(len(question) - min_chars + 1):
        j = i + min_chars
        if question[i:j] not in body:
            continue
        while j < len(question) and question[i : j + 1] in body:
            j += 1
        if j > reach:
            runs.add(question[i:j])
            reach = j
    return runs


def _strength(run: str, quoted: list[str], settings: RetrievalSettings) -> float:
    """1 for a run holding a whole phrase the question quotes (《…》, “…”); else growing with length, from 0
    at ``literal_min_chars`` to 1 at ``literal_full_chars``: a long run is a quotation, a short one may be the
    topic's usual words (执法人员持证率)."""
    if any(q in run for q in quoted):
        return 1.0
    span = max(1, settings.literal_full_chars - settings.literal_min_chars)
    return min(1.0, (len(run) - settings.literal_min_chars) / span)


def _masked(question: str, orgs: set[str]) -> str:
    """The question with bodies' names and years blanked outside its quotation marks: they say where to look,
    which the filter handles, not which passage (《芦林镇2024年法治政府建设工作要点》 keeps its own)."""
    out, pos = [], 0
    for m in [*_QUOTED.finditer(question), None]:
        plain = question[pos : m.start() if m else len(question)]
        for name in sorted(orgs, key=len, reverse=True):
            plain = plain.replace(name, "\0")
        out.append(_YEAR.sub("\0", plain))
        if m:
            out.append(m.group(0))
            pos = m.end()
    return "".join(out)


def prefer_literal(
    candidates: list[Candidate],
    question: str,
    meta_of: dict[str, dict],
    settings: RetrievalSettings,
) -> list[Candidate]:
    """Raise the candidates whose text holds, word for word, a *distinctive* phrase of the question.

    A phrase is a run of at least ``literal_min_chars`` of the question's characters that a candidate's text
    holds (its text only: the headings are shared by every chunk under them); it is distinctive when at most
    ``literal_max_share`` of the candidates hold it (at least one may): 第一责任人职责清单 names one paragraph,
    法治政府建设 is in every other. Bodies' names and years are masked first (``_masked``). A candidate gets
    ``literal_weight`` × the best fused score × the strength of its best phrase (``_strength``): with weight
    1, a passage holding a quoted name ranks first. ``meta_of`` maps a candidate's key to its row's metadata
    (``text``, ``org``).
    """
    weight, min_chars = settings.literal_weight, settings.literal_min_chars
    if weight <= 0 or not candidates:
        return candidates
    q = _literal_form(question)
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(q)]
    q = _masked(q, {meta_of[c.key]["org"] for c in candidates if c.key in meta_of})
    bodies = {c.key: _literal_form(meta_of.get(c.key, {}).get("text", "")) for c in candidates}
    runs = {key: _runs_in(q, body, min_chars) for key, body in bodies.items()}
    limit = max(1, int(settings.literal_max_share * len(candidates)))
    distinctive = {r for r in set().union(*runs.values()) if sum(r in body for body in bodies.values()) <= limit}
    best = max(c.fused for c in candidates)
    for c in candidates:
        strength = max((_strength(r, quoted, settings) for r in runs[c.key] if r in distinctive), default=0.0)
        c.fused += weight * best * strength
    return _ranked(candidates)
