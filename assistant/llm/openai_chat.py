"""The one real client: any OpenAI-compatible chat endpoint, through the official ``openai`` package.

Used both for a configured endpoint (OpenAI, DeepSeek, Qwen compatible mode, vLLM, Ollama …) and for
the embedded local llama.cpp server. A call has one total deadline (``deadline_s``: every try, every
backoff and the streamed answer together), not ``timeout_s`` per try times the tries. Within it, 408/409/
429/5xx and connection errors are retried at most ``max_retries`` times, 0.5 s doubling up to 8 s (or the
server's Retry-After), never past the deadline. Every failure becomes a ``ModelUnavailable`` with a Chinese
message naming the endpoint, redacted (``assistant.redact``: an endpoint that echoes our Authorization
header must not put the key on screen); every call, failed or not, is one line in the call log.

Every call first waits for its turn in the model's ``ModelGate`` (``assistant.llm.gate``); the deadline
starts when the turn does. A call made for a ``Waiter`` that is cancelled while it runs is cut off at its
socket, so the server sees the client go and drops the request (llama.cpp between prompt batches).
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import openai

from assistant.errors import AssistantError, ModelUnavailable
from assistant.llm.base import Message
from assistant.llm.calllog import CallRecord, fill_tokens, now_iso, prompt_sha256, safe_endpoint, write_call
from assistant.llm.gate import ModelGate, QueueCancelled, Turn
from assistant.redact import redact

CONNECT_TIMEOUT_S = 10.0  # an unreachable host should fail in seconds, not after the full read timeout
NO_KEY = "no-key"  # sent when no key is configured: local servers (vLLM, Ollama) accept anything
FIRST_BACKOFF_S, MAX_BACKOFF_S = 0.5, 8.0
RETRY_STATUSES = (408, 409, 429)  # and every 5xx


class DeadlinePassed(Exception):
    """The call's total time is used up (raised between tries or between streamed pieces)."""


