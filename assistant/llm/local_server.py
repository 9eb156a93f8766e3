"""The embedded local model: llama.cpp's own HTTP server, run in-process by ``xllamacpp`` on 127.0.0.1.

The server listens on a free port (port 0) on 127.0.0.1 only, and is talked to through the same
``OpenAIChatModel`` as any remote endpoint. It starts lazily on the first call (loading a 1 GB model
takes seconds), says so on stderr, and is stopped at process exit. One server per (model file,
threads, context, batch, cache reuse) per process: a second ``get_chat_model`` reuses it, and a test
session starts it once.

One request at a time: every call waits its turn in the server's ``ModelGate`` (one slot, first come
first served, ``assistant.llm.gate``), and the server has one slot holding the whole context. What it has
read stays in that slot: llama.cpp re-reads only the part of the next prompt after the longest prefix it
shares with the last one (``cache_prompt``, on by default), and keeps earlier prompts in RAM to restore
(``cache_ram_mib``). So prompts that start with the same bytes (system, instructions, examples) cost
their shared start once. ``llm.cache_reuse`` also lets it reuse chunks of that many tokens or more found
later in the old prompt, shifted into place (approximate: attention to what came before differs).
``llm.prompt_batch`` is how many prompt tokens it reads between looks at its task queue, so a request
whose page went away is dropped within one batch.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ModelUnavailable
from assistant.llm.base import Message
from assistant.llm.gate import ModelGate
from assistant.llm.install import is_verified, model_spec
from assistant.llm.openai_chat import OpenAIChatModel
from assistant.settings import Settings

LOCAL_HOST = "127.0.0.1"


@dataclass(frozen=True)
class LocalModelFile:
    path: Path
    name: str  # qwen2.5-coder-1.5b-instruct, or the user's file name without .gguf


def resolve_local_model(settings: Settings) -> LocalModelFile:
    """The GGUF to serve: the user's own ``llm.local_path``, else the installed bundled model.

    Raises ``ModelUnavailable`` with the command to run when it is missing or damaged.
    """
    own = settings.llm.local_path
    if own is not None:
        path = Path(own).expanduser()
        if not path.is_file():
            raise ModelUnavailable(f"找不到本地模型文件 {path}(ASSISTANT_LLM_LOCAL_PATH)。请检查路径,或删除该设置以使用内置模型。")
        return LocalModelFile(path=path, name=path.stem)
    spec = model_spec(settings.llm.local_size)
    path = settings.models_dir / spec.filename
    if not path.exists():
        raise ModelUnavailable(
            f"本地模型 {spec.name} 尚未安装(应在 {path})。"
            f"请先运行: assistant model install --size {spec.size}"
        )
    if not is_verified(path, spec):
        raise ModelUnavailable(
            f"本地模型文件 {path} 不完整或已损坏(大小或 sha256 不符)。"
            f"请重新运行: assistant model install --size {spec.size}"
        )
    return LocalModelFile(path=path, name=spec.name)


class LocalServer:
    """One xllamacpp server. ``start()`` is idempotent and thread-safe; ``stop()`` frees the model."""

    def __init__(self, model: LocalModelFile, *, threads: int, context: int, prompt_batch: int = 256,
                 cache_reuse: int = 0) -> None:
        self.model = model
        self.threads = threads
        self.context = context
        self.prompt_batch = prompt_batch
        self.cache_reuse = cache_reuse
        self.gate = ModelGate(1, name=f"local:{model.name}")  # one request at a time, in order
        self._server = None  # xllamacpp.Server while running
        self._base_url: str | None = None
        self._lock = threading.Lock()
        self.start_seconds: float | None = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self, *, announce: bool = True) -> str:
        """Start (once) and return the server's root URL, e.g. ``http://127.0.0.1:39427``."""
        with self._lock:
            if self._server is not None and self._base_url:
                return self._base_url
            import xllamacpp  # heavy native import: only when the local model is really used

            params = xllamacpp.CommonParams()
            params.model.path = str(self.model.path)
            params.model_alias = {self.model.name}
            params.hostnames = [LOCAL_HOST]  # never listen beyond this machine
            params.port = 0  # a free port chosen by the OS
            params.n_ctx = self.context
            params.n_parallel = 1  # one slot gets the whole context; CPU cannot batch usefully anyway
            params.cache_prompt = True  # the default; the prefix reuse above depends on it
            params.n_batch = min(self.prompt_batch, self.context)
            params.n_ubatch = min(self.prompt_batch, 512)  # llama.cpp's default micro-batch, never above the batch
            params.n_cache_reuse = self.cache_reuse
            params.cpuparams.n_threads = self.threads
            params.cpuparams_batch.n_threads = self.threads
            params.verbosity = -1  # llama.cpp's own log is very chatty on stderr
            if announce:
                print(f"正在启动本地模型 {self.model.name} …", end="", file=sys.stderr, flush=True)
            started = time.monotonic()
            try:
                server = xllamacpp.Server(params)
                address = server.listening_address
            except Exception as exc:  # the native side reports failures as plain exceptions
                if announce:
                    print(" 失败", file=sys.stderr, flush=True)
                raise ModelUnavailable(f"本地模型 {self.model.name} 启动失败({self.model.path}): {exc}") from exc
            self.start_seconds = time.monotonic() - started
            if announce:
                print(f" 完成 ({self.start_seconds:.1f} 秒)", file=sys.stderr, flush=True)
                _warn_if_oversubscribed(self.threads)
            self._server = server
            self._base_url = str(address).rstrip("/")
            if not self._base_url.startswith("http"):
                self._base_url = f"http://{self._base_url}"
            return self._base_url

    def stop(self) -> None:
        """Shut the server down (its destructor joins llama.cpp's loop thread and frees the model)."""
        with self._lock:
            server, self._server, self._base_url = self._server, None, None
        del server

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` in the served model (llama.cpp's /tokenize), for measuring budgets."""
        base = self.start(announce=False)
        body = json.dumps({"content": text}).encode("utf-8")
        request = urllib.request.Request(f"{base}/tokenize", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["tokens"]


def _warn_if_oversubscribed(threads: int) -> None:
    """llama.cpp's worker threads meet at a barrier after every operation; when the CPU is already busy,
    each meeting waits for a descheduled thread. Measured on 2 cores at load ~12: 0.5B generation fell from
    6.3 tokens/s with 1 thread to 0.5 with 2. Say so, rather than leave the user with a "hung" model."""
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    if threads > 1 and load > cores:
        print(
            f"提示: 系统负载较高(load {load:.1f},{cores} 核),多线程推理可能非常慢;可设置 ASSISTANT_LLM_THREADS=1。",
            file=sys.stderr,
            flush=True,
        )


_servers: dict[tuple[str, int, int, int, int], LocalServer] = {}
_servers_lock = threading.Lock()


def shared_server(model: LocalModelFile, *, threads: int, context: int, prompt_batch: int = 256,
                  cache_reuse: int = 0) -> LocalServer:
    """The process-wide server for this model file and configuration (created, not started)."""
    key = (str(model.path.resolve()), threads, context, prompt_batch, cache_reuse)
    with _servers_lock:
        server = _servers.get(key)
        if server is None:
            server = _servers[key] = LocalServer(model, threads=threads, context=context,
                                                 prompt_batch=prompt_batch, cache_reuse=cache_reuse)
        return server


@atexit.register
def _stop_all() -> None:
    with _servers_lock:
        servers = list(_servers.values())
    for server in servers:
        server.stop()


class LocalChatModel:
    """``ChatModel`` for the embedded server: starts it on first use, then speaks OpenAI to it."""

    def __init__(self, settings: Settings, model: LocalModelFile | None = None) -> None:
        self.model_file = model or resolve_local_model(settings)
        self.name = self.model_file.name
        self.context_window = settings.llm.context
        self._settings = settings
        llm = settings.llm
        self.server = shared_server(self.model_file, threads=llm.threads, context=llm.context,
                                    prompt_batch=llm.prompt_batch, cache_reuse=llm.cache_reuse)
        self._client: OpenAIChatModel | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalChatModel(name={self.name!r}, path={str(self.model_file.path)!r})"

    def client(self) -> OpenAIChatModel:
        with self._lock:
            if self._client is None or not self.server.running:
                base = self.server.start()
                llm = self._settings.llm
                self._client = OpenAIChatModel(
                    base_url=f"{base}/v1",
                    model=self.name,
                    context_window=self.context_window,
                    timeout_s=llm.timeout_s,
                    max_retries=llm.max_retries,
                    deadline_s=llm.local_deadline_s,
                    default_temperature=llm.temperature,
                    logs_dir=self._settings.logs_dir,
                    unreachable_hint="本地模型服务已停止或崩溃;请重新运行命令。",
                    gate=self.server.gate,
                )
            return self._client

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str:
        return self.client().complete(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        # A generator, so the server starts when the caller starts reading, like any streamed request.
        yield from self.client().stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop)


__all__ = ["LocalChatModel", "LocalModelFile", "LocalServer", "resolve_local_model", "shared_server"]
