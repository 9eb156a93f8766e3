"""Shared test fixtures. Every test gets its own data home; models are shared (they are large)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import default_home, get_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "reports"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    """Point ASSISTANT_HOME at a temp dir so no test touches the user's library or logs.

    Model files stay where `assistant model install` put them (ASSISTANT_MODELS or the default
    home's models/), so tests that need the local model don't download it again.
    """
    import os

    models = os.environ.get("ASSISTANT_MODELS") or str(default_home() / "models")
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
def samples_dir() -> Path:
    return SAMPLES
