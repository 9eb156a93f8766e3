"""pyproject.toml declares exactly what the code imports (scripts/check_deps.py, run in this environment)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_declared_dependencies_match_the_imports():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "check_deps.py")], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout
    # the cases, each now true: httpx2 declared; langchain + langchain-openai used by runtime code;
    # the bench-only packages used by bench/ alone
    assert "runtime  httpx2" in table and "runtime  langchain " in table and "runtime  langchain_openai" in table
    assert "bench    langchain_chroma" in table and "runtime  langchain_chroma" not in table


def test_the_checker_catches_an_undeclared_import_and_an_unused_dependency(tmp_path, monkeypatch):
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import check_deps
    finally:
        sys.path.remove(str(REPO / "scripts"))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("import yaml\nfrom bs4 import BeautifulSoup\nBeautifulSoup('', 'lxml')\n")
    (tmp_path / "pyproject.toml").write_text('[project]\ndependencies = ["pyyaml>=6", "jieba"]\n')
    monkeypatch.setattr(check_deps, "REPO", tmp_path)
    monkeypatch.setattr(check_deps, "RUNTIME_DIRS", ("pkg",))
    assert check_deps.main() == 1
