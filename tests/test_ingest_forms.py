"""Every form users bring (evals/corpus/varied): parse_file, the CLI, and the real library.

The truth is the varied-metadata suite written by people who did not write the rules; each form also gets
checks of what that form is about (Word numbering, a PDF's page furniture, a web page's table …)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assistant.cli import main
from assistant.ingest import ingest_paths, parse_file
from assistant.types import Part, SearchFilter
from tests.test_ingest_cli import library  # noqa: F401 (fixture)

REPO = Path(__file__).resolve().parent.parent
VARIED = REPO / "evals" / "corpus" / "varied"
TRUTH = {c["file"]: c["expect"] for c in yaml.safe_load((REPO / "evals/suites/varied-metadata.dev.v1.yaml").read_text("utf-8"))["cases"]}
COUNTS = (("shortcomings", Part.SHORTCOMINGS), ("causes", Part.CAUSES), ("plans", Part.PLANS))

# file → what the form is about, checked on the parsed report
FORMS = {
    "2024-tongping-zhen.docx": "docx with Word automatic numbering and a figures table",
    "2024-lulin-zhen.docx": "docx with typed numbering; second year of the same body",
    "2023-baiyang-scj.pdf": "PDF with hard wraps, running header, page numbers; county bureau, two-line title",
    "2024-heming-zhen-web.html": "saved web page: menus, information table (发布机构 names the body), footer",
    "2021-wangjin-jiedao-lead.txt": "web page copied as text; opening lead 在区委、区政府…下 before the body",
    "2022-qiuxi-xiang-gbk.txt": "GBK text; 存在的问题 / 下步打算 with an inline 一是… plan list",
    "2021-panxi-xian.txt": "GB18030 text with CRLF; 2022年工作打算",
    "2023-wanghu-jiedao-utf16.txt": "UTF-16 text; 街道办事处; 不足 and 原因 in one section (究其原因)",
    "2024-lanchuan-xianfuban-bom.txt": "UTF-8 with BOM; county government office; 第一部分…第四部分",
    "2023-tongxi-zhen-fanti.txt": "traditional characters; 不足 and 原因 inline in one paragraph",
    "2024-bailing-zhen-joint.txt": "中共…委员会 + …人民政府 joint title",
    "2022-hongwan-qu-inline.txt": "no title; 不足 and 下一步 only as inline 一是… paragraphs",
    "2023-liping-xiang-letterhead.txt": "title without the body: letterhead and signature name it",
    "2024-linzhu-rsj.txt": "district bureau named 区人社局 in the opening; 2025年工作打算",
    "2023-yuanqiu-sfj.txt": "county bureau; opening 县司法局紧紧围绕县委… (no fragment taken for the body)",
    "2023-lulin-zhen.txt": "不足 and 原因 in two sections; first year of the same body",
}


def _expect(report, name: str) -> None:
    truth = TRUTH[name]
    assert (report.meta.org, report.meta.level, report.meta.year) == (truth["org"], truth["level"], truth["year"])
    assert [len(report.items_of(p)) for _, p in COUNTS] == [truth[k] for k, _ in COUNTS]


def test_every_varied_file_is_a_known_form():
    assert sorted(FORMS) == sorted(p.name for p in VARIED.iterdir()) == sorted(TRUTH)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_form_parses(name):
    report = parse_file(VARIED / name)
    _expect(report, name)
    for chunk in report.chunks:
        assert report.text[chunk.start:chunk.end] == chunk.text


def test_word_numbering_and_table_rows():
    report = parse_file(VARIED / "2024-tongping-zhen.docx")
    lines = report.text.split("\n")
    assert "一、2024年推进法治政府建设的主要举措和成效" in lines and "（一）压实责任链条，法治建设统筹有力" in lines
    assert any(line.startswith("1.健全议事机制") for line in lines)  # the numbers a reader sees
    assert "罚没款（万元）\t12.8\t10.6\t+2.2" in lines  # a table row stays one row of text
    assert report.items_of(Part.PLANS)[0].heading.startswith("（一）着力提升综合执法能力")


def test_pdf_furniture_gone_and_paragraphs_joined():
    report = parse_file(VARIED / "2023-baiyang-scj.pdf")
    assert "— 2 —" not in report.text and report.text.count("关于2023年度法治政府建设工作情况的报告") == 0
    assert report.meta.title == "柏阳县市场监督管理局关于2023年度法治政府建设工作情况的报告"
    fourth = report.items_of(Part.PLANS)[3].text
    assert "扩大“首违不罚”“轻微免罚”清单适用范围" in fourth  # the item that runs over a page break


def test_web_page_table_and_furniture():
    report = parse_file(VARIED / "2024-heming-zhen-web.html")
    assert report.meta.provenance["org"] == "meta" and report.meta.published.isoformat() == "2025-03-21"
    assert "城关镇" not in report.text and "ICP" not in report.text  # side menu and footer dropped
    copied = parse_file(VARIED / "2021-wangjin-jiedao-lead.txt")
    assert "网站首页" not in copied.text and copied.meta.provenance["org"] == "opening"


def test_two_years_of_one_body_can_be_tracked():
    from assistant.drafting import track

    earlier, later = parse_file(VARIED / "2023-lulin-zhen.txt"), parse_file(VARIED / "2024-lulin-zhen.docx")
    assert earlier.meta.org == later.meta.org == "芦林镇"
    rows = track(earlier, later)
    assert len(rows) == 5 and sum(r.status != "not_mentioned" for r in rows) >= 3


def test_cli_ingest_folder_then_reports(library, capsys):  # `library`: the in-memory one of test_ingest_cli
    assert main(["ingest", str(VARIED), "--no-progress"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(FORMS) + 1 and all(line.startswith("✓ 新增") for line in out[:-1])  # one line per file
    assert out[-1].startswith(f"共 {len(FORMS)} 个文件: 新增 {len(FORMS)}")
    assert main(["reports", "--json"]) == 0
    rows = {(r["org"], r["year"]): r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == len(FORMS)
    for truth in TRUTH.values():
        row = rows[(truth["org"], truth["year"])]
        assert row["level"] == truth["level"]
        assert [row["items"][p.value] for _, p in COUNTS] == [truth[k] for k, _ in COUNTS]
    assert main(["reports"]) == 0
    table = {line.split()[0]: line.split()[1:5] for line in capsys.readouterr().out.splitlines()[1:-1]}
    assert table["柏阳县市场监督管理局-2023"] == ["柏阳县市场监督管理局", "部门", "2023", "3/2/5"]
    assert table["桐溪鎮-2023"] == ["桐溪鎮", "镇", "2023", "4/3/5"]


@pytest.mark.slow
def test_every_form_through_the_real_library(tmp_path):
    """Embedded Chroma with deterministic fake vectors: what each form gives is what the library keeps and finds."""
    from vectorstore import open_library
    from vectorstore.embeddings import FakeEmbedding

    from assistant.settings import get_settings

    library = open_library(get_settings(), embedding=FakeEmbedding())
    summary = ingest_paths(library, [VARIED], progress=False)
    assert summary.ok and summary.count("added") == len(FORMS)
    for name in FORMS:
        parsed = parse_file(VARIED / name)
        stored = library.get(parsed.id)
        assert stored.meta == parsed.meta and stored.items == parsed.items and stored.sections == parsed.sections
        _expect(stored, name)
        first = parsed.items_of(Part.SHORTCOMINGS)[0]
        result = library.search(first.text[:40], SearchFilter(orgs=[parsed.meta.org], years=[parsed.meta.year],
                                                              parts=[Part.SHORTCOMINGS]), k=3, infer=False)
        assert result.hits and first.text[:20] in result.hits[0].chunk.text, name
