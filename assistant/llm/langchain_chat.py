"""Any LangChain chat model (``BaseChatModel``) behind our ``ChatModel`` seam; LangChain providers by configuration.

A user who already builds with LangChain passes their chat model (ChatTongyi, ChatOllama, ChatDeepSeek,
ChatOpenAI …) wherever the project takes a ``ChatModel`` — ``qa.answer`` and the answer Runnable,
``summarize``, ``compare``, ``draft_report`` — and ``as_chat_model`` wraps it once, here. With
``ASSISTANT_LLM_PROVIDER`` and ``ASSISTANT_LLM_MODEL`` set, ``get_chat_model`` makes the model with
``langchain.chat_models.init_chat_model`` (the provider's own package, e.g. langchain-ollama, must be installed).

Per-call limits: OpenAI-style models (langchain-openai's ``BaseChatOpenAI`` and its subclasses, e.g.
ChatDeepSeek) get ``max_tokens`` (sent as ``max_completion_tokens``) and ``temperature`` with each request.
Other providers name these differently (Ollama: ``num_predict``) and reject unknown ones, so they keep the
temperature they were built with. Either way the reply is cut here after ``max_tokens`` tokens (counted with
cl100k), so a server that ignores the limit cannot run on. Every call is one line in
the call log, like our own client's (prompt sha256, tokens, latency, error; never a key).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError, ModelUnavailable
from assistant.llm.base import ChatModel, Message
from assistant.llm.calllog import CallRecord, fill_tokens, now_iso, prompt_sha256, safe_endpoint, write_call
from assistant.llm.gate import ModelGate, QueueCancelled, shared_gate
from assistant.llm.tokens import count_tokens
from assistant.settings import Settings, get_settings


class LangChainChatModel:
    """A ``ChatModel`` whose replies come from a LangChain ``BaseChatModel``."""

    def __init__(self, model: Any, *, context_window: int | None = None, logs_dir: Path | None = None,
                 gate: ModelGate | None = None) -> None:
        self.model = model
        self.name = _model_name(model)
        profile = getattr(model, "profile", None) or {}
        self.context_window = context_window or profile.get("max_input_tokens") or get_settings().llm.context
        self.logs_dir = logs_dir
        self.endpoint = safe_endpoint(
            str(getattr(model, "openai_api_base", None) or getattr(model, "base_url", None) or f"langchain:{type(model).__name__}")
        )
        self.gate = gate or ModelGate(None, name=self.endpoint)  # a model handed in directly never waits

    def __repr__(self) -> str:
        return f"LangChainChatModel({type(self.model).__name__}, model={self.name!r})"

    def stream(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> Iterator[str]:
        """Yield text deltas; at most ``max_tokens`` tokens (cut here when the provider cannot be told)."""
        from langchain_core.messages import convert_to_messages

        record = CallRecord(
            time=now_iso(), model=self.name, endpoint=self.endpoint, prompt_sha256=prompt_sha256(messages),
            prompt_tokens=None, completion_tokens=None, seconds_to_first_token=None, seconds_total=0.0, stream=True,
            max_tokens=max_tokens, temperature=self._temperature(temperature),
        )  # fmt: skip
        started, text, usage = time.monotonic(), "", None
        try:
            with self.gate.turn() as turn:  # the provider's queue (assistant.llm.gate); the clock starts after it
                record.seconds_queued = round(turn.waited_s, 3)
                started = time.monotonic()
                for chunk in self.model.stream(convert_to_messages(messages), stop=stop, **self._limits(max_tokens, temperature)):
                    if turn.cancelled:
                        raise QueueCancelled()
                    usage = getattr(chunk, "usage_metadata", None) or usage
                    delta = chunk.text if isinstance(chunk.text, str) else chunk.text()
                    if not delta:
                        continue
                    if record.seconds_to_first_token is None:
                        record.seconds_to_first_token = round(time.monotonic() - started, 3)
                    text += delta
                    yield delta
                    if count_tokens(text) >= max_tokens:
                        break  # the provider could not be told the limit: stop reading (closes its stream)
        except GeneratorExit:
            record.error = "调用方提前结束了流式输出"
            raise
        except AssistantError as exc:
            record.error = str(exc)
            raise
        except Exception as exc:  # a provider's own error types are many (httpx, ollama, dashscope …)
            error = ModelUnavailable(f"LangChain 模型 {self.name}({type(self.model).__name__})调用失败: {_short(exc)}")
            record.error = str(error)
            raise error from exc
        finally:
            record.seconds_total = round(time.monotonic() - started, 3)
            self._log(record, messages, text, usage)

    def complete(
        self,
        messages: list[Message],
        *,
        max_tokens: int = 512,
        temperature: float | None = None,
        stop: list[str] | None = None,
    ) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature, stop=stop))

    def _limits(self, max_tokens: int, temperature: float | None) -> dict:
        """Per-request limits, only for models known to take them under these names."""
        try:
            from langchain_openai.chat_models.base import BaseChatOpenAI
        except ImportError:  # langchain-openai is a dependency, but a trimmed install may lack it
            return {}
        if not isinstance(self.model, BaseChatOpenAI):
            return {}
        limits: dict = {"max_tokens": max_tokens}
        if temperature is not None:
            limits["temperature"] = temperature
        return limits

    def _temperature(self, asked: float | None) -> float:
        """What the call runs with, for the log: the asked one when it is sent, else the model's own (-1: unknown)."""
        if asked is not None and self._limits(1, asked).get("temperature") is not None:
            return asked
        own = getattr(self.model, "temperature", None)
        return float(own) if isinstance(own, (int, float)) else -1.0

    def _log(self, record: CallRecord, messages: list[Message], text: str, usage: dict | None) -> None:
        if self.logs_dir is None:
            return
        usage = usage or {}
        fill_tokens(record, messages, text, usage.get("input_tokens"), usage.get("output_tokens"))
        write_call(self.logs_dir, record)


