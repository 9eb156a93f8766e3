"""A count question the model does not answer (it repeats the question, or gives no figure) gets the
report's own sentence, cited and marked as code's choice — or a refusal when no sentence answers it."""

from __future__ import annotations

import pytest

from assistant.answers.citations import REFUSAL
from assistant.answers.citations import CheckedText
from assistant.answers.guards import quote_over
from assistant.answers.pipeline import answer
from assistant.answers.question import parse_question
from assistant.llm import FakeChatModel
from assistant.settings import GuardSettings
from fake_library import sample_library

# These tests script the model's reply to figure questions code would otherwise answer from the report's
# own clause (answer.quote_first): here the model answers, and the guards after it are what is tested.
pytestmark = pytest.mark.usefixtures("model_answers")

Q = "泾源县2024年调解矛盾纠纷多少件?"


def _acts(question: str, reply: str) -> bool:
    q = parse_question(question, [("泾源县", 2024)])
    return quote_over(q, CheckedText(reply), [], GuardSettings()) is not None


def test_echo_and_no_answer_detection():
    assert _acts(Q, "泾源县2024年调解矛盾纠纷多少件?[1]")  # repeats the question
    assert not _acts(Q, "泾源县2024年调解矛盾纠纷930件[1]。")
    assert _acts(Q, "泾源县深入推进矛盾纠纷化解工作[1]。")  # no figure for a count question
    assert not _acts("泾源县怎样化解矛盾纠纷?", "泾源县深入推进矛盾纠纷化解工作[1]。")


def test_an_echoed_count_question_gets_the_reports_sentence():
    ans = answer(Q, library=sample_library(), model=FakeChatModel(["泾源县2024年调解矛盾纠纷多少件?"]))
    assert not ans.refused and "930件" in ans.text and ans.text.endswith("[1]。")
    assert len(ans.citations) == 1 and ans.citations[0].matched_by_code and "930件" in ans.citations[0].quote
    assert "程序从报告中摘录" in ans.note and ans.guard == "quote_over"


def test_a_figure_of_another_kind_is_not_quoted_as_the_answer():
    """Asked for 人次, the passages give 件 and 户 and 万元: nothing to quote, so a refusal."""
    ans = answer("泾源县2024年调解矛盾纠纷涉及多少人次?", library=sample_library(),
                 model=FakeChatModel(["泾源县深入推进矛盾纠纷化解工作。"]))
    assert ans.refused and ans.text == REFUSAL and "没有找到能直接回答的句子" in ans.note


def test_a_reply_with_a_figure_is_left_to_the_other_checks():
    ans = answer(Q, library=sample_library(), model=FakeChatModel(["泾源县2024年调解矛盾纠纷903件。"]))
    assert not ans.refused and [f.text for f in ans.ungrounded] == ["903件"] and ans.note == ""
