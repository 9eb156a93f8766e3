"""Suite loading: the issue's YAML shape works; malformed suites fail before anything runs, naming
file, case and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from assistant.types import Part
from evals.suite import DraftCase, MetadataCase, QACase, RetrievalCase, SuiteError, load_suite

REPO = Path(__file__).resolve().parent.parent
ISSUE_SHAPE = """\
name: sample-qa.dev.v1
corpus: corpus
cases:
  - id: jingyuan-mediation
    kind: qa
    question: 泾源县2024年调解矛盾纠纷多少件?
    expect:
      contains: ["930"]
      any_of: ["930件", "930 件"]
      not_contains: ["186"]
      sources: [{org: 泾源县, year: 2024}]
      grounded_numbers: true
  - id: no-answer-1
    kind: qa
    question: 荆家镇2023年受理行政复议案件多少件?
    expect: {refuses: true}
  - id: find-xuxing-decision
    kind: retrieval
    question: 徐行镇把哪个工程方案作为重大行政决策事项?
    expect: {in_top_k: 5, chunk_contains: "路灯改造", org: 徐行镇}
  - id: meta-jichang
    kind: metadata
    file: 2024-jichang-zhen.txt
    expect: {org: 吉昌镇, level: 镇, year: 2024, shortcomings: 4, plans: 5}
  - id: draft-xuxing
    kind: draft
    org: 徐行镇
    year: 2025
    material: material/xuxing-2025-notes.txt
    expect: {covers_shortcomings: true, no_foreign_orgs: true, grounded_numbers: true,
             sections: [举措成效, 第一责任人, 不足, 安排], min_chars: 1500}
"""


def write_suite(tmp_path: Path, text: str, name: str = "s.dev.v1.yaml") -> Path:
    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "2024-jichang-zhen.txt").write_text("吉昌镇", encoding="utf-8")
    (tmp_path / "material").mkdir(exist_ok=True)
    (tmp_path / "material" / "xuxing-2025-notes.txt").write_text("2025年组织执法培训15次。", encoding="utf-8")
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(path: Path) -> str:
    with pytest.raises(SuiteError) as info:
        load_suite(path)
    return str(info.value)


def test_the_issue_yaml_shape_loads_exactly(tmp_path):
    suite = load_suite(write_suite(tmp_path, ISSUE_SHAPE))
    assert suite.name == "sample-qa.dev.v1" and suite.version == "v1"
    assert suite.corpus == (tmp_path / "corpus").resolve()
    qa, refusal, retrieval, meta, draft = suite.cases
    assert isinstance(qa, QACase) and qa.expect.contains == ["930"] and qa.expect.sources[0].year == 2024
    assert isinstance(refusal, QACase) and refusal.expect.refuses is True
    assert isinstance(retrieval, RetrievalCase) and retrieval.expect.chunk_contains == ["路灯改造"]
    assert isinstance(meta, MetadataCase) and meta.file == (tmp_path / "corpus" / "2024-jichang-zhen.txt").resolve()
    assert isinstance(draft, DraftCase) and draft.material == [(tmp_path / "material" / "xuxing-2025-notes.txt").resolve()]
    assert draft.expect.sections == [Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS, Part.PLANS]


def test_unknown_kind_names_file_case_and_field(tmp_path):
    path = write_suite(tmp_path, ISSUE_SHAPE.replace("kind: retrieval", "kind: retreival"))
    msg = errors_of(path)
    assert "s.dev.v1.yaml" in msg and "用例 find-xuxing-decision" in msg and "字段 kind" in msg and "retreival" in msg


def test_missing_field_names_file_case_and_field(tmp_path):
    path = write_suite(tmp_path, ISSUE_SHAPE.replace("    question: 荆家镇2023年受理行政复议案件多少件?\n", ""))
    msg = errors_of(path)
    assert "s.dev.v1.yaml: 用例 no-answer-1: 字段 question: 缺少必填字段" in msg


def test_misspelt_assertion_is_an_unknown_field_not_a_silent_pass(tmp_path):
    path = write_suite(tmp_path, ISSUE_SHAPE.replace('contains: ["930"]', 'contain: ["930"]'))
    assert "用例 jingyuan-mediation: 字段 expect.contain: 未知字段" in errors_of(path)


def test_every_problem_is_listed_at_once(tmp_path):
    text = ISSUE_SHAPE.replace("kind: retrieval", "kind: nope").replace("year: 2025", "year: 二〇二五")
    msg = errors_of(write_suite(tmp_path, text))
    assert "2 处错误" in msg and "字段 kind" in msg and "用例 draft-xuxing: 字段 year" in msg


def test_bad_yaml_names_file_and_line(tmp_path):
    path = write_suite(tmp_path, "name: x.dev.v1\ncases:\n  - id: a\n    kind: qa\n   question: [unclosed\n")
    msg = errors_of(path)
    assert "s.dev.v1.yaml" in msg and "YAML 格式错误" in msg and "行" in msg


def test_empty_expect_and_bad_name_and_duplicate_ids(tmp_path):
    text = """\
    name: no-version
    cases:
      - {id: a, kind: qa, question: 问题, expect: {}}
      - {id: b, kind: qa, question: 问题, expect: {contains: x}}
      - {id: b, kind: qa, question: 问题, expect: {contains: y}}
    """
    msg = errors_of(write_suite(tmp_path, text))
    assert "字段 name" in msg
    assert "用例 a: 字段 expect: expect 里没有任何断言" in msg
    assert "用例 b: 字段 id: 与前面的用例重复" in msg


def test_missing_files_are_reported_with_their_case(tmp_path):
    text = ISSUE_SHAPE.replace("file: 2024-jichang-zhen.txt", "file: nope.txt").replace(
        "material/xuxing-2025-notes.txt", "material/missing.txt")
    msg = errors_of(write_suite(tmp_path, text))
    assert "用例 meta-jichang: 字段 file: 文件不存在" in msg
    assert "用例 draft-xuxing: 字段 material: 文件不存在" in msg


def test_missing_corpus_and_bad_values(tmp_path):
    text = ISSUE_SHAPE.replace("corpus: corpus", "corpus: nowhere").replace("level: 镇", "level: 村").replace(
        "in_top_k: 5", "in_top_k: 0")
    msg = errors_of(write_suite(tmp_path, text))
    assert "字段 corpus: 路径不存在" in msg
    assert "用例 meta-jichang: 字段 expect.level" in msg
    assert "用例 find-xuxing-decision: 字段 expect.in_top_k" in msg


def test_missing_suite_file():
    with pytest.raises(SuiteError, match="不存在"):
        load_suite("/nonexistent/suite.v1.yaml")


@pytest.mark.parametrize("path", sorted((REPO / "evals" / "suites").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_suites_are_valid(path):
    suite = load_suite(path)
    assert suite.name == path.name.removesuffix(".yaml")  # file name and suite name agree
