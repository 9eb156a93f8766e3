"""Answers over a real Library (embedded Chroma, fake embeddings) holding the five parsed sample reports,
with a scripted model; and the ``ask``/``summarize``/``compare`` commands end to end."""

from __future__ import annotations

import pytest

from answers_support import id_of_passage_with, sample_reports_library
from assistant.answers.citations import REFUSAL
from assistant.cli import main
from assistant.answers.compare import compare
from assistant.llm import FakeChatModel
from assistant.answers.pipeline import answer
from assistant.types import Evidence

Q = "泾源县2024年调解矛盾纠纷多少件?"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return sample_reports_library(tmp_path_factory.mktemp("answers-library"))


@pytest.fixture
def use(monkeypatch, library):
    """Point the CLI's runtime at this library and the given fake model."""
    from assistant import runtime

    def _use(model):
        monkeypatch.setattr(runtime, "library", lambda: library)
        monkeypatch.setattr(runtime, "chat_model", lambda: model)

    return _use


def test_answer_cites_the_real_passage(library):
    model = FakeChatModel([lambda m: f"泾源县2024年调解矛盾纠纷930件,化解率96.77% [{id_of_passage_with(m, '930件')}]。"])
    ans = answer(Q, library=library, model=model)
    assert ans.filter.orgs == ["泾源县"] and ans.filter.years == [2024]
    assert all(ev.chunk.org == "泾源县" for ev in ans.evidence)
    c = ans.citations[0]
    assert (c.org, c.year, c.report_id) == ("泾源县", 2024, "泾源县-2024") and "930件" in c.quote
    assert c.evidence_id == Evidence.make_id(c.chunk_id)
    report = library.get("泾源县-2024")
    chunk = next(ch for ch in report.chunks if ch.id == c.chunk_id)
    assert report.text[chunk.start : chunk.end] == c.quote  # traceable to the report's own offsets
    assert ans.ungrounded == [] and not ans.uncited


def test_followup_over_the_real_library(library):
    model = FakeChatModel([REFUSAL])
    ans = answer("那徐行镇呢?", library=library, model=model, history=[(Q, "930件[1]")])
    assert ans.question == "徐行镇2024年调解矛盾纠纷多少件?" and ans.filter.orgs == ["徐行镇"]


def test_compare_goes_over_every_town(library):
    comparison = compare("各乡镇2024年调解矛盾纠纷的件数?", library)
    assert {r.org for r in comparison.rows} == {"吉昌镇", "徐行镇", "柱山乡"}  # 2024 towns; not 泾源县, not 2023
    rows = {r.org: r for r in comparison.rows}
    assert rows["吉昌镇"].figure.text == "186件"
    assert comparison.coverage_line().startswith(f"基于 {len(comparison.covered)}/3 份报告")


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_cli_ask_prints_answer_scope_sources_and_warnings(use, capsys):
    use(FakeChatModel([lambda m: f"调解矛盾纠纷930件,化解率99% [{id_of_passage_with(m, '930件')}][ev-00000000]。"]))
    assert main(["ask", Q]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("回答(已核对)")  # nothing before the checked answer
    assert "回答(已核对): 调解矛盾纠纷930件,化解率⚠99%⚠[1]。" in out
    assert "范围: 泾源县 · 2024年 (从问题识别)" in out
    quote_line = out.split("[1] 泾源县 2024年 · 举措成效")[1].splitlines()[1]
    assert "930件" in quote_line  # the long quote is cut around the figure the answer uses
    assert "请核对" in out and "99%" in out.split("请核对")[1] and "1 个不存在的材料编号" in out
    assert "ev-" not in out + err  # the model's raw ids are never shown: not streamed, not in warnings
    assert err == ""  # not a terminal: no waiting line to redraw


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_cli_ask_on_a_terminal_shows_the_phases_on_stderr_and_never_the_raw_ids(use, capsys, monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    use(FakeChatModel([lambda m: f"调解矛盾纠纷930件 [{id_of_passage_with(m, '930件')}]。"]))
    assert main(["ask", Q]) == 0
    shown = terminal.getvalue()
    for phase in ("检索中", "模型思考中", "核对中"):
        assert f"\r\033[K{phase}" in shown  # each phase starts the redrawn line
    assert "已写" in shown and "已用" in shown and shown.endswith("\r\033[K")  # the line is cleared at the end
    out = capsys.readouterr().out
    assert out.startswith("回答(已核对): 调解矛盾纠纷930件[1]。") and "ev-" not in out + shown


def test_cli_ask_with_explicit_scope(use, capsys):
    model = FakeChatModel([REFUSAL])
    use(model)
    assert main(["ask", "调解矛盾纠纷多少件?", "--org", "徐行镇", "--section", "举措成效"]) == 0
    out = capsys.readouterr().out
    assert REFUSAL in out and "范围: 徐行镇 · 举措成效" in out
    assert "泾源县" not in model.history[0].messages[-1]["content"]


def test_cli_summarize_without_model(use, capsys):
    use(None)
    assert main(["summarize", "泾源县-2024", "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "| 930件 | 件 |" in out.replace(" 调解矛盾纠纷", "") or "930件 | 件" in out
    assert "深学细悟强思想。" in out and "三、存在的不足 (3 条)" in out and "四、下一年度安排 (3 条)" in out


def test_cli_summarize_unknown_report_is_a_clear_error(use, capsys):
    use(None)
    assert main(["summarize", "不存在镇-2024", "--no-model"]) == 2
    assert "错误" in capsys.readouterr().err


def test_cli_compare_without_model(use, capsys):
    use(None)
    assert main(["compare", "各乡镇2024年调解矛盾纠纷的件数?", "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "| 吉昌镇 | 2024 |" in out and "186件" in out and "份报告;未提及" in out


def test_cli_summarize_falls_back_to_code_only_when_the_model_is_unavailable(monkeypatch, library, capsys):
    from assistant import runtime
    from assistant.errors import ModelUnavailable

    def unavailable():
        raise ModelUnavailable("本地模型未安装")

    monkeypatch.setattr(runtime, "library", lambda: library)
    monkeypatch.setattr(runtime, "chat_model", unavailable)
    assert main(["summarize", "徐行镇-2024"]) == 0
    captured = capsys.readouterr()
    assert "模型不可用" in captured.err and "25.2万元" in captured.out
