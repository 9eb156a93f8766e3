"""`assistant draft` and `assistant track` with the runtime pieces replaced by fakes."""

from __future__ import annotations

import docx
import pytest

from assistant import runtime
from assistant.cli import main
from assistant.ingest import parse_file, parse_text
from test_draft_support import FakeLibrary, MATERIAL_JICHANG, library, scripted_model
from test_track import LATER_2025
from tests.conftest import SAMPLES


@pytest.fixture
def fakes(monkeypatch):
    def use(lib, model=None):
        monkeypatch.setattr(runtime, "library", lambda: lib)
        monkeypatch.setattr(runtime, "chat_model", lambda: model or scripted_model())

    return use


def test_draft_writes_docx_and_prints_progress_coverage_and_catches(fakes, tmp_path, capsys):
    fakes(library(), scripted_model({"plans": "执法培训。学习泾源县做法,2026年开展执法人员培训,另培训999人次。"}))
    material = tmp_path / "材料.txt"
    material.write_text(MATERIAL_JICHANG, encoding="gb18030")  # staff often save GBK text
    out = tmp_path / "draft.docx"
    rc = main(["draft", "--org", "吉昌镇", "--year", "2025", "--material", str(material), "-o", str(out)])
    printed = capsys.readouterr().out
    assert rc == 0 and out.exists()
    assert "[1/4] 一、2025年推进法治政府建设的主要举措和成效" in printed
    assert "不足—措施对照" in printed and "待补充事项" in printed
    assert "删除其他单位名称 泾源县" in printed and "无出处数字 999人次" in printed
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "吉昌镇2025年法治政府建设情况报告" in text and "泾源县" not in text.split("附:材料来源")[0]


def test_draft_refuses_bad_output_before_calling_the_model(fakes, tmp_path, capsys):
    model = scripted_model()
    fakes(library(), model)
    rc = main(["draft", "--org", "吉昌镇", "--year", "2025", "-o", str(tmp_path / "x.pdf")])
    assert rc == 2 and ".docx 或 .md" in capsys.readouterr().err
    assert model.history == []
    rc = main(["draft", "--org", "吉昌镇", "--year", "2025", "--material", str(tmp_path / "none.txt")])
    assert rc == 2 and "材料文件不存在" in capsys.readouterr().err


def test_draft_markdown_output(fakes, tmp_path):
    fakes(library())
    out = tmp_path / "draft.md"
    assert main(["draft", "--org", "吉昌镇", "--year", "2025", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith("# 吉昌镇2025年法治政府建设情况报告")


def test_track_command(fakes, capsys):
    earlier = parse_file(SAMPLES / "2024-xuxing-zhen.txt")
    fakes(FakeLibrary([earlier, parse_text(LATER_2025, "2025-xuxing-zhen.txt")]))
    assert main(["track", "徐行镇"]) == 0
    printed = capsys.readouterr().out
    assert "徐行镇 2024年的安排 → 徐行镇 2025年的报告" in printed
    assert "[已报告] 安排-2" in printed and "[未提及] 安排-3" in printed
    assert "合计: 已报告 2 条,部分报告 1 条,未提及 2 条" in printed
    fakes(FakeLibrary([earlier]))
    assert main(["track", "徐行镇"]) == 1
    out = capsys.readouterr()
    assert out.err == "" and out.out.count("\n") == 1  # one line, not an error
    assert "库中徐行镇只有2024年度一份报告,没有下一年度的报告可以对照" in out.out and "--later-file" in out.out


def test_draft_prints_what_the_reviewers_checks_did_and_unused_figures(fakes, tmp_path, capsys):
    material = tmp_path / "材料.txt"
    extra = "".join(f"第{i}项工作完成检查{i + 10}次。\n" for i in range(1, 7))  # more other work than one unit takes
    material.write_text(MATERIAL_JICHANG + extra, encoding="utf-8")
    fakes(library(), scripted_model({"leadership": "我县党委书记带头学法,多次召开会议研究法治工作。"}))
    assert main(["draft", "--org", "吉昌镇", "--year", "2025", "--material", str(material)]) == 0
    printed = capsys.readouterr().out
    assert "自称“我县”与单位层级不符,已改为“我镇”" in printed
    assert "“多次”是模糊数量" in printed
    assert "材料中未写入草稿的数字 2 条:" in printed and "第6项工作完成检查16次" in printed
    assert "## 附:材料中的数字" in printed and "未写入草稿: 第5项工作完成检查15次" in printed


def test_pdf_preview_needs_a_docx_output(fakes, capsys):
    fakes(library())
    assert main(["draft", "--org", "吉昌镇", "--year", "2025", "--pdf"]) == 2
    assert "--pdf 需要" in capsys.readouterr().err
