"""Shared test fixtures. Every test gets its own data home; models are shared (they are large)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.settings import Settings, get_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "reports"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
# Where `assistant model install` put the models, read through the settings before any test changes the
# environment: ASSISTANT_MODELS, else $ASSISTANT_HOME/models, else the default home's models/.
TEST_MODELS_DIR = Settings().models_dir


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point ASSISTANT_HOME at a temp dir so no test touches the user's library or logs.

    Model files stay where `assistant model install` put them (``TEST_MODELS_DIR``), so tests that need
    the local model don't download it again.
    """
    models = str(TEST_MODELS_DIR)
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    monkeypatch.setenv("ASSISTANT_MODELS", models)
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


@pytest.fixture
def model_answers(monkeypatch):
    """For tests that script the model's reply to a figure question code would answer from the report's own
    clause without a model (``answer.quote_first``, tested in test_answers_quote_first.py): the model answers."""
    monkeypatch.setenv("ASSISTANT_ANSWER_QUOTE_FIRST", "false")
    get_settings.cache_clear()


@pytest.fixture
def model_reads_every_passage(monkeypatch):
    """For tests whose point needs a given passage in front of the model (a planted instruction, a figure cited to
    the wrong passage): the model is shown every passage whole, not the best few cut to their best sentences."""
    for name, value in (("SHOWN_PASSAGES", "50"), ("FIGURE_PASSAGES", "50"), ("FIGURE_SENTENCES", "1000"),
                        ("FIGURE_ON_TOPIC_ONLY", "false")):
        monkeypatch.setenv(f"ASSISTANT_ANSWER_{name}", value)
    get_settings.cache_clear()


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES


# --- the real local chat model (assistant/llm), shared by every integration test in a session -------------
# Read at import time: isolated_home removes ASSISTANT_* variables before each test.
_TEST_MODEL_SIZE = os.environ.get("ASSISTANT_TEST_MODEL_SIZE", "0.5b")
# One thread by default: on a shared, oversubscribed 2-core machine llama.cpp's 2-thread barrier collapses
# (measured at load ~12: 0.5 tokens/s with 2 threads vs 7.4 with 1). ASSISTANT_TEST_MODEL_THREADS=2 on an idle box.
_TEST_MODEL_THREADS = int(os.environ.get("ASSISTANT_TEST_MODEL_THREADS", "1"))
# scripts/test.sh (and so CI) sets this: real components it installed must be there, so no silent skips.
_REQUIRE_REAL_COMPONENTS = os.environ.get("ASSISTANT_TEST_REQUIRE_REAL") == "1"


@pytest.fixture(scope="session")
def local_chat_model(tmp_path_factory):
    """A real ChatModel: the bundled Qwen2.5-Coder GGUF (0.5B; ASSISTANT_TEST_MODEL_SIZE=1.5b for the other)
    served by xllamacpp on 127.0.0.1 and spoken to through the openai client. The server starts once per
    session. Skips, saying what to run, when the model file is not installed. Mark tests slow + model.
    """
    from assistant.errors import ModelUnavailable
    from assistant.llm import get_chat_model
    from assistant.settings import LLMSettings, Settings

    settings = Settings(
        home=tmp_path_factory.mktemp("local-model-home"),
        models=TEST_MODELS_DIR,
        llm=LLMSettings(local_size=_TEST_MODEL_SIZE, temperature=0.0, threads=_TEST_MODEL_THREADS),
    )
    try:
        model = get_chat_model(settings)
    except ModelUnavailable as exc:
        reason = f"local {_TEST_MODEL_SIZE} model not available ({exc}); run: assistant model install --size {_TEST_MODEL_SIZE}"
        if _REQUIRE_REAL_COMPONENTS:
            pytest.fail(reason)  # scripts/test.sh installed it: its absence is a failure, not a skip
        pytest.skip(reason)
    model.client()  # start the server now, so the first test's timings don't include loading
    yield model
    model.server.stop()
