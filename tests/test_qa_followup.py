"""Multi-turn: follow-ups resolved by swapping the body/year, else by the condense prompt."""

from __future__ import annotations

import pytest

from assistant.answers.citations import REFUSAL
from assistant.answers.followup import is_followup, resolve_question, swap_entities
from assistant.llm import FakeChatModel
from assistant.answers.pipeline import answer
from fake_library import sample_library

CATALOG = [(r.meta.org, r.meta.year) for r in sample_library().reports()]

FIRST = "泾源县2024年调解矛盾纠纷多少件?"
HISTORY = [(FIRST, "泾源县2024年共调解矛盾纠纷930件[1]。")]


@pytest.mark.parametrize(
    "followup, expected",
    [
        ("那徐行镇呢?", "徐行镇2024年调解矛盾纠纷多少件?"),
        ("徐行呢", "徐行镇2024年调解矛盾纠纷多少件?"),
        ("还有柱山乡?", "柱山乡2024年调解矛盾纠纷多少件?"),
        ("那么2023年的呢?", "泾源县2023年调解矛盾纠纷多少件?"),
        ("徐行镇2023年呢?", "徐行镇2023年调解矛盾纠纷多少件?"),
    ],
)
def test_rule_based_swap(followup, expected):
    model = FakeChatModel([])  # must not be called
    assert resolve_question(followup, HISTORY, CATALOG, model) == expected
    assert model.history == []


def test_swap_refuses_when_the_followup_asks_something_new():
    assert swap_entities(FIRST, "徐行镇的罚款金额呢?", CATALOG) is None
    assert swap_entities(FIRST, "化解率呢?", CATALOG) is None


def test_swap_adds_a_body_the_previous_question_did_not_name():
    assert swap_entities("2024年调解矛盾纠纷多少件?", "那徐行镇呢?", CATALOG) == "徐行镇2024年调解矛盾纠纷多少件?"


def test_chain_of_followups_builds_on_the_last_resolved_question():
    history = HISTORY + [("那徐行镇呢?", "徐行镇共受理186件[1]。")]
    assert resolve_question("2023年呢?", history, CATALOG) == "徐行镇2023年调解矛盾纠纷多少件?"


def test_condense_prompt_for_other_followups():
    model = FakeChatModel(["改写: 泾源县2024年矛盾纠纷化解率是多少?\n多余的一行"])
    got = resolve_question("它的化解率呢?", HISTORY, CATALOG, model)
    assert got == "泾源县2024年矛盾纠纷化解率是多少?"
    prompt = model.history[0].prompt
    assert FIRST in prompt and "它的化解率呢?" in prompt and "930件" in prompt
    assert model.history[0].kwargs["temperature"] == 0


@pytest.mark.parametrize("reply", ["", "   \n", "问" * 300])
def test_condense_falls_back_to_the_question_on_a_useless_rewrite(reply):
    assert resolve_question("它的化解率呢?", HISTORY, CATALOG, FakeChatModel([reply])) == "它的化解率呢?"


def test_standalone_question_is_left_alone_even_with_history():
    model = FakeChatModel([])
    q = "柱山乡2024年开展了多少次法治宣传活动?"
    assert resolve_question(q, HISTORY, CATALOG, model) == q
    assert model.history == []


def test_no_history_no_change():
    assert resolve_question("那徐行镇呢?", None, CATALOG) == "那徐行镇呢?"


@pytest.mark.parametrize(
    "q, expected",
    [("那徐行镇呢?", True), ("化解率呢", True), ("上述措施的效果如何?", True), ("泾源县2024年调解了多少件?", False),
     ("其中调解成功多少件?", True), ("其他需要报告的情况有哪些?", False)],
)
def test_is_followup(q, expected):
    assert is_followup(q) is expected


def test_answer_uses_the_resolved_question_for_retrieval():
    lib = sample_library()
    model = FakeChatModel([REFUSAL])
    ans = answer("那徐行镇呢?", library=lib, model=model, history=HISTORY)
    assert ans.question == "徐行镇2024年调解矛盾纠纷多少件?"
    assert lib.searches[-1][0] == ans.question and lib.searches[-1][1].orgs == ["徐行镇"]
    assert "186件" in model.history[0].messages[-1]["content"]
