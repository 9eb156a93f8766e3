"""An in-memory BM25 index (bm25s) over the chunks Chroma holds.

It is derived data: the library builds it from a snapshot of Chroma and rebuilds it when the set of
active report generations changes, so Chroma stays the single source of truth.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np

with warnings.catch_warnings():  # bm25s may pull in optional back ends that warn on import
    warnings.simplefilter("ignore")
    import bm25s

from vectorstore.tokenize import tokens

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG to the console


class BM25Index:
    """BM25 over pre-tokenised documents (``tokens(index_text)`` of each chunk); positions follow their order.

    Tokens come in already made so the library can keep them per text and, on a change, re-tokenise only
    new chunks (jieba is the slow part of a rebuild; bm25s indexing itself is vectorised).
    """

    def __init__(self, token_lists: Sequence[list[str]]) -> None:
        self.size = len(token_lists)
        self._bm25 = bm25s.BM25()  # Lucene variant, k1=1.5, b=0.75
        if self.size:
            self._bm25.index(list(token_lists), show_progress=False)

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every indexed text for the question (zeros where no token matches)."""
        if not self.size:
            return np.zeros(0, dtype=np.float32)
        query = [t for t in dict.fromkeys(tokens(question)) if t in self._bm25.vocab_dict]
        if not query:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query), dtype=np.float32)

    def top(self, question: str, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``n`` (position, score) pairs with a positive score, best first, within ``mask``."""
        s = self.scores(question)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        positive = int(np.count_nonzero(s > 0))
        n = min(n, positive)
        if n <= 0:
            return []
        idx = np.argpartition(-s, n - 1)[:n]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return [(int(i), float(s[i])) for i in idx]
