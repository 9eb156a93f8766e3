"""`assistant search` and `assistant remove` on a fake-embedding library in the test's data home."""

from __future__ import annotations

import io

import pytest

from assistant import runtime
from assistant.cli import main
from assistant.settings import get_settings
from assistant.types import Part
from vectorstore import FakeEmbedding, open_library
from vectorstore.testing import make_report


@pytest.fixture
def library(monkeypatch):
    lib = open_library(get_settings(), embedding=FakeEmbedding())
    lib.add(
        make_report(
            "泾源县",
            2024,
            [(Part.MEASURES, "全年调解矛盾纠纷930件。"), (Part.SHORTCOMINGS, "执法力量还相对薄弱。")],
            level="县/区",
        )
    )
    lib.add(make_report("徐行镇", 2024, [(Part.MEASURES, "调解矛盾纠纷120件。")]))
    runtime.reset()
    monkeypatch.setattr(runtime, "library", lambda: lib)
    return lib


def test_search_prints_filter_then_ranked_chunks(library, capsys):
    assert main(["search", "泾源县调解矛盾纠纷多少件", "-k", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "范围: 泾源县 (从问题推断)"
    assert out[2].startswith("[1] 泾源县 2024年 · 举措成效")
    assert "得分" in out[3] and "BM25 第1" in out[3]
    assert out[4].strip() == "全年调解矛盾纠纷930件。"
    assert "徐行镇" not in "\n".join(out)


def test_search_explicit_filter_and_no_infer(library, capsys):
    main(["search", "泾源县调解", "--org", "徐行镇", "--section", "举措成效"])
    out = capsys.readouterr().out
    assert out.startswith("范围: 徐行镇 · 举措成效\n") and "泾源县 2024年" not in out
    main(["search", "泾源县调解", "--no-infer", "-k", "5"])
    out = capsys.readouterr().out
    assert out.startswith("范围: 全部报告\n") and "徐行镇 2024年" in out


def test_search_empty_library_says_so(monkeypatch, capsys):
    lib = open_library(get_settings(), embedding=FakeEmbedding())
    monkeypatch.setattr(runtime, "library", lambda: lib)
    assert main(["search", "调解"]) == 0
    assert "报告库是空的" in capsys.readouterr().out


def test_remove_asks_unless_yes(library, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: refuses without --yes
    assert main(["remove", "泾源县"]) == 2
    assert "--yes" in capsys.readouterr().err
    assert len(library.reports()) == 2
    assert main(["remove", "泾源县2024", "--yes"]) == 0
    assert "已删除 泾源县 2024年" in capsys.readouterr().out
    assert [r.id for r in library.reports()] == ["徐行镇-2024"]


def test_remove_unknown_report_is_a_clear_error(library, capsys):
    assert main(["remove", "柱山乡", "--yes"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误: 报告库中没有“柱山乡”") and "泾源县-2024" in err


def test_search_for_an_unknown_body_names_the_known_ones(library, capsys):
    assert main(["search", "调解", "--org", "不存在镇"]) == 0
    out = capsys.readouterr().out
    assert "报告库中没有 不存在镇 的报告。现有单位: 徐行镇、泾源县" in out


def test_a_search_process_imports_no_heavy_store_code(library):
    """Heavy imports only where used: a process that searches a published library never imports chromadb
    or bm25s nor loads jieba's whole dictionary, and `assistant search` imports only its command module."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO

    code = (
        "import sys\n"
        "from assistant.cli import build_parser\n"
        "build_parser(['search', '调解'])\n"
        "from assistant.settings import get_settings\n"
        "from vectorstore import FakeEmbedding, open_library\n"
        "hits = open_library(get_settings(), embedding=FakeEmbedding()).search('泾源县调解矛盾纠纷', k=2).hits\n"
        "import vectorstore.tokenize as t\n"
        "print(len(hits), sorted(m for m in ('chromadb', 'bm25s', 'assistant.cli.ui', 'assistant.cli.model', 'filelock')"
        " if m in sys.modules), t._tokenizer is None)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(REPO)},
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["2", "[]", "True"], out.stderr[-2000:]
