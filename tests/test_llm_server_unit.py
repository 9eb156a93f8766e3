"""Local-server plumbing that needs no model: server sharing and the oversubscription hint."""

from __future__ import annotations

import os

from assistant.llm import local_server
from assistant.llm.local_server import LocalModelFile, shared_server


def test_one_server_per_model_file_and_configuration(tmp_path):
    model = LocalModelFile(path=tmp_path / "m.gguf", name="m")
    a = shared_server(model, threads=2, context=4096)
    assert shared_server(model, threads=2, context=4096) is a
    assert shared_server(model, threads=1, context=4096) is not a
    assert not a.running  # created lazily: nothing started yet


def test_busy_cpu_hint_only_for_several_threads(monkeypatch, capsys):
    monkeypatch.setattr(os, "getloadavg", lambda: (50.0, 50.0, 50.0))
    local_server._warn_if_oversubscribed(2)
    assert "ASSISTANT_LLM_THREADS=1" in capsys.readouterr().err
    local_server._warn_if_oversubscribed(1)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    local_server._warn_if_oversubscribed(2)
    assert capsys.readouterr().err == ""