class OpenAIChatModel:
    """A ``ChatModel`` backed by an OpenAI-compatible ``/chat/completions`` endpoint."""

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        context_window: int = 8192,
        timeout_s: float = 300.0,
        max_retries: int = 2,
        deadline_s: float = 120.0,
        default_temperature: float = 0.1,
        logs_dir: Path | None = None,
        unreachable_hint: str = "请检查 ASSISTANT_LLM_BASE_URL 是否正确、服务是否已启动。",
        gate: ModelGate | None = None,
    ) -> None:
        self.name = model
        self.context_window = context_window
        self.base_url = base_url
        self.endpoint = safe_endpoint(base_url)
        self.default_temperature = default_temperature
        self.logs_dir = logs_dir
        self.unreachable_hint = unreachable_hint
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.deadline_s = deadline_s
        self._secrets = [api_key] if api_key else []
        # Without a shared gate (a model made directly: tests, the eval judge) calls never wait.
        self.gate = gate or ModelGate(None, name=self.endpoint)
        # Retries are ours (``_create``), so that they stop at the deadline.
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or NO_KEY, max_retries=0)

    def __repr__(self) -> str:  # no key in reprs
        return f"OpenAIChatModel(model={self.name!r}, endpoint={self.endpoint!r})"

    # -- the ChatModel protocol -------------------------------------------------------------------

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str:
        record = self._new_record(messages, max_tokens, temperature, stream=False)
        with self._turn(record) as turn, self._outcome(record, turn) as started:
            response = self._create(self._request(messages, max_tokens, record.temperature, stop), started, turn)
            text = (response.choices[0].message.content or "") if response.choices else ""
            self._fill_usage(record, messages, text, getattr(response, "usage", None), _timings(response))
            return text

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        """Yield text deltas. The request is sent when iteration starts; closing early ends it."""
        record = self._new_record(messages, max_tokens, temperature, stream=True)
        pieces: list[str] = []
        usage = timings = None
        with self._turn(record) as turn, self._outcome(record, turn) as started:
            try:
                request = self._request(messages, max_tokens, record.temperature, stop)
                response = self._create({**request, "stream": True, "stream_options": {"include_usage": True}}, started, turn)
                with response, turn.cut_off_by(_cutter(response)):
                    for chunk in response:
                        if turn.cancelled:
                            raise QueueCancelled()
                        if time.monotonic() - started > self.deadline_s:
                            raise DeadlinePassed()
                        if getattr(chunk, "usage", None):
                            usage, timings = chunk.usage, _timings(chunk)
                        for choice in chunk.choices or ():
                            delta = choice.delta.content if choice.delta else None
                            if delta:
                                if record.seconds_to_first_token is None:
                                    record.seconds_to_first_token = round(time.monotonic() - started, 3)
                                pieces.append(delta)
                                yield delta
                if turn.cancelled:  # a cut connection may read as a stream that simply ended
                    raise QueueCancelled()
                self._fill_usage(record, messages, "".join(pieces), usage, timings)
            except GeneratorExit:
                record.error = "调用方提前结束了流式输出"
                self._fill_usage(record, messages, "".join(pieces), None)
                raise

    # -- helpers ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _outcome(self, record: CallRecord, turn: Turn) -> Iterator[float]:
        """Around one call once its turn came (yields its start time): an endpoint failure or a passed deadline
        becomes ModelUnavailable, a cancelled call stays QueueCancelled, each noted in ``record``; the record is
        logged with its total time however the call ends."""
        started = time.monotonic()
        try:
            yield started
        except (openai.OpenAIError, DeadlinePassed) as exc:
            error = self._unavailable(exc, turn)
            record.error = str(error)
            raise error from exc
        except QueueCancelled as exc:
            record.error = str(exc)
            raise
        finally:
            record.seconds_total = round(time.monotonic() - started, 3)
            self._log(record)

    @contextlib.contextmanager
    def _turn(self, record: CallRecord) -> Iterator[Turn]:
        """Wait for this call's turn at the gate, recording how long; a call cancelled while queued is logged."""
        started = False
        try:
            with self.gate.turn() as turn:
                started = True
                record.seconds_queued = round(turn.waited_s, 3)
                yield turn
        except QueueCancelled as exc:
            if not started:  # a cancellation once running is logged by the call itself
                record.error = str(exc)
                self._log(record)
            raise

    def _create(self, request: dict, started: float, turn: Turn):
        """``chat.completions.create`` with retries, each try's wait cut to what is left of the deadline.

        A stalled stream is noticed at its next piece or when ``timeout_s``/the time left at its start runs
        out, whichever is first, so a call ends within the deadline plus at most one such wait. No retry
        once the call's waiter is cancelled."""
        tries = 0
        while True:
            if turn.cancelled:
                raise QueueCancelled()
            left = self.deadline_s - (time.monotonic() - started)
            if left <= 0:
                raise DeadlinePassed()
            wait = min(self.timeout_s, left)
            try:
                return self._client.chat.completions.create(
                    **request, timeout=httpx2.Timeout(wait, connect=min(CONNECT_TIMEOUT_S, wait))
                )
            except openai.APITimeoutError as exc:
                if wait < self.timeout_s:  # the deadline, not the per-try timeout, cut this wait short
                    raise DeadlinePassed() from exc
                tries += 1
                self._pause_or_raise(exc, tries, started)
            except openai.OpenAIError as exc:
                tries += 1
                self._pause_or_raise(exc, tries, started)

    def _pause_or_raise(self, exc: openai.OpenAIError, tries: int, started: float) -> None:
        """Sleep before the next try, or re-raise: not retryable, out of retries, or no time for another try."""
        pause = _retry_pause(exc, tries)
        left = self.deadline_s - (time.monotonic() - started)
        if pause is None or tries > self.max_retries or pause >= left:
            raise exc
        time.sleep(pause)

    def _request(self, messages: list[Message], max_tokens: int, temperature: float, stop: list[str] | None) -> dict:
        request: dict = {"model": self.name, "messages": messages, "max_tokens": max_tokens, "temperature": temperature}
        if stop:
            request["stop"] = stop
        return request

    def _new_record(self, messages: list[Message], max_tokens: int, temperature: float | None, stream: bool) -> CallRecord:
        return CallRecord(
            time=now_iso(),
            model=self.name,
            endpoint=self.endpoint,
            prompt_sha256=prompt_sha256(messages),
            prompt_tokens=None,
            completion_tokens=None,
            seconds_to_first_token=None,
            seconds_total=0.0,
            stream=stream,
            max_tokens=max_tokens,
            temperature=self.default_temperature if temperature is None else temperature,
        )

    @staticmethod
    def _fill_usage(record: CallRecord, messages: list[Message], text: str, usage, timings: dict | None = None) -> None:
        # Some compatible servers send no usage: then fill_tokens counts with tiktoken, and says so.
        fill_tokens(record, messages, text, getattr(usage, "prompt_tokens", None), getattr(usage, "completion_tokens", None))
        details = getattr(usage, "prompt_tokens_details", None)
        cached = getattr(details, "cached_tokens", None)
        record.cached_tokens = cached if isinstance(cached, int) else None
        if timings:
            record.prompt_seconds = _ms_to_s(timings.get("prompt_ms"))
            record.generation_seconds = _ms_to_s(timings.get("predicted_ms"))

    def _log(self, record: CallRecord) -> None:
        if self.logs_dir is not None:
            write_call(self.logs_dir, record)

    def _unavailable(self, exc: openai.OpenAIError | DeadlinePassed, turn: Turn) -> AssistantError:
        """One clear Chinese sentence naming the endpoint, with any secret the server echoed masked; a
        connection we cut ourselves (the waiter was cancelled) is a cancellation, not an unreachable model."""
        if turn.cancelled:
            return QueueCancelled()
        return ModelUnavailable(redact(self._explain(exc), self._secrets))

    def _explain(self, exc: openai.OpenAIError | DeadlinePassed) -> str:
        where = f"模型服务 {self.endpoint}(模型 {self.name})"
        if isinstance(exc, DeadlinePassed):
            return (f"{where} 在 {self.deadline_s:g} 秒内没有完成回答(总时限,含重试)。{self.unreachable_hint}"
                    f"可用 ASSISTANT_LLM_DEADLINE_S 调整总时限。")
        if isinstance(exc, openai.APITimeoutError):
            return f"{where} 响应超时(已重试后仍失败)。{self.unreachable_hint}"
        if isinstance(exc, openai.APIConnectionError):
            return f"无法连接{where}(已重试后仍失败)。{self.unreachable_hint}"
        if isinstance(exc, openai.AuthenticationError):
            return f"{where} 拒绝了密钥(401)。请设置正确的 ASSISTANT_LLM_API_KEY。"
        if isinstance(exc, openai.PermissionDeniedError):
            return f"{where} 拒绝访问(403)。请检查密钥的权限。"
        if isinstance(exc, openai.NotFoundError):
            return f"{where} 找不到该模型或接口(404)。请检查 ASSISTANT_LLM_MODEL 和 ASSISTANT_LLM_BASE_URL。"
        if isinstance(exc, openai.RateLimitError):
            return f"{where} 请求过多或额度不足(429),重试后仍失败。请稍后再试。"
        if isinstance(exc, openai.APIStatusError):
            # Masked before it is cut short, so no half key survives the cut.
            detail = _short(redact(re.sub(r"^Error code: \d+ - ", "", getattr(exc, "message", "") or str(exc)), self._secrets))
            if exc.status_code == 400 and _CONTEXT_EXCEEDED.search(detail):
                return (
                    f"{where} 拒绝了请求(400): 提示词加回答超出了模型的上下文窗口(按设置为 {self.context_window} tokens)。"
                    f"请减少放入提示词的段落,或调大 ASSISTANT_LLM_CONTEXT。服务器原话: {detail}"
                )
            if exc.status_code >= 500:
                return f"{where} 出错({exc.status_code}),重试后仍失败: {detail}"
            return f"{where} 拒绝了请求({exc.status_code}): {detail}"
        return f"调用{where}失败: {_short(redact(str(exc), self._secrets))}"


