"""ingest_paths, overrides, sidecar files, and the clear errors when body or year cannot be found."""

from __future__ import annotations

import shutil

import pytest

from assistant.errors import BadInput
from assistant.ingest import find_files, ingest_paths, parse_file, parse_text
from assistant.ingest.testing import MemoryLibrary
from tests.conftest import SAMPLES

NO_NAME = (
    "一、主要举措和成效\n全年调解矛盾纠纷930件,化解率96.77%。\n"
    "二、存在的不足\n一是学法不深。二是执法不规范。\n三、下一步工作打算\n一是加强学习。二是规范执法。\n"
)


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "reports"
    (root / "sub" / "deeper").mkdir(parents=True)
    for i, f in enumerate(sorted(SAMPLES.glob("*.txt"))):
        target = root if i < 2 else root / "sub" if i < 4 else root / "sub" / "deeper"
        shutil.copy(f, target / f.name)
    (root / "notes.md").write_text("not a report", encoding="utf-8")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.txt").write_text("hidden", encoding="utf-8")
    return root


def test_find_files_recursive_supported_only(corpus):
    files = find_files([corpus])
    assert sorted(f.name for f in files) == sorted(f.name for f in SAMPLES.glob("*.txt"))
    assert find_files([corpus, corpus / "sub"]) == files  # no duplicates


def test_ingest_folder_then_again(corpus):
    library = MemoryLibrary()
    seen = []
    summary = ingest_paths(library, [corpus], progress=False, on_result=seen.append)
    assert [r.status for r in summary.results] == ["added"] * 5 and summary.ok
    assert {r.report_id for r in summary.results} == {"吉昌镇-2024", "徐行镇-2024", "柱山乡-2024", "荆家镇-2023", "泾源县-2024"}
    assert seen == summary.results and summary.chunks == sum(len(r.chunks) for r in library.reports())
    again = ingest_paths(library, [corpus], progress=False)
    assert [r.status for r in again.results] == ["unchanged"] * 5
    assert "未变化 5" in again.describe()


def test_changed_file_is_replaced(corpus):
    library = MemoryLibrary()
    ingest_paths(library, [corpus], progress=False)
    path = corpus / "sub" / "deeper" / "2024-zhushan-xiang.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一段。", encoding="utf-8")
    summary = ingest_paths(library, [path], progress=False)
    assert [(r.status, r.report_id) for r in summary.results] == [("replaced", "柱山乡-2024")]


def test_failed_files_store_nothing_and_others_go_in(corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "sub" / "broken.docx").write_bytes(b"PK\x03\x04junk")
    (corpus / "noname.txt").write_text(NO_NAME, encoding="utf-8")
    library = MemoryLibrary()
    summary = ingest_paths(library, [corpus, corpus / "missing.pdf"], progress=False)
    failed = {r.path.name: r.reason for r in summary.failed}
    assert set(failed) == {"empty.txt", "broken.docx", "noname.txt", "missing.pdf"}
    assert "无法识别报告单位" in failed["noname.txt"] and "--org" in failed["noname.txt"]
    assert all(r.report_id is None for r in summary.failed)
    assert len(library.stored) == 5 and summary.count("added") == 5 and not summary.ok


def test_store_failure_is_reported_per_file(corpus):
    library = MemoryLibrary(fail_on={"泾源县-2024"})
    summary = ingest_paths(library, [corpus], progress=False)
    assert [r.report_id for r in summary.failed] == ["泾源县-2024"]
    assert "存入资料库失败" in summary.failed[0].reason
    assert "泾源县-2024" not in library.stored and len(library.stored) == 4


def test_single_file_passes_vector_progress_callback(corpus):
    library = MemoryLibrary()
    ingest_paths(library, [corpus / "2023-jingjia-zhen.txt"], progress=True)
    assert callable(library.calls[0][1])
    ingest_paths(MemoryLibrary(), [corpus], progress=False)  # no bars when asked not to


