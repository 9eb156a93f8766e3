"""The README's set-up path with a custom ASSISTANT_HOME and ASSISTANT_MODELS unset: scripts/setup.sh installs the
model under $ASSISTANT_HOME/models, and the tests (conftest) and the app resolve that same file.

No 500 MB download per run: a verified 0.5B file on this machine (where the session's own set-up put it) is put
into an isolated per-user cache, as a first install would have left it, and the installer must find it there,
check its sha256 and place it — the path a second data home takes. The seconds it took are printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from assistant.llm.install import MODELS, is_verified
from conftest import REPO, TEST_MODELS_DIR

pytestmark = [pytest.mark.slow, pytest.mark.model]
SPEC = MODELS["0.5b"]


@pytest.fixture
def cached_model(tmp_path) -> Path:
    """An isolated XDG cache holding the verified 0.5B file (hard link; a copy across file systems)."""
    source = TEST_MODELS_DIR / SPEC.filename
    if not is_verified(source, SPEC):
        reason = f"0.5B model not installed in {TEST_MODELS_DIR}; run: assistant model install --size 0.5b"
        if os.environ.get("ASSISTANT_TEST_REQUIRE_REAL") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    cache = tmp_path / "xdg-cache"
    target = cache / "fazhi-assistant" / "models" / SPEC.filename
    target.parent.mkdir(parents=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return cache


def test_setup_with_a_custom_home_puts_the_model_where_tests_and_app_find_it(tmp_path, cached_model):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}  # ASSISTANT_MODELS unset
    env.update(ASSISTANT_HOME=str(home), XDG_CACHE_HOME=str(cached_model), XDG_DATA_HOME=str(tmp_path / "xdg-data"))
    started = time.perf_counter()
    proc = subprocess.run(["bash", "scripts/setup.sh", "--model", "0.5b"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=1800)  # fmt: skip
    seconds = time.perf_counter() - started
    print(f"scripts/setup.sh --model 0.5b with ASSISTANT_HOME={home}: {seconds:.1f} s")
    assert proc.returncode == 0, proc.stderr[-3000:]
    installed = home / "models" / SPEC.filename
    assert is_verified(installed, SPEC, rehash=True)
    assert "不再下载" in proc.stderr and "校验通过" in proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == str(installed)

    # What a test session and the app resolve in that environment is the file setup just installed.
    probe = (
        "import sys; sys.path.insert(0, 'tests'); import conftest;"
        "from assistant.llm.local_server import resolve_local_model; from assistant.settings import get_settings;"
        "print(conftest.TEST_MODELS_DIR); print(resolve_local_model(get_settings()).path)"
    )
    python = REPO / ".venv" / "bin" / "python"
    resolved = subprocess.run([str(python), "-c", probe], cwd=REPO, env={**env, "ASSISTANT_LLM_LOCAL_SIZE": "0.5b"},
                              capture_output=True, text=True, timeout=300)  # fmt: skip
    assert resolved.returncode == 0, resolved.stderr[-3000:]
    assert resolved.stdout.split() == [str(home / "models"), str(installed)]
