"""bench/bench_ask.py runs against the answer path as it is (a bench that imports moved modules fails here,
not in front of whoever measures): the prompt layout of two questions of one session, on the 0.5B model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_MODELS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.model]
REPO = Path(__file__).resolve().parent.parent


def test_bench_ask_lays_out_a_sessions_prompts(tmp_path):
    if not any(TEST_MODELS_DIR.glob("*0.5b*.gguf")) and os.environ.get("ASSISTANT_TEST_REQUIRE_REAL") != "1":
        pytest.skip("local 0.5b model not installed; run: assistant model install --size 0.5b")
    env = {**os.environ, "ASSISTANT_HOME": str(tmp_path / "home"), "ASSISTANT_MODELS": str(TEST_MODELS_DIR),
           "ASSISTANT_LLM_THREADS": "1"}
    proc = subprocess.run(
        [sys.executable, str(REPO / "bench" / "bench_ask.py"), "--size", "0.5b", "--layout-only", "--bodies", "1",
         "--per-body", "2", "--home", str(tmp_path / "library")],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "prompt layout (2 questions" in proc.stdout, proc.stdout[-2000:]
    assert "expected figures in the passages shown" in proc.stdout
