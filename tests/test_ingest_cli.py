"""`assistant ingest`, `assistant reports`, `assistant show` against an in-memory library."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant import runtime
from assistant.cli import main
from assistant.ingest.testing import MemoryLibrary
from tests.conftest import SAMPLES


@pytest.fixture
def library(monkeypatch):
    lib = MemoryLibrary()
    monkeypatch.setattr(runtime, "library", lambda: lib)
    return lib


def test_ingest_samples_then_reports(library, capsys):
    assert main(["ingest", str(SAMPLES), "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("✓ 新增") for line in out) == 5
    assert out[-1].startswith("共 5 个文件: 新增 5, 未变化 0, 替换 0, 失败 0")
    assert main(["reports"]) == 0
    table = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in table.splitlines()[1:-1]}
    assert set(rows) == {"吉昌镇-2024", "徐行镇-2024", "柱山乡-2024", "荆家镇-2023", "泾源县-2024"}
    assert rows["泾源县-2024"][1:5] == ["泾源县", "县/区", "2024", "3/0/3"]
    assert rows["吉昌镇-2024"][4] == "4/4/5" and rows["荆家镇-2023"][4] == "3/2/3"
    assert "开头、举措成效、不足、原因、第一责任人、安排、结尾" in rows["吉昌镇-2024"][-1]
    assert table.splitlines()[-1] == "共 5 份报告"


def test_reports_json_and_empty(library, capsys):
    assert main(["reports"]) == 0
    assert "资料库中还没有报告" in capsys.readouterr().out
    main(["ingest", str(SAMPLES / "2024-xuxing-zhen.txt"), "--no-progress"])
    capsys.readouterr()
    assert main(["reports", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] == "徐行镇-2024" and rows[0]["items"] == {"不足": 2, "原因": 0, "安排": 5}


def test_ingest_failure_exit_status_and_lines(library, tmp_path, capsys):
    shutil.copy(SAMPLES / "2024-jingyuan-xian.txt", tmp_path)
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    assert main(["ingest", str(tmp_path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "✗ 失败  bad.txt: 不是可识别的文本文件" in out and "✓ 新增  泾源县-2024" in out
    assert list(library.stored) == ["泾源县-2024"]


def test_ingest_with_flags(library, tmp_path, capsys):
    path = tmp_path / "r.txt"
    path.write_text("一、主要举措和成效\n开展普法活动12场。\n二、存在的不足\n一是学法不深。二是执法不规范。\n", encoding="utf-8")
    assert main(["ingest", str(path), "--org", "潼关县司法局", "--year", "2024", "--no-progress"]) == 0
    assert library.get("潼关县司法局-2024").meta.level == "部门"
    capsys.readouterr()
    assert main(["ingest", str(path), "--level", "省"]) == 2  # bad flag value: clear error, nothing stored
    assert "级别" in capsys.readouterr().err


def test_org_flag_refused_for_many_files(library, capsys):
    assert main(["ingest", str(SAMPLES), "--org", "吉昌镇"]) == 2
    assert "只能用于单个文件" in capsys.readouterr().err and not library.stored


def test_nothing_to_ingest(library, tmp_path, capsys):
    assert main(["ingest", str(tmp_path)]) == 1
    assert "没有找到可导入的文件" in capsys.readouterr().err


def test_show_metadata_and_structure(library, capsys):
    main(["ingest", str(SAMPLES), "--no-progress"])
    capsys.readouterr()
    assert main(["show", "荆家镇2023"]) == 0
    out = capsys.readouterr().out
    assert "单位: 荆家镇  (来源: 文头)" in out and "落款日期: 2023-12-18  (来源: 落款)" in out
    assert "条目: 不足 3 · 原因 2 · 安排 3" in out
    assert "▌[不足] 三、推进法治政府建设存在的不足和原因" in out and "  ▌[原因] 主要原因" in out
    assert "    〔原因-2〕二是专业的行政执法培训较少" in out
    assert "▌[结尾] (无标题)\n特此报告。" in out
    assert main(["show", "泾源县", "--meta-only"]) == 0
    out = capsys.readouterr().out
    assert "标题: 泾源县2024年法治政府建设情况报告  (来源: 自动生成)" in out and "〔" not in out
    assert main(["show", "泾源县-2024", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["meta"]["org"] == "泾源县"


def test_show_unknown_report(library, capsys):
    assert main(["show", "不存在镇"]) == 2
    assert "没有报告" in capsys.readouterr().err