def test_unknown_org_and_year_say_how_to_fix(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(NO_NAME, encoding="utf-8")
    with pytest.raises(BadInput, match=r"无法识别报告单位.*--org.*report\.txt\.meta\.yaml"):
        parse_file(path)
    with pytest.raises(BadInput, match=r"无法识别报告年度.*--year"):
        parse_file(path, {"org": "新民镇"})
    report = parse_file(path, {"org": "新民镇", "year": "2024"})
    assert (report.id, report.meta.level) == ("新民镇-2024", "镇")
    assert report.meta.provenance["org"] == "user" and report.meta.title == "新民镇2024年法治政府建设情况报告"
    assert [len(report.items_of(p)) for p in ("不足", "安排")] == [2, 2]


def test_overrides_win_and_are_recorded():
    text = (SAMPLES / "2024-jingyuan-xian.txt").read_text(encoding="utf-8")
    report = parse_text(text, "x.txt", {"org": "泾源县司法局", "level": "部门", "year": 2023, "title": "某报告"})
    m = report.meta
    assert (report.id, m.org, m.level, m.year, m.title, m.title_generated) == ("泾源县司法局-2023", "泾源县司法局", "部门", 2023, "某报告", False)
    assert all(m.provenance[k] == "user" for k in ("org", "level", "year", "title"))
    assert all(c.index_text.startswith("【泾源县司法局 2023年") for c in report.chunks)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"level": "省"}, "级别"), ({"year": "明年"}, "年度"), ({"year": 1850}, "合理范围"), ({"colour": "红"}, "不认识的字段")],
)
def test_bad_overrides_are_refused(overrides, message):
    with pytest.raises(BadInput, match=message):
        parse_text("2024年,吉昌镇推进法治建设。", "x.txt", overrides)


def test_level_aliases():
    assert parse_text("2024年,吉昌镇推进法治建设。", "x.txt", {"level": "县"}).meta.level == "县/区"


@pytest.mark.parametrize("suffix", [".meta.yaml", ".meta.json"])
def test_sidecar_file(tmp_path, suffix):
    path = tmp_path / "report.txt"
    path.write_text(NO_NAME, encoding="utf-8")
    sidecar = tmp_path / f"report.txt{suffix}"
    if suffix == ".meta.json":
        sidecar.write_text('{"org": "潼关县司法局", "year": 2024}', encoding="utf-8")
    else:
        sidecar.write_text("org: 潼关县司法局\nyear: 2024\n", encoding="utf-8")
    report = parse_file(path)
    assert (report.id, report.meta.level) == ("潼关县司法局-2024", "部门")
    assert report.meta.provenance["org"] == "sidecar" and report.meta.provenance["level"] == "org"
    user = parse_file(path, {"year": 2023})  # flags win over the sidecar
    assert user.meta.year == 2023 and user.meta.provenance["year"] == "user"


def test_bad_sidecar(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(NO_NAME, encoding="utf-8")
    (tmp_path / "report.meta.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(BadInput, match="report.meta.yaml.*键值对"):
        parse_file(path)
    (tmp_path / "report.meta.yaml").write_text("org: [unclosed\n", encoding="utf-8")
    with pytest.raises(BadInput, match="无法读取元数据文件"):
        parse_file(path)
    (tmp_path / "report.meta.yaml").write_bytes("org: 新民镇\n".encode("gbk"))
    with pytest.raises(BadInput, match="无法读取元数据文件"):
        parse_file(path)
    (tmp_path / "report.meta.yaml").unlink()
    (tmp_path / "report.txt.meta.json").write_text('{"org": "新民镇",', encoding="utf-8")
    with pytest.raises(BadInput, match="report.txt.meta.json: 无法读取元数据文件"):
        parse_file(path)


@pytest.mark.parametrize(
    ("filename", "opening", "org", "level", "year"),
    [
        ("潼关县司法局2024年法治政府建设年度报告.txt", "今年以来,我局扎实推进法治建设。", "潼关县司法局", "部门", 2024),
        ("r.txt", "2024年,城区街道坚持以习近平法治思想为指导。", "城区街道", "街道", 2024),
        ("r.txt", "现将嘉定区2023年度法治政府建设情况报告如下:", "嘉定区", "县/区", 2023),
        ("2022-某地.txt", "中共新民乡委员会\n新民乡人民政府\n今年以来,我乡扎实推进法治建设。", "新民乡", "乡", 2022),
    ],
)
def test_metadata_sources(filename, opening, org, level, year):
    meta = parse_text(opening + "\n一、主要举措\n开展普法活动12场。", filename).meta
    assert (meta.org, meta.level, meta.year) == (org, level, year)