def _retry_pause(exc: openai.OpenAIError, tries: int) -> float | None:
    """Seconds to wait before retrying after ``exc`` (the server's Retry-After first), or None: not retryable."""
    if isinstance(exc, openai.APIStatusError):
        headers = exc.response.headers
        if headers.get("x-should-retry") == "false":
            return None
        if exc.status_code not in RETRY_STATUSES and exc.status_code < 500 and headers.get("x-should-retry") != "true":
            return None
        try:
            return max(0.0, float(headers.get("retry-after", "")))
        except ValueError:
            pass
    elif not isinstance(exc, openai.APIConnectionError):  # APITimeoutError is one of these
        return None
    return min(FIRST_BACKOFF_S * 2 ** (tries - 1), MAX_BACKOFF_S)


# llama.cpp: "exceeds the available context size"; OpenAI/vLLM: "maximum context length", context_length_exceeded
_CONTEXT_EXCEEDED = re.compile(r"context size|context length|context_length|maximum context|too many tokens", re.I)


def _timings(response) -> dict | None:
    """llama.cpp's ``timings`` (prompt_ms, predicted_ms, cache_n …), an extra field the openai types keep."""
    extra = getattr(response, "model_extra", None) or {}
    timings = extra.get("timings")
    return timings if isinstance(timings, dict) else None


def _ms_to_s(value) -> float | None:
    return round(value / 1000, 3) if isinstance(value, (int, float)) else None


def _cutter(stream) -> Callable[[], None]:
    """How to cut a streamed response off from another thread: shut its socket down. (``close()`` from another
    thread does not wake a thread blocked reading the socket on Linux; ``shutdown`` does, and the server sees
    the client go.)"""

    def cut() -> None:
        http = getattr(stream, "response", None)
        network = getattr(http, "extensions", {}).get("network_stream") if http is not None else None
        sock = network.get_extra_info("socket") if network is not None else None
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
        else:
            stream.close()

    return cut


def _short(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
