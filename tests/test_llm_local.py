"""The real local model: xllamacpp's llama.cpp server on 127.0.0.1, through the real openai client.

Uses the session fixture ``local_chat_model`` (tests/conftest.py), 0.5B unless ASSISTANT_TEST_MODEL_SIZE.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from assistant.errors import ModelUnavailable
from assistant.llm import ChatModel
from assistant.llm.calllog import read_calls
from assistant.llm.local_server import LocalServer, LocalModelFile

pytestmark = [pytest.mark.slow, pytest.mark.model]


def test_server_listens_on_loopback_only(local_chat_model):
    assert isinstance(local_chat_model, ChatModel)
    base = local_chat_model.client().base_url
    parts = urlsplit(base)
    assert parts.hostname == "127.0.0.1" and parts.port and parts.path == "/v1"
    assert local_chat_model.server.start_seconds is not None


def test_short_chinese_completion(local_chat_model):
    messages = [
        {"role": "system", "content": "你是一个简洁的助手。只输出答案数字。"},
        {"role": "user", "content": "材料:吉昌镇2024年调解矛盾纠纷930件。\n问题:吉昌镇2024年调解矛盾纠纷多少件?"},
    ]
    text = local_chat_model.complete(messages, max_tokens=16, temperature=0.0)
    assert "930" in text
    record = read_calls(local_chat_model.client().logs_dir, 1)[0]
    assert record["error"] is None and record["stream"] is False
    assert record["prompt_tokens"] > 20 and 0 < record["completion_tokens"] <= 16
    assert not record["tokens_estimated"]  # llama.cpp reports usage


def test_streamed_chinese_completion(local_chat_model):
    messages = [{"role": "user", "content": "请用中文写一句话,介绍法治政府建设。"}]
    pieces = list(local_chat_model.stream(messages, max_tokens=40, temperature=0.0))
    text = "".join(pieces)
    assert len(pieces) > 3  # really streamed, token by token
    assert re.search(r"[\u4e00-\u9fff]", text)
    record = read_calls(local_chat_model.client().logs_dir, 1)[0]
    assert record["stream"] is True and record["error"] is None
    assert 0 < record["seconds_to_first_token"] <= record["seconds_total"]
    assert record["completion_tokens"] == len(pieces) or record["completion_tokens"] >= len(pieces) - 1


def test_a_shared_prompt_start_is_read_once(local_chat_model):
    """llama.cpp keeps the last prompt: a second prompt with the same start re-reads only what follows it,
    and the call log says how much came from the cache."""
    shared = {"role": "system", "content": "你是查阅法治政府建设年度报告的助手。只根据材料回答,不得编造。" * 12}
    local_chat_model.complete([shared, {"role": "user", "content": "吉昌镇调解纠纷多少件?"}], max_tokens=4)
    local_chat_model.complete([shared, {"role": "user", "content": "徐行镇开展普法活动多少场?"}], max_tokens=4)
    first, second = read_calls(local_chat_model.client().logs_dir, 2)
    assert second["cached_tokens"] >= len(local_chat_model.server.tokenize(shared["content"]))
    assert second["prompt_tokens"] - second["cached_tokens"] < first["prompt_tokens"] - (first["cached_tokens"] or 0)


def test_a_cancelled_request_is_dropped_by_the_server_mid_prompt(local_chat_model):
    """A page that goes away while the model reads its prompt: the socket is cut and llama.cpp stops within a
    prompt batch, so the model is free for the next request instead of reading on for nobody. Shown by the
    cache: had the server read the whole prompt, asking it again would find all of it cached."""
    import threading
    import time

    from assistant.llm.gate import QueueCancelled, Waiter

    prompt = [{"role": "user", "content": "请概括以下材料。" + "泾源县坚持依法行政,推进严格规范公正文明执法。" * 60}]
    waiter, outcome = Waiter(), []
    reader = threading.Thread(target=lambda: outcome.append(_raised(lambda: list(waiter.bind(local_chat_model).stream(prompt, max_tokens=4)))))
    reader.start()
    time.sleep(1.0)
    waiter.cancel()
    reader.join(10)
    assert isinstance(outcome[0], QueueCancelled)
    local_chat_model.complete(prompt, max_tokens=1)
    record = read_calls(local_chat_model.client().logs_dir, 1)[0]
    assert record["cached_tokens"] < record["prompt_tokens"] - local_chat_model.server.prompt_batch


def _raised(fn) -> BaseException | None:
    try:
        fn()
    except BaseException as exc:  # noqa: BLE001 — the test looks at it
        return exc
    return None


def test_stop_sequence_is_honoured(local_chat_model):
    messages = [{"role": "user", "content": "从1数到10,用逗号分隔,只输出数字。"}]
    text = local_chat_model.complete(messages, max_tokens=40, temperature=0.0, stop=["5"])
    assert "5" not in text and "6" not in text


def test_prompt_larger_than_the_window_is_a_clear_error(local_chat_model):
    too_long = "依法行政" * (local_chat_model.context_window * 2)
    with pytest.raises(ModelUnavailable, match=r"超出了模型的上下文窗口"):
        local_chat_model.complete([{"role": "user", "content": too_long}], max_tokens=8)


def test_a_broken_gguf_fails_to_start_with_a_clear_error(tmp_path):
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 64)
    server = LocalServer(LocalModelFile(path=bad, name="broken"), threads=1, context=1024)
    with pytest.raises(ModelUnavailable, match="启动失败"):
        server.start(announce=False)
    assert not server.running


def test_server_stops_when_the_process_exits(tmp_path):
    """A CLI run that never calls stop() must still exit cleanly and promptly: the atexit hook stops the
    server (joining llama.cpp's loop thread) before the interpreter tears down."""
    import os
    import socket
    import subprocess
    import sys

    from assistant.llm import model_path

    model_file = model_path(os.environ.get("ASSISTANT_TEST_MODEL_SIZE", "0.5b"))
    if not model_file.exists():
        pytest.skip(f"{model_file} not installed")
    script = (
        "from assistant.settings import Settings, LLMSettings\n"
        "from assistant.llm import get_chat_model\n"
        f"m = get_chat_model(Settings(home={str(tmp_path)!r}, llm=LLMSettings(local_path={str(model_file)!r},"
        " threads=1, context=1024)))\n"
        "print(m.client().base_url, flush=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "正在启动本地模型" in done.stderr and "完成" in done.stderr
    port = urlsplit(done.stdout.strip()).port
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # nothing listens there any more
