"""One JSON line per model call in ``settings.logs_dir/model-calls.jsonl``, so a user can see what happened.

What is logged: time, model, endpoint (scheme://host:port/path only — never a key, user info or query),
sha256 of the prompt (not the prompt: reports may be internal drafts), token counts — the prompt's, how
many of them the server took from its prompt cache (``cached_tokens``, when it says), the reply's — the
seconds spent waiting in the model's queue (``seconds_queued``, ``assistant.llm.gate``), seconds to first
token, total seconds (from the turn, queue not included), the server's own prompt-reading and writing
seconds where it reports them (llama.cpp's ``timings``), and the error if any — redacted
(``assistant.redact``) when written and again when read, so a line written by an older version shows no
key either.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from assistant.llm.base import Message
from assistant.redact import redact, redact_data

LOG_NAME = "model-calls.jsonl"
_write_lock = threading.Lock()  # evals call models from several threads


@dataclass
class CallRecord:
    time: str
    model: str
    endpoint: str
    prompt_sha256: str
    prompt_tokens: int | None
    completion_tokens: int | None
    seconds_to_first_token: float | None
    seconds_total: float
    stream: bool
    max_tokens: int
    temperature: float
    error: str | None = None
    tokens_estimated: bool = False  # True when the server sent no usage and we counted with tiktoken
    cached_tokens: int | None = None  # prompt tokens the server reused from its cache (None: not reported)
    seconds_queued: float | None = None  # waiting for the model's turn before the request was sent
    prompt_seconds: float | None = None  # the server reading the uncached prompt (llama.cpp timings)
    generation_seconds: float | None = None  # the server writing the reply (llama.cpp timings)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def prompt_sha256(messages: list[Message]) -> str:
    blob = json.dumps(messages, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def safe_endpoint(url: str) -> str:
    """The URL without user info, query or fragment (where keys sometimes hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def fill_tokens(record: CallRecord, messages: list[Message], text: str, prompt: int | None, completion: int | None) -> None:
    """The server's token counts when it sent them; else counted here with tiktoken, and marked as estimated."""
    if prompt is not None:
        record.prompt_tokens, record.completion_tokens = prompt, completion
        return
    from assistant.llm.tokens import count_tokens

    record.prompt_tokens = sum(count_tokens(m.get("content", "")) for m in messages)
    record.completion_tokens = count_tokens(text)
    record.tokens_estimated = True


def log_path(logs_dir: Path) -> Path:
    return logs_dir / LOG_NAME


def write_call(logs_dir: Path, record: CallRecord) -> None:
    """Append one record. Logging must never break a model call, so I/O errors are swallowed."""
    data = asdict(record)
    data["error"] = redact(data["error"]) if data["error"] else data["error"]
    line = json.dumps(data, ensure_ascii=False) + "\n"
    try:
        logs_dir.mkdir(parents=True, exist_ok=True)
        with _write_lock, log_path(logs_dir).open("a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError:
        pass


def read_calls(logs_dir: Path, n: int = 20) -> list[dict]:
    """The last ``n`` records (oldest first); unreadable lines are skipped."""
    path = log_path(logs_dir)
    if not path.exists():
        return []
    tail: deque[str] = deque(maxlen=max(n, 0))
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.strip():
                tail.append(line)
    records = []
    for line in tail:
        try:
            records.append(redact_data(json.loads(line)))
        except ValueError:
            continue
    return records