def as_chat_model(model: Any, settings: Settings | None = None) -> Any:
    """``model`` as our ``ChatModel``: a LangChain ``BaseChatModel`` is wrapped; anything else (ours, None for
    "no model", a test double) is returned as it is."""
    if model is None or isinstance(model, (ChatModel, LangChainChatModel)):
        return model
    from langchain_core.language_models import BaseChatModel

    if isinstance(model, BaseChatModel):
        return LangChainChatModel(model, logs_dir=(settings or get_settings()).logs_dir)
    return model


def chat_model_from_provider(settings: Settings) -> LangChainChatModel:
    """The configured LangChain provider's chat model (``init_chat_model``), wrapped as a ``ChatModel``."""
    llm = settings.llm
    if not llm.model:
        raise ModelUnavailable(
            f"已设置 LangChain 模型提供方 {llm.provider}(ASSISTANT_LLM_PROVIDER),但没有设置模型名称。"
            "请设置 ASSISTANT_LLM_MODEL(例如 qwen2.5:7b)。"
        )
    kwargs: dict = {"temperature": llm.temperature}
    if llm.base_url:
        kwargs["base_url"] = llm.base_url
    if llm.api_key:
        kwargs["api_key"] = llm.api_key.get_secret_value()
    from langchain.chat_models import init_chat_model

    try:
        model = init_chat_model(llm.model, model_provider=llm.provider, **kwargs)
    except ImportError as exc:
        raise ModelUnavailable(f"LangChain 模型提供方 {llm.provider} 需要另外安装它的包: {_short(exc)}") from exc
    except Exception as exc:  # unsupported provider (ValueError), missing key (the provider's own error) …
        raise ModelUnavailable(f"无法创建 LangChain 模型 {llm.provider}:{llm.model}: {_short(exc)}") from exc
    gate = shared_gate(f"langchain:{llm.provider}:{safe_endpoint(llm.base_url or '')}#{llm.model}", llm.concurrency)
    return LangChainChatModel(model, context_window=llm.context, logs_dir=settings.logs_dir, gate=gate)


def _model_name(model: Any) -> str:
    for attr in ("model_name", "model", "model_id"):
        value = getattr(model, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def _short(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
