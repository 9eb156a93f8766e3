"""Model-graded checks: off by default, parsed strictly, retried once, kept apart from the totals."""

from __future__ import annotations

import json

from evals_fakes import citation

from assistant.llm import FakeChatModel
from assistant.settings import Settings
from assistant.types import Answer
from evals.judge import Judge, judge_from_settings, split_sentences
from evals.results import CaseResult, judge_totals, totals

ANSWER = Answer(
    "泾源县2024年调解矛盾纠纷多少件?",
    "泾源县2024年调解矛盾纠纷930件[1]。化解率96.77%[1]。",
    [citation("全年调解矛盾纠纷930件,矛盾纠纷化解率96.77%")],
    [],
)


def verdicts(*supported: bool) -> str:
    return json.dumps({"verdicts": [{"sentence": i, "supported": s, "reason": "r"} for i, s in enumerate(supported, 1)]})


def test_off_by_default_on_when_configured():
    assert judge_from_settings(Settings()) is None
    judge = judge_from_settings(Settings(judge={"base_url": "http://127.0.0.1:9/v1", "model": "judge-m"}))
    assert judge is not None and judge.model.name == "judge-m"


def test_faithful_and_relevant_answer_passes():
    model = FakeChatModel([verdicts(True, True), '```json\n{"score": 5, "reason": "直接回答"}\n```'])
    outcomes = Judge(model).grade(ANSWER)
    assert [(o.name, o.passed) for o in outcomes] == [("judge.faithfulness", True), ("judge.relevance", True)]
    assert "930件" in model.history[0].prompt and "全年调解矛盾纠纷930件" in model.history[0].prompt


def test_unsupported_sentence_and_low_relevance_fail():
    model = FakeChatModel([verdicts(True, False), '{"score": 2, "reason": "答非所问"}'])
    faith, relevance = Judge(model).grade(ANSWER)
    assert not faith.passed and "第2句" in faith.detail
    assert not relevance.passed and "2/5" in relevance.detail


def test_bad_json_is_retried_once_quoting_the_error():
    model = FakeChatModel(["好的,我认为都有依据。", verdicts(True, True), '{"score": 7}', '{"score": "五"}'])
    faith, relevance = Judge(model).grade(ANSWER)
    assert faith.passed
    assert "没有 JSON 对象" in model.history[1].messages[-1]["content"]
    assert not relevance.passed and "无法使用" in relevance.detail and len(model.history) == 4


def test_verdicts_must_cover_every_sentence():
    model = FakeChatModel([verdicts(True), verdicts(True)])  # 2 sentences, 1 verdict, twice
    assert "无法使用" in Judge(model).faithfulness(ANSWER).detail


def test_refusals_are_not_graded():
    refused = Answer("q", "根据现有报告无法回答该问题。", [], [], refused=True)
    assert Judge(FakeChatModel()).grade(refused) == []


def test_split_sentences_drops_marker_only_fragments():
    assert split_sentences("共930件[1]。[2]\n化解率96.77%[1]。") == ["共930件[1]。", "化解率96.77%[1]。"]


def test_judge_outcomes_do_not_move_deterministic_totals():
    from evals.checks import CheckOutcome

    case = CaseResult("s.v1", "a", "qa", "pass", {}, checks=[CheckOutcome("contains", True)],
                      judge=[CheckOutcome("judge.relevance", False, "2/5")])
    assert totals([case])["all"]["pass_rate"] == 1.0
    assert judge_totals([case]) == {"judge.relevance": {"total": 1, "passed": 0, "pass_rate": 0.0}}
    assert judge_totals([CaseResult("s.v1", "b", "qa", "pass", {})]) is None
