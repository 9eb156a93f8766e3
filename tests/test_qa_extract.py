"""A count question the model does not answer (it repeats the question, or gives no figure) gets the
report's own sentence, cited and marked as code's choice — or a refusal when no sentence answers it."""

from __future__ import annotations

from assistant.citations import REFUSAL
from assistant.extract import gives_no_answer, is_echo
from assistant.llm import FakeChatModel
from assistant.qa import answer
from fake_library import sample_library

Q = "泾源县2024年调解矛盾纠纷多少件?"


def test_echo_and_no_answer_detection():
    assert is_echo(Q, "泾源县2024年调解矛盾纠纷多少件?[1]")
    assert not is_echo(Q, "泾源县2024年调解矛盾纠纷930件[1]。")
    assert gives_no_answer(Q, "泾源县深入推进矛盾纠纷化解工作[1]。")  # no figure for a count question
    assert not gives_no_answer("泾源县怎样化解矛盾纠纷?", "泾源县深入推进矛盾纠纷化解工作[1]。")


def test_an_echoed_count_question_gets_the_reports_sentence():
    ans = answer(Q, library=sample_library(), model=FakeChatModel(["泾源县2024年调解矛盾纠纷多少件?"]))
    assert not ans.refused and "930件" in ans.text and ans.text.endswith("[1]。")
    assert len(ans.citations) == 1 and ans.citations[0].matched_by_code and "930件" in ans.citations[0].quote
    assert "程序从报告中摘录" in ans.note


def test_a_figure_of_another_kind_is_not_quoted_as_the_answer():
    """Asked for 人次, the passages give 件 and 户 and 万元: nothing to quote, so a refusal."""
    ans = answer("泾源县2024年调解矛盾纠纷涉及多少人次?", library=sample_library(),
                 model=FakeChatModel(["泾源县深入推进矛盾纠纷化解工作。"]))
    assert ans.refused and ans.text == REFUSAL and "没有找到能直接回答的句子" in ans.note


def test_a_reply_with_a_figure_is_left_to_the_other_checks():
    ans = answer(Q, library=sample_library(), model=FakeChatModel(["泾源县2024年调解矛盾纠纷903件。"]))
    assert not ans.refused and [f.text for f in ans.ungrounded] == ["903件"] and ans.note == ""
