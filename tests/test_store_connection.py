"""Connecting: an unreachable or silent Chroma server fails fast with a clear message; settings are respected."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from assistant.errors import BadInput, StoreUnavailable
from assistant.settings import get_settings
from vectorstore import FakeEmbedding, open_library
from vectorstore.testing import free_port


def _server_settings(monkeypatch, port: int, timeout_s: float = 1.0):
    monkeypatch.setenv("ASSISTANT_CHROMA_HOST", "127.0.0.1")
    monkeypatch.setenv("ASSISTANT_CHROMA_PORT", str(port))
    monkeypatch.setenv("ASSISTANT_CHROMA_TIMEOUT_S", str(timeout_s))
    get_settings.cache_clear()
    return get_settings()


def test_nothing_listening_is_a_clear_error(monkeypatch):
    settings = _server_settings(monkeypatch, free_port())
    t0 = time.monotonic()
    with pytest.raises(StoreUnavailable, match="无法连接Chroma 服务器 http://127.0.0.1") as err:
        open_library(settings, embedding=FakeEmbedding())
    assert time.monotonic() - t0 < 3
    assert "chroma run" in str(err.value)


def test_silent_server_times_out_within_the_limit(monkeypatch):
    """A server that accepts the connection but never answers (hung process) must not hang us."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_and_say_nothing():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept_and_say_nothing, daemon=True)
    t.start()
    try:
        settings = _server_settings(monkeypatch, listener.getsockname()[1], timeout_s=1.0)
        t0 = time.monotonic()
        with pytest.raises(StoreUnavailable, match="1 秒内没有响应"):
            open_library(settings, embedding=FakeEmbedding())
        assert time.monotonic() - t0 < 3
    finally:
        stop.set()
        t.join()
        for s in accepted:
            s.close()
        listener.close()


def test_a_client_and_a_server_address_together_are_refused(monkeypatch):
    import chromadb

    settings = _server_settings(monkeypatch, free_port())
    with pytest.raises(BadInput, match="只取其一"):
        open_library(settings, embedding=FakeEmbedding(), client=chromadb.EphemeralClient())


def test_embedded_store_lives_under_the_data_home(isolated_home):
    from vectorstore.testing import make_report
    from assistant.types import Part

    lib = open_library(get_settings(), embedding=FakeEmbedding())
    assert lib.reports() == [] and lib.catalog() == []
    assert not (isolated_home / "chroma").exists()  # opening and reading an empty library creates nothing
    lib.add(make_report("泾源县", 2024, [(Part.MEASURES, "全年调解矛盾纠纷930件。")]))
    assert (isolated_home / "chroma" / "chroma.sqlite3").is_file()
    assert [e.id for e in lib.catalog()] == ["泾源县-2024"]


def test_openai_provider_needs_url_and_model(monkeypatch):
    monkeypatch.setenv("ASSISTANT_EMBEDDING_PROVIDER", "openai")
    get_settings.cache_clear()
    with pytest.raises(BadInput, match="ASSISTANT_EMBEDDING_BASE_URL"):
        open_library(get_settings())
