"""Fusing the BM25 and dense rankings into one.

Two methods, both measured by ``bench/bench_retrieval.py`` on the gold set:

* ``rrf`` — weighted reciprocal-rank fusion: ``Σ weight / (rrf_k + rank)``. Uses only ranks, so the
  two retrievers' incomparable score scales do not matter. BM25 is weighted higher because questions
  about figures and named measures hinge on exact terms that the small embedding model blurs.
* ``weighted`` — normalised scores, weighted and summed (a chunk missing from one list gets 0 from it):
  BM25 divided by the best BM25 score, dense cosine similarity min-max over the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

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

    big = 1 << 30
    return sorted(
        by_key.values(),
        key=lambda c: (-c.fused, c.bm25_rank or big, c.dense_rank or big, c.key),
    )


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
    big = 1 << 30
    return sorted(candidates, key=lambda c: (-c.fused, c.bm25_rank or big, c.dense_rank or big, c.key))
