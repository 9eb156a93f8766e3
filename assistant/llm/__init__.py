"""Chat models behind one small seam (``ChatModel``), plus token budgeting and model installation.

``get_chat_model(settings)`` picks the backend: a LangChain provider (``settings.llm.provider``, through
``init_chat_model``), else a configured OpenAI-compatible endpoint (``settings.llm.base_url``), else the
embedded local model served by xllamacpp on 127.0.0.1. ``as_chat_model`` accepts any LangChain chat model
where ours is taken. Tests use ``FakeChatModel``.

Calls to one model server wait their turn in one process-wide queue (``assistant.llm.gate``): the local
model one at a time, an endpoint or provider ``llm.concurrency`` at a time. ``Waiter().bind(model)`` makes
a page's calls show their place in it and end with the page.
"""

from __future__ import annotations

from assistant.errors import ModelUnavailable
from assistant.llm.base import ChatModel, Message
from assistant.llm.fake import FakeCall, FakeChatModel
from assistant.llm.gate import ModelGate, QueueCancelled, Waiter
from assistant.llm.install import MODELS, install_model, installed_models, model_path
from assistant.llm.langchain_chat import LangChainChatModel, as_chat_model
from assistant.llm.tokens import context_budget, count_tokens, fit_passages, messages_tokens, model_tokens
from assistant.settings import Settings, get_settings


def get_chat_model(settings: Settings | None = None) -> ChatModel:
    """The configured chat model. Raises ``ModelUnavailable`` with what to do when it cannot be used.

    The local model is checked (file present and verified) here, but its server starts on first use.
    """
    settings = settings or get_settings()
    llm = settings.llm
    if llm.provider:
        from assistant.llm.langchain_chat import chat_model_from_provider

        return chat_model_from_provider(settings)
    if llm.base_url:
        if not llm.model:
            from assistant.redact import redact_url

            raise ModelUnavailable(
                f"已设置模型服务地址 {redact_url(llm.base_url)},但没有设置模型名称。请设置 ASSISTANT_LLM_MODEL(例如 deepseek-chat)。"
            )
        from assistant.llm.calllog import safe_endpoint
        from assistant.llm.gate import shared_gate
        from assistant.llm.openai_chat import OpenAIChatModel

        return OpenAIChatModel(
            # every model object for this endpoint and model name waits in one queue, concurrency at a time
            gate=shared_gate(f"{safe_endpoint(llm.base_url)}#{llm.model}", llm.concurrency),
            base_url=llm.base_url,
            model=llm.model,
            api_key=llm.api_key.get_secret_value() if llm.api_key else None,
            context_window=llm.context,
            timeout_s=llm.timeout_s,
            max_retries=llm.max_retries,
            deadline_s=llm.deadline_s,
            default_temperature=llm.temperature,
            logs_dir=settings.logs_dir,
        )
    from assistant.llm.local_server import LocalChatModel

    return LocalChatModel(settings)


__all__ = [
    "MODELS",
    "ChatModel",
    "FakeCall",
    "FakeChatModel",
    "LangChainChatModel",
    "Message",
    "ModelGate",
    "ModelUnavailable",
    "QueueCancelled",
    "Waiter",
    "as_chat_model",
    "context_budget",
    "count_tokens",
    "fit_passages",
    "get_chat_model",
    "install_model",
    "installed_models",
    "messages_tokens",
    "model_path",
    "model_tokens",
]
