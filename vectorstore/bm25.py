"""BM25 over the chunks of one published snapshot, kept as numpy arrays that are saved and memory-mapped.

The scores are bm25s's Lucene variant exactly (k1=1.5, b=0.75; idf = ln(1 + (N - df + 0.5) / (df + 0.5)),
tf part = tf / (k1 · (1 - b + b · dl / avgdl) + tf)); ``tests/test_store_snapshot.py`` checks it against
bm25s itself. It is computed here rather than by bm25s for two reasons measured on a 2-core machine:

* a search process only loads arrays (``np.load(mmap_mode="r")``) and sums a few slices: no bm25s import
  (≈0.2 s of start-up) and no re-tokenising of stored text;
* the term counts are kept per chunk, so publishing a snapshot after a write re-weights the counts it
  already has (vectorised) instead of tokenising every chunk again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

K1, B = 1.5, 0.75  # bm25s / Lucene defaults; the gold-set numbers in bench_retrieval were measured with them
_ARRAYS = ("tf_indptr", "tf_terms", "tf_counts", "doc_len", "w_indptr", "w_docs", "w_weights")


@dataclass
class TermCounts:
    """Per-chunk term counts (rows = chunks, CSR): what BM25 weights are computed from."""

    vocab: list[str]
    indptr: np.ndarray  # int64, len = chunks + 1
    terms: np.ndarray  # int32 term ids
    counts: np.ndarray  # float32 term frequencies
    doc_len: np.ndarray  # float32 tokens per chunk

    @property
    def size(self) -> int:
        return len(self.indptr) - 1

    @classmethod
    def from_tokens(cls, token_lists: Sequence[list[str]], vocab: list[str] | None = None) -> "TermCounts":
        vocab = list(vocab or [])
        ids = {t: i for i, t in enumerate(vocab)}
        indptr, terms, counts, lens = [0], [], [], []
        for toks in token_lists:
            c = Counter(toks)
            for t, n in c.items():
                if t not in ids:
                    ids[t] = len(vocab)
                    vocab.append(t)
                terms.append(ids[t])
                counts.append(n)
            indptr.append(len(terms))
            lens.append(len(toks))
        return cls(vocab, np.asarray(indptr, np.int64), np.asarray(terms, np.int32),
                   np.asarray(counts, np.float32), np.asarray(lens, np.float32))

    def slice(self, start: int, end: int) -> "TermCounts":
        """Chunks ``start:end``, same vocabulary (term ids unchanged)."""
        a, b = int(self.indptr[start]), int(self.indptr[end])
        return TermCounts(self.vocab, np.asarray(self.indptr[start : end + 1]) - a, np.asarray(self.terms[a:b]),
                          np.asarray(self.counts[a:b]), np.asarray(self.doc_len[start:end]))

    @staticmethod
    def concat(parts: Sequence["TermCounts"]) -> "TermCounts":
        """One matrix from several, mapping every part's term ids into one shared vocabulary. Parts that
        share a vocabulary object (slices of one snapshot) are mapped once."""
        vocab: list[str] = []
        ids: dict[str, int] = {}
        remaps: dict[int, np.ndarray] = {}
        indptr, terms, counts, lens = [np.zeros(1, np.int64)], [], [], []
        offset = 0
        for p in parts:
            remap = remaps.get(id(p.vocab))
            if remap is None:
                remap = np.empty(len(p.vocab), np.int32)
                for i, t in enumerate(p.vocab):
                    j = ids.get(t)
                    if j is None:
                        j = ids[t] = len(vocab)
                        vocab.append(t)
                    remap[i] = j
                remaps[id(p.vocab)] = remap
            terms.append(remap[np.asarray(p.terms)] if len(p.terms) else np.zeros(0, np.int32))
            counts.append(np.asarray(p.counts))
            lens.append(np.asarray(p.doc_len))
            indptr.append(np.asarray(p.indptr[1:]) + offset)
            offset += int(p.indptr[-1])
        return TermCounts(vocab, np.concatenate(indptr), np.concatenate([np.zeros(0, np.int32), *terms]),
                          np.concatenate([np.zeros(0, np.float32), *counts]),
                          np.concatenate([np.zeros(0, np.float32), *lens]))

    def compact(self) -> "TermCounts":
        """Drop vocabulary no chunk uses any more (after removals), renumbering term ids."""
        used = np.unique(self.terms)
        if len(used) == len(self.vocab):
            return self
        remap = np.full(len(self.vocab), -1, np.int32)
        remap[used] = np.arange(len(used), dtype=np.int32)
        return TermCounts([self.vocab[i] for i in used], self.indptr, remap[self.terms], self.counts, self.doc_len)


class BM25Index:
    """BM25 weights per (term, chunk), term-major, from ``TermCounts``; positions follow the chunks' order."""

    def __init__(self, counts: TermCounts, arrays: dict[str, np.ndarray] | None = None) -> None:
        self.counts = counts
        self.vocab = {t: i for i, t in enumerate(counts.vocab)}
        self.size = counts.size
        if arrays is None:
            arrays = self._weights(counts)
        self.w_indptr, self.w_docs, self.w_weights = arrays["w_indptr"], arrays["w_docs"], arrays["w_weights"]

    @staticmethod
    def _weights(c: TermCounts) -> dict[str, np.ndarray]:
        n, v = c.size, len(c.vocab)
        if n == 0 or len(c.terms) == 0:
            return {"w_indptr": np.zeros(v + 1, np.int64), "w_docs": np.zeros(0, np.int32),
                    "w_weights": np.zeros(0, np.float32)}
        doc_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(c.indptr))
        df = np.bincount(c.terms, minlength=v).astype(np.float64)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        avgdl = float(c.doc_len.mean()) or 1.0
        tf = c.counts.astype(np.float64)
        norm = K1 * ((1 - B) + B * c.doc_len[doc_of].astype(np.float64) / avgdl)
        w = (idf[c.terms] * tf / (norm + tf)).astype(np.float32)
        order = np.argsort(c.terms, kind="stable")
        indptr = np.concatenate([[0], np.cumsum(np.bincount(c.terms, minlength=v))]).astype(np.int64)
        return {"w_indptr": indptr, "w_docs": doc_of[order], "w_weights": w[order]}

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every chunk for the query's distinct tokens (zeros where none matches)."""
        ids = [self.vocab[t] for t in dict.fromkeys(query_tokens) if t in self.vocab]
        if not self.size or not ids:
            return np.zeros(self.size, dtype=np.float32)
        docs = np.concatenate([self.w_docs[self.w_indptr[i] : self.w_indptr[i + 1]] for i in ids])
        weights = np.concatenate([self.w_weights[self.w_indptr[i] : self.w_indptr[i + 1]] for i in ids])
        return np.bincount(docs, weights=weights, minlength=self.size).astype(np.float32)

    def top(self, query_tokens: list[str], n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Up to ``n`` (position, score) pairs with a positive score, best first, within ``mask``."""
        return top_positive(self.scores(query_tokens), n, mask)

    # --- persistence ------------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        c = self.counts
        arrays = {"tf_indptr": c.indptr, "tf_terms": c.terms, "tf_counts": c.counts, "doc_len": c.doc_len,
                  "w_indptr": self.w_indptr, "w_docs": self.w_docs, "w_weights": self.w_weights}
        for name in _ARRAYS:
            np.save(folder / f"bm25_{name}.npy", arrays[name])
        (folder / "bm25_vocab.json").write_text(json.dumps(c.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Index":
        a = {name: np.load(folder / f"bm25_{name}.npy", mmap_mode="r") for name in _ARRAYS}
        vocab = json.loads((folder / "bm25_vocab.json").read_text(encoding="utf-8"))
        counts = TermCounts(vocab, a["tf_indptr"], a["tf_terms"], a["tf_counts"], a["doc_len"])
        return cls(counts, a)


def top_positive(scores: np.ndarray, n: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """The ``n`` best (position, score) with score > 0 within ``mask``, best first; ties by position."""
    s = np.where(mask, scores, 0.0) if mask is not None else scores
    n = min(n, int(np.count_nonzero(s > 0)))
    if n <= 0:
        return []
    idx = np.argpartition(-s, n - 1)[:n]
    idx = idx[np.lexsort((idx, -s[idx]))]
    return [(int(i), float(s[i])) for i in idx]
