"""Secrets never leave the process (issue 12, item 5), and a model call has one total deadline (item 6).

An endpoint that echoes the request headers in its error, and a base URL carrying a key (user:key@ and
?api-key=), must leave no key on stderr, in the call log, in eval JSON or in ``model status``.
"""

from __future__ import annotations

import json
import time

import pytest

from assistant.cli import main
from assistant.errors import ModelUnavailable
from assistant.llm import get_chat_model
from assistant.llm.calllog import log_path
from assistant.llm.openai_chat import OpenAIChatModel
from assistant.redact import redact, redact_data, redact_url
from assistant.settings import get_settings
from tests.fake_openai_server import FakeOpenAIServer

KEY = "sk-live-4f9a8b7c6d5e4f3a2b1c"
URL_KEY = "Zq8xT3vLw9Pa"  # no sk- shape: only the URL rules (and the configured-secret rule) can catch it
MSGS = [{"role": "user", "content": "泾源县2024年调解矛盾纠纷多少件?"}]


def test_redact_rules():
    assert KEY not in redact(f"headers were Authorization: Bearer {KEY}; Host: x")
    assert KEY not in redact(f"{{'authorization': 'Bearer {KEY}'}}")
    assert KEY not in redact(f"key {KEY} rejected")
    assert URL_KEY not in redact(f"POST https://user:{URL_KEY}@api.example.com/v1/chat failed")
    for param in ("api-key", "api_key", "key", "token", "access_token"):
        assert URL_KEY not in redact(f"https://h.example/v1?{param}={URL_KEY}&x=1")
    assert redact_url(f"https://u:{URL_KEY}@h.example:8443/v1?api-key={URL_KEY}&region=cn") == (
        "https://***@h.example:8443/v1?api-key=***&region=cn"
    )
    assert redact("泾源县2024年调解矛盾纠纷930件,化解率96.77%。") == "泾源县2024年调解矛盾纠纷930件,化解率96.77%。"
    assert redact_data({"a": [f"Bearer {KEY}", 3], "b": None}) == {"a": ["Bearer ***", 3], "b": None}


def test_a_configured_secret_of_any_shape_is_redacted(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "plainpassphrase123")
    get_settings.cache_clear()
    assert "plainpassphrase123" not in redact("the server said: plainpassphrase123 is not a valid key")


@pytest.mark.parametrize("status", [400, 500])
def test_an_echoing_endpoint_leaves_no_key_in_errors_or_the_call_log(tmp_path, status, capsys):
    with FakeOpenAIServer(echo_error=status) as server:
        model = OpenAIChatModel(base_url=server.base_url, model="m", api_key=KEY, max_retries=0,
                                logs_dir=tmp_path / "logs")
        with pytest.raises(ModelUnavailable) as info:
            model.complete(MSGS)
        with pytest.raises(ModelUnavailable) as streamed:
            list(model.stream(MSGS))
    for message in (str(info.value), str(streamed.value)):
        assert "headers were" in message  # the server's words are still shown, for diagnosis …
        assert KEY not in message and "Bearer ***" in message  # … without the key
    log = log_path(tmp_path / "logs").read_text(encoding="utf-8")
    assert "Bearer ***" in log and KEY not in log


def test_cli_error_on_stderr_has_no_key(monkeypatch, capsys):
    with FakeOpenAIServer(echo_error=500) as server:
        monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ASSISTANT_LLM_MODEL", "m")
        monkeypatch.setenv("ASSISTANT_LLM_API_KEY", KEY)
        monkeypatch.setenv("ASSISTANT_LLM_MAX_RETRIES", "0")
        get_settings.cache_clear()
        with pytest.raises(ModelUnavailable) as info:
            get_chat_model().complete(MSGS)
        # what the CLI prints for any AssistantError
        monkeypatch.setattr("assistant.cli.build_parser", lambda argv=None: _raising_parser(info.value))
        assert main(["boom"]) == 2
    err = capsys.readouterr().err
    assert "headers were" in err and KEY not in err
    log = log_path(get_settings().logs_dir).read_text(encoding="utf-8")
    assert KEY not in log


def _raising_parser(exc):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("cmd")

    def func(args):
        raise exc

    parser.set_defaults(func=func)
    return parser


