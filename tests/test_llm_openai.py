"""OpenAIChatModel against a canned OpenAI-compatible server on 127.0.0.1 (no real model, no network)."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.errors import ModelUnavailable
from assistant.llm import get_chat_model
from assistant.llm.calllog import read_calls
from assistant.llm.openai_chat import OpenAIChatModel
from assistant.settings import get_settings

MSGS = [{"role": "user", "content": "徐行镇2024年办理行政复议案件多少件?"}]
SECRET = "sk-test-secret-should-never-be-logged"


def completion(text: str, prompt_tokens: int = 12, completion_tokens: int = 5) -> dict:
    return {
        "id": "c1", "object": "chat.completion", "created": 0, "model": "canned",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }  # fmt: skip


def sse_chunks(pieces: list[str], usage: bool = True) -> list[dict]:
    chunks = [
        {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "canned",
         "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
        for p in pieces
    ]  # fmt: skip
    if usage:
        chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "canned", "choices": [],
                       "usage": {"prompt_tokens": 9, "completion_tokens": len(pieces), "total_tokens": 9 + len(pieces)}})  # fmt: skip
    return chunks


class CannedServer:
    """Serves scripted responses in order: ("json", status, body, headers) or ("sse", chunks) or ("sleep", s)."""

    def __init__(self) -> None:
        self.script: list[tuple] = []
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                step = outer.script.pop(0) if outer.script else ("json", 500, {"error": {"message": "script empty"}}, {})
                if step[0] == "sleep":
                    time.sleep(step[1])
                    step = ("json", 200, completion("太慢了"), {})
                if step[0] == "json":
                    _, status, payload, headers = step
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for chunk in step[1]:
                        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned():
    server = CannedServer()
    yield server
    server.close()


def make_model(url: str, tmp_path, **kw) -> OpenAIChatModel:
    defaults = dict(base_url=url, model="canned-model", api_key=SECRET, timeout_s=5, max_retries=2, logs_dir=tmp_path / "logs")
    return OpenAIChatModel(**{**defaults, **kw})


def test_complete_sends_messages_and_returns_text(canned, tmp_path):
    canned.script.append(("json", 200, completion("办理行政复议案件12件。"), {}))
    model = make_model(canned.url, tmp_path)
    assert model.complete(MSGS, max_tokens=64, temperature=0.0, stop=["\n\n"]) == "办理行政复议案件12件。"
    (req,) = canned.requests
    assert req["path"] == "/v1/chat/completions"
    assert req["headers"]["authorization"] == f"Bearer {SECRET}"
    assert req["body"]["messages"] == MSGS and req["body"]["model"] == "canned-model"
    assert (req["body"]["max_tokens"], req["body"]["temperature"], req["body"]["stop"]) == (64, 0.0, ["\n\n"])


def test_default_temperature_is_the_configured_one(canned, tmp_path):
    canned.script.append(("json", 200, completion("好"), {}))
    make_model(canned.url, tmp_path, default_temperature=0.3).complete(MSGS)
    assert canned.requests[0]["body"]["temperature"] == 0.3
    assert "stop" not in canned.requests[0]["body"]


def test_stream_yields_deltas_in_order(canned, tmp_path):
    canned.script.append(("sse", sse_chunks(["办理", "行政复议", "案件12件。"])))
    model = make_model(canned.url, tmp_path)
    assert list(model.stream(MSGS)) == ["办理", "行政复议", "案件12件。"]
    assert canned.requests[0]["body"]["stream"] is True
    (record,) = read_calls(tmp_path / "logs")
    assert record["stream"] is True and record["completion_tokens"] == 3 and record["prompt_tokens"] == 9
    assert record["seconds_to_first_token"] is not None and record["error"] is None


def test_stream_without_usage_estimates_tokens(canned, tmp_path):
    canned.script.append(("sse", sse_chunks(["一二三"], usage=False)))
    assert "".join(make_model(canned.url, tmp_path).stream(MSGS)) == "一二三"
    (record,) = read_calls(tmp_path / "logs")
    assert record["tokens_estimated"] is True and record["completion_tokens"] > 0


def test_500_then_success_is_retried(canned, tmp_path):
    canned.script += [("json", 500, {"error": {"message": "boom"}}, {}), ("json", 200, completion("好了"), {})]
    assert make_model(canned.url, tmp_path).complete(MSGS) == "好了"
    assert len(canned.requests) == 2


def test_429_then_success_is_retried_for_streams_too(canned, tmp_path):
    canned.script += [("json", 429, {"error": {"message": "slow down"}}, {"Retry-After": "0"}), ("sse", sse_chunks(["好"]))]
    assert list(make_model(canned.url, tmp_path).stream(MSGS)) == ["好"]
    assert len(canned.requests) == 2


def test_retries_are_bounded_and_end_in_a_clear_error(canned, tmp_path):
    canned.script += [("json", 503, {"error": {"message": "overloaded"}}, {})] * 5
    model = make_model(canned.url, tmp_path, max_retries=1)
    with pytest.raises(ModelUnavailable, match=r"出错\(503\).*overloaded") as info:
        model.complete(MSGS)
    assert len(canned.requests) == 2  # 1 try + 1 retry, then give up
    assert canned.url.removesuffix("/v1") in str(info.value)
    (record,) = read_calls(tmp_path / "logs")
    assert "503" in record["error"]


def test_closed_port_fails_fast_with_the_url(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    model = make_model(f"http://127.0.0.1:{port}/v1", tmp_path, max_retries=1)
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match=f"无法连接模型服务 http://127.0.0.1:{port}/v1"):
        list(model.stream(MSGS))
    assert time.monotonic() - started < 10


def test_slow_server_times_out(canned, tmp_path):
    canned.script.append(("sleep", 3))
    model = make_model(canned.url, tmp_path, timeout_s=0.5, max_retries=0)
    with pytest.raises(ModelUnavailable, match="超时"):
        model.complete(MSGS)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, "ASSISTANT_LLM_API_KEY"), (404, "ASSISTANT_LLM_MODEL"), (400, r"拒绝了请求\(400\): prompt too long"),
     (400, "超出了模型的上下文窗口")],
)
def test_client_errors_are_explained_not_retried(canned, tmp_path, status, expected):
    message = "maximum context length is 8192 tokens" if "上下文" in expected else "prompt too long"
    canned.script.append(("json", status, {"error": {"message": message}}, {}))
    with pytest.raises(ModelUnavailable, match=expected):
        make_model(canned.url, tmp_path).complete(MSGS)
    assert len(canned.requests) == 1


def test_call_log_has_hash_tokens_latency_and_never_the_key(canned, tmp_path):
    canned.script.append(("json", 200, completion("十二件", prompt_tokens=21, completion_tokens=4), {}))
    url_with_userinfo = canned.url.replace("http://", f"http://user:{SECRET}@") + "?key=" + SECRET
    model = make_model(url_with_userinfo, tmp_path)
    model.complete(MSGS)
    raw = (tmp_path / "logs" / "model-calls.jsonl").read_text(encoding="utf-8")
    assert SECRET not in raw and SECRET not in repr(model)
    (record,) = read_calls(tmp_path / "logs")
    assert record["endpoint"] == canned.url
    assert record["model"] == "canned-model" and len(record["prompt_sha256"]) == 64
    assert (record["prompt_tokens"], record["completion_tokens"]) == (21, 4)
    assert record["seconds_total"] >= 0 and record["error"] is None


def test_call_log_keeps_cached_prompt_tokens_and_the_servers_timings(canned, tmp_path):
    """llama.cpp says how much of the prompt came from its cache (usage.prompt_tokens_details.cached_tokens)
    and how long it read and wrote (timings): the log keeps both, so a bench can see prefix reuse per call."""
    chunks = sse_chunks(["一", "二"], usage=False)
    chunks.append({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "canned", "choices": [],
                   "usage": {"prompt_tokens": 617, "completion_tokens": 2, "total_tokens": 619,
                             "prompt_tokens_details": {"cached_tokens": 608}},
                   "timings": {"cache_n": 608, "prompt_n": 9, "prompt_ms": 738.23, "predicted_n": 2, "predicted_ms": 250.0}})
    canned.script.append(("sse", chunks))
    assert "".join(make_model(canned.url, tmp_path).stream(MSGS)) == "一二"
    (record,) = read_calls(tmp_path / "logs")
    assert (record["prompt_tokens"], record["cached_tokens"], record["completion_tokens"]) == (617, 608, 2)
    assert record["prompt_seconds"] == 0.738 and record["generation_seconds"] == 0.25
    assert record["seconds_queued"] == 0.0 and not record["tokens_estimated"]
    canned.script.append(("json", 200, completion("好"), {}))  # a server that says nothing of a cache
    make_model(canned.url, tmp_path).complete(MSGS)
    assert read_calls(tmp_path / "logs")[-1]["cached_tokens"] is None


def test_stream_closed_early_is_logged(canned, tmp_path):
    canned.script.append(("sse", sse_chunks(["一", "二", "三"])))
    stream = make_model(canned.url, tmp_path).stream(MSGS)
    assert next(stream) == "一"
    stream.close()
    (record,) = read_calls(tmp_path / "logs")
    assert "提前结束" in record["error"]


def test_get_chat_model_uses_the_configured_endpoint(canned, monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", canned.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "deepseek-chat")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", SECRET)
    get_settings.cache_clear()
    canned.script.append(("json", 200, completion("好"), {}))
    model = get_chat_model(get_settings())
    assert model.name == "deepseek-chat" and model.context_window == get_settings().llm.context
    assert model.complete(MSGS) == "好"
    assert canned.requests[0]["headers"]["authorization"] == f"Bearer {SECRET}"
    assert read_calls(get_settings().logs_dir)[0]["model"] == "deepseek-chat"


def test_endpoint_without_model_name_is_refused(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    get_settings.cache_clear()
    with pytest.raises(ModelUnavailable, match="ASSISTANT_LLM_MODEL"):
        get_chat_model(get_settings())


def test_missing_local_model_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MODELS", str(tmp_path / "no-models"))
    monkeypatch.setenv("ASSISTANT_LLM_LOCAL_SIZE", "0.5b")
    get_settings.cache_clear()
    with pytest.raises(ModelUnavailable, match="assistant model install --size 0.5b"):
        get_chat_model(get_settings())


def test_missing_own_gguf_names_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_LOCAL_PATH", str(tmp_path / "mine.gguf"))
    get_settings.cache_clear()
    with pytest.raises(ModelUnavailable, match="mine.gguf"):
        get_chat_model(get_settings())


def test_damaged_local_model_is_refused(tmp_path, monkeypatch):
    from assistant.llm.install import MODELS

    models = tmp_path / "models"
    models.mkdir()
    (models / MODELS["0.5b"].filename).write_bytes(b"not a gguf")
    monkeypatch.setenv("ASSISTANT_MODELS", str(models))
    monkeypatch.setenv("ASSISTANT_LLM_LOCAL_SIZE", "0.5b")
    get_settings.cache_clear()
    with pytest.raises(ModelUnavailable, match="不完整或已损坏"):
        get_chat_model(get_settings())
