"""Keyword overlap between short Chinese passages (jieba words), used to link items to passages.

Why not embeddings: drafting links a handful of passages (a plan item to the user's notes, a
shortcoming to a measure) and must be fast, deterministic and explainable ("shared words: 调解, 普法").
Scores are IDF-weighted recall of the query's keywords: 0 = nothing shared, 1 = every keyword found.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

# Formulaic words every report repeats: sharing them says nothing about the topic.
STOPWORDS = frozenset(
    """
    法治 法治政府 政府 建设 推进 推动 进一步 持续 加强 强化 深化 深入 全面 不断 坚持 落实 开展 工作 提升 提高
    完善 健全 相关 有关 各项 我们 我镇 我乡 我县 全镇 全乡 全县 本镇 以及 进行 通过 实现 加大 力度 积极 切实
    有效 扎实 继续 做好 做到 不够 存在 问题 不足 方面 情况 主要 要求 一是 二是 三是 四是 五是 六是 今年 全年
    年度 下一步 一定 一些 部分 还有 需要 能够 其中 同时 作为 按照 围绕 重点 工作者 水平 能力 意识 机制 体系
    """.split()
)

_HAN_OR_WORD = re.compile(r"[\u4e00-\u9fff]{2,}|[A-Za-z]{2,}")


@lru_cache(maxsize=4096)
def keywords(text: str) -> frozenset[str]:
    """Content words of a passage: jieba search-mode words (执法水平 and 执法, 水平) of ≥2 Han characters,
    formulaic words removed."""
    words = {w for w in jieba.lcut_for_search(text) if _HAN_OR_WORD.fullmatch(w)}
    return frozenset(w for w in words if w not in STOPWORDS)


def idf_table(passages: Iterable[str]) -> dict[str, float]:
    """Smoothed IDF over a small collection, so a word in every passage counts little."""
    docs = [keywords(p) for p in passages]
    n = len(docs)
    counts: dict[str, int] = {}
    for d in docs:
        for w in d:
            counts[w] = counts.get(w, 0) + 1
    return {w: math.log(1 + (n + 1) / (c + 0.5)) for w, c in counts.items()}


def overlap(query: str, passage: str, idf: dict[str, float] | None = None) -> float:
    """IDF-weighted share of the query's keywords that occur in the passage (0..1)."""
    q = keywords(query)
    if not q:
        return 0.0
    p = keywords(passage)
    weight = (lambda w: idf.get(w, 1.5)) if idf else (lambda w: 1.0)
    total = sum(weight(w) for w in q)
    return sum(weight(w) for w in q & p) / total if total else 0.0


def shared_words(query: str, passage: str) -> list[str]:
    return sorted(keywords(query) & keywords(passage))


def best_matches(query: str, passages: Sequence[str], *, k: int, threshold: float) -> list[tuple[int, float]]:
    """Indices and scores of the ``k`` passages that overlap the query most, at or above ``threshold``."""
    idf = idf_table([*passages, query])
    scored = [(i, overlap(query, p, idf)) for i, p in enumerate(passages)]
    scored = [(i, s) for i, s in scored if s >= threshold]
    scored.sort(key=lambda t: -t[1])
    return scored[:k]