def _base_url_with_key(port_url: str) -> str:
    return port_url.replace("http://", f"http://admin:{URL_KEY}@") + f"?api-key={URL_KEY}"


def test_model_status_hides_a_key_in_the_base_url(monkeypatch, capsys):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", _base_url_with_key("http://127.0.0.1:9/v1"))
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "deepseek-chat")
    get_settings.cache_clear()
    assert main(["model", "status"]) == 0
    out = capsys.readouterr().out
    assert "127.0.0.1:9/v1" in out and URL_KEY not in out


def test_endpoint_without_model_name_error_hides_the_key(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", _base_url_with_key("http://127.0.0.1:9/v1"))
    get_settings.cache_clear()
    with pytest.raises(ModelUnavailable) as info:
        get_chat_model()
    assert "ASSISTANT_LLM_MODEL" in str(info.value) and URL_KEY not in str(info.value)


def test_eval_json_has_no_key_from_the_base_url(monkeypatch, tmp_path, samples_dir):
    from evals.runner import run_suites
    from evals.suite import load_suite

    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", _base_url_with_key("http://127.0.0.1:9/v1"))
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "deepseek-chat")
    monkeypatch.setenv("ASSISTANT_JUDGE_BASE_URL", _base_url_with_key("http://127.0.0.1:9/v1"))
    get_settings.cache_clear()
    suite_file = tmp_path / "meta.v1.yaml"
    suite_file.write_text(
        "name: meta.v1\ncases:\n  - id: jingyuan\n    kind: metadata\n"
        f"    file: {samples_dir / '2024-jingyuan-xian.txt'}\n    expect:\n      org: 泾源县\n      year: 2024\n",
        encoding="utf-8",
    )
    run = run_suites([load_suite(suite_file)], get_settings())
    out = tmp_path / "result.json"
    run.write_json(out)
    text = out.read_text(encoding="utf-8")
    assert run.cases[0].status == "pass"
    assert URL_KEY not in text and "127.0.0.1:9" in text
    assert URL_KEY not in json.dumps(run.to_dict(), ensure_ascii=False)  # what the UI keeps and shows


def test_a_silent_endpoint_is_given_up_at_the_deadline_not_after_timeout_times_tries(tmp_path):
    with FakeOpenAIServer(hang=True) as server:
        model = OpenAIChatModel(base_url=server.base_url, model="m", timeout_s=300, max_retries=2, deadline_s=1.5,
                                logs_dir=tmp_path / "logs")
        for call in (lambda: model.complete(MSGS), lambda: list(model.stream(MSGS))):
            started = time.monotonic()
            with pytest.raises(ModelUnavailable, match="1.5 秒"):
                call()
            assert time.monotonic() - started < 4


def test_retries_stop_when_the_deadline_is_near(tmp_path):
    with FakeOpenAIServer(echo_error=503) as server:
        model = OpenAIChatModel(base_url=server.base_url, model="m", max_retries=50, deadline_s=2.0,
                                logs_dir=tmp_path / "logs")
        started = time.monotonic()
        with pytest.raises(ModelUnavailable, match="503"):
            model.complete(MSGS)
        assert time.monotonic() - started < 3.5
        assert 2 <= len(server.requests) < 50


def test_the_deadline_is_a_setting_that_reaches_the_configured_model(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "m")
    monkeypatch.setenv("ASSISTANT_LLM_DEADLINE_S", "42")
    get_settings.cache_clear()
    assert get_chat_model().deadline_s == 42
    from assistant.settings import LLMSettings

    assert LLMSettings.model_fields["deadline_s"].description


def test_log_lines_are_redacted_by_the_cli_handlers():
    import io
    import logging

    from assistant.redact import redact_logging

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact_logging()
        logging.getLogger("httpx").warning('HTTP Request: POST %s "HTTP/1.1 500"',
                                           _base_url_with_key("http://127.0.0.1:9/v1"))
        try:
            raise RuntimeError(f"Authorization: Bearer {KEY}")
        except RuntimeError:
            logging.getLogger("x").exception("call failed")
    finally:
        root.removeHandler(handler)
    out = stream.getvalue()
    assert "127.0.0.1:9/v1" in out and "call failed" in out and "RuntimeError" in out
    assert URL_KEY not in out and KEY not in out
