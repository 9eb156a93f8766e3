"""`assistant eval run` exit status, table and JSON; `assistant eval diff` flips."""

from __future__ import annotations

import json

import pytest

from assistant.cli import main
from evals import targets
from evals.checks import CheckOutcome
from evals.targets import Observation


def scripted_target(case, ctx) -> Observation:
    """Outcome written in the question: pass / fail / crash (no model, no library)."""
    if "crash" in case.question:
        raise RuntimeError("模型服务无响应")
    ok = "pass" in case.question
    return Observation({"text": case.question}, [CheckOutcome("contains", ok, "" if ok else "缺少: 930")])


@pytest.fixture(autouse=True)
def scripted(monkeypatch):
    monkeypatch.setitem(targets.TARGETS, "qa", scripted_target)


def suite(tmp_path, outcomes: dict[str, str], name: str = "cli.dev.v1") -> str:
    lines = [f"name: {name}", "cases:"]
    lines += [f"  - {{id: {cid}, kind: qa, question: {q}, expect: {{contains: '930'}}}}" for cid, q in outcomes.items()]
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_all_pass_exits_zero_and_writes_json(tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["eval", "run", suite(tmp_path, {"a": "pass", "b": "pass"}), "--json", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "通过" in printed and "2/2" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cases"]] == ["a", "b"]
    case = data["cases"][0]
    assert {"id", "kind", "passed", "inputs", "output", "citations", "checks"} <= set(case)
    assert case["inputs"] == {"question": "pass", "tags": [], "expect": {"contains": ["930"]}}
    assert data["totals"]["qa"]["pass_rate"] == 1.0 and data["settings_hash"]


def test_pass_rate_below_min_pass_exits_one(tmp_path, capsys):
    path = suite(tmp_path, {"a": "pass", "b": "pass", "c": "fail"})
    assert main(["eval", "run", path, "--quiet"]) == 1  # default --min-pass 1.0
    assert "低于 --min-pass" in capsys.readouterr().err
    assert main(["eval", "run", path, "--min-pass", "0.6", "--quiet"]) == 0
    assert main(["eval", "run", path, "--min-pass", "0.7", "--quiet"]) == 1


def test_an_erroring_case_exits_one_even_above_min_pass(tmp_path, capsys):
    path = suite(tmp_path, {"a": "pass", "b": "crash", "c": "pass"})
    assert main(["eval", "run", path, "--min-pass", "0", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "模型服务无响应" in captured.out and "出错" in captured.err


def test_malformed_suite_exits_two_before_running_anything(tmp_path, capsys, monkeypatch):
    ran = []
    monkeypatch.setitem(targets.TARGETS, "qa", lambda case, ctx: ran.append(case.id))
    good = suite(tmp_path, {"a": "pass"}, "good.dev.v1")
    bad = tmp_path / "bad.dev.v1.yaml"
    bad.write_text("name: bad.dev.v1\ncases:\n  - {id: x, kind: quiz, question: q, expect: {contains: a}}\n", encoding="utf-8")
    assert main(["eval", "run", good, str(bad)]) == 2
    assert "bad.dev.v1.yaml: 用例 x: 字段 kind" in capsys.readouterr().err
    assert ran == []


def test_only_selected_cases_run(tmp_path, capsys):
    path = suite(tmp_path, {"a": "pass", "b": "fail"})
    assert main(["eval", "run", path, "--case", "a", "--quiet"]) == 0
    assert main(["eval", "run", path, "--case", "zzz"]) == 2


def test_diff_shows_flipped_cases_and_exits_one_on_regression(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    main(["eval", "run", suite(tmp_path, {"a": "pass", "b": "fail", "c": "pass"}), "--json", str(old), "--quiet", "--min-pass", "0"])
    main(["eval", "run", suite(tmp_path, {"a": "fail", "b": "pass", "c": "pass", "d": "pass"}), "--json", str(new), "--quiet", "--min-pass", "0"])
    capsys.readouterr()
    assert main(["eval", "diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert "↓ cli.dev/a [qa] 通过 → 失败" in out
    assert "↑ cli.dev/b [qa] 失败 → 通过" in out
    assert "cli.dev/d [qa] 无 → 通过" in out
    assert "cli.dev/c" not in out  # unchanged cases are not listed
    assert main(["eval", "diff", str(new), str(new)]) == 0
    assert "没有用例改变结果" in capsys.readouterr().out


def test_diff_rejects_a_file_that_is_not_a_result(tmp_path, capsys):
    junk = tmp_path / "junk.json"
    junk.write_text('{"hello": 1}', encoding="utf-8")
    assert main(["eval", "diff", str(junk), str(junk)]) == 2
    assert "不是 eval run --json 写出的结果文件" in capsys.readouterr().err


def test_ctrl_c_keeps_the_finished_cases(tmp_path, monkeypatch, capsys):
    def target(case, ctx):
        if case.id == "b":
            raise KeyboardInterrupt
        return scripted_target(case, ctx)

    monkeypatch.setitem(targets.TARGETS, "qa", target)
    out = tmp_path / "r.json"
    assert main(["eval", "run", suite(tmp_path, {"a": "pass", "b": "pass", "c": "pass"}), "--json", str(out), "--quiet"]) == 130
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cases"]] == ["a"] and data["started"] == "interrupted"
