"""One lazy holder (assistant.runtime.Runtime) builds the library and the model for the CLI, the UI and evals."""

from __future__ import annotations

import threading
import time

import pytest

from assistant import runtime
from assistant.errors import StoreUnavailable
from assistant.runtime import Runtime
from assistant.settings import Settings


@pytest.fixture(autouse=True)
def fresh_runtime():
    runtime.reset()
    yield
    runtime.reset()


def test_each_piece_is_built_once_even_when_threads_ask_at_the_same_time(tmp_path):
    built = []

    def slow_library():
        time.sleep(0.05)
        built.append(1)
        return object()

    rt = Runtime(Settings(home=tmp_path), library_factory=slow_library, model_factory=object)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(rt.library())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(built) == 1 and len({id(x) for x in seen}) == 1
    assert rt.chat_model() is rt.chat_model()


def test_a_failed_build_is_tried_again_next_time(tmp_path):
    attempts = []

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise StoreUnavailable("Chroma 服务暂时无法连接")
        return "library"

    rt = Runtime(Settings(home=tmp_path), library_factory=flaky)
    with pytest.raises(StoreUnavailable):
        rt.library()
    assert rt.opened_library is None
    assert rt.library() == "library" and len(attempts) == 2


def test_cli_ui_and_evals_share_the_one_holder(monkeypatch):
    import vectorstore
    from evals.targets import EvalContext
    from ui.context import AppContext

    opened = []
    monkeypatch.setattr(vectorstore, "open_library", lambda settings: opened.append(settings) or object())
    cli_library = runtime.library()
    ui = AppContext.create()  # no settings: the process-wide runtime
    assert ui.runtime is runtime.default() and ui.library() is cli_library and ui.opened_library is cli_library
    injected_model = object()
    ui_with_model = AppContext.create(model=injected_model)  # the library still comes from the shared runtime
    assert ui_with_model.model() is injected_model and ui_with_model.library() is cli_library
    evals = EvalContext(runtime.default().settings, model_factory=lambda: injected_model)
    assert isinstance(evals.runtime, Runtime) and evals.model is injected_model and evals.model is evals.model
    assert evals.library is evals.library
    assert len(opened) == 2  # the CLI/UI library once, and the eval context's own once
