"""Optional model-graded checks for QA answers: faithfulness of each sentence to its citations, and
answer relevance. Only when a judge endpoint is configured (``ASSISTANT_JUDGE_BASE_URL`` and
``ASSISTANT_JUDGE_MODEL``); their outcomes go into ``CaseResult.judge`` and ``judge_totals``, never into a
case's pass/fail, because a judge model is itself fallible and must not move the deterministic gate.

The judge is asked for a JSON object; a reply that is not valid JSON of the right shape is asked for
once more, quoting the error, and then recorded as a failed check that says the judge's reply was unusable.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from assistant.prompts import load_prompt
from assistant.settings import Settings
from assistant.types import Answer
from evals.checks import CITATION_MARKER, CheckOutcome

SENTENCE = re.compile(r"[^。!?！？\n]+[。!?！？]?")
JSON_OBJECT = re.compile(r"\{.*\}", re.S)


class JudgeReplyError(ValueError):
    """The judge's reply was not the JSON asked for."""


def judge_from_settings(settings: Settings) -> Judge | None:
    """A Judge when a judge endpoint is configured, else None (model-graded checks are off)."""
    j = settings.judge
    if not (j.base_url and j.model):
        return None
    from assistant.llm.openai_chat import OpenAIChatModel

    model = OpenAIChatModel(
        base_url=j.base_url,
        model=j.model,
        api_key=j.api_key.get_secret_value() if j.api_key else None,
        timeout_s=settings.llm.timeout_s,
        max_retries=settings.llm.max_retries,
        deadline_s=settings.llm.deadline_s,
        default_temperature=0.0,
        logs_dir=settings.logs_dir,
        unreachable_hint="请检查 ASSISTANT_JUDGE_BASE_URL 是否正确、评分模型服务是否已启动。",
    )
    return Judge(model, min_relevance=j.min_relevance)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.findall(text) if CITATION_MARKER.sub("", s).strip(" ,，;；:：")]


@dataclass
class Judge:
    model: Any  # a ChatModel
    min_relevance: int = 4

    def grade(self, answer: Answer) -> list[CheckOutcome]:
        """Judge outcomes for one answer; a refusal has nothing to grade."""
        if answer.refused or not answer.text.strip():
            return []
        return [self.faithfulness(answer), self.relevance(answer)]

    def faithfulness(self, answer: Answer) -> CheckOutcome:
        sentences = split_sentences(answer.text)
        if not answer.citations:
            return CheckOutcome("judge.faithfulness", False, "回答没有任何有效引用,无从核对")
        quotes = "\n".join(f"[{i}] {c.org} {c.year}年: {c.quote}" for i, c in enumerate(answer.citations, 1))
        listed = "\n".join(f"{n}. {s}" for n, s in enumerate(sentences, 1))
        messages = load_prompt("eval_judge_faithfulness").render(question=answer.question, quotes=quotes, sentences=listed)
        try:
            data = self._ask_json(messages, lambda d: _verdicts(d, len(sentences)))
        except JudgeReplyError as exc:
            return CheckOutcome("judge.faithfulness", False, f"评分模型的回复无法使用: {exc}")
        unsupported = [f"第{v['sentence']}句({v.get('reason', '')})" for v in data if not v["supported"]]
        if unsupported:
            return CheckOutcome("judge.faithfulness", False, "无依据: " + "; ".join(unsupported))
        return CheckOutcome("judge.faithfulness", True, f"{len(sentences)} 句均有依据")

    def relevance(self, answer: Answer) -> CheckOutcome:
        messages = load_prompt("eval_judge_relevance").render(question=answer.question, answer=answer.text)
        try:
            data = self._ask_json(messages, _score)
        except JudgeReplyError as exc:
            return CheckOutcome("judge.relevance", False, f"评分模型的回复无法使用: {exc}")
        ok = data["score"] >= self.min_relevance
        return CheckOutcome("judge.relevance", ok, f"{data['score']}/5 {data.get('reason', '')}".strip())

    def _ask_json(self, messages: list[dict], validate) -> Any:
        """Ask, parse and validate; on a bad reply ask once more, quoting what was wrong."""
        reply = self.model.complete(messages, max_tokens=768, temperature=0.0)
        try:
            return validate(_parse(reply))
        except JudgeReplyError as exc:
            retry = messages + [
                {"role": "assistant", "content": reply},
                {"role": "user", "content": f"上面的回复不符合要求: {exc}。请只输出符合格式的 JSON 对象。"},
            ]
            return validate(_parse(self.model.complete(retry, max_tokens=768, temperature=0.0)))


def _parse(reply: str) -> dict:
    match = JSON_OBJECT.search(reply)  # models like to wrap JSON in ```json fences
    if not match:
        raise JudgeReplyError("回复中没有 JSON 对象")
    try:
        data = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise JudgeReplyError(f"JSON 无效: {exc.msg}") from None
    if not isinstance(data, dict):
        raise JudgeReplyError("需要 JSON 对象")
    return data


def _verdicts(data: dict, n: int) -> list[dict]:
    verdicts = data.get("verdicts")
    if not isinstance(verdicts, list) or not all(isinstance(v, dict) for v in verdicts):
        raise JudgeReplyError("缺少 verdicts 列表")
    numbers = set()
    for v in verdicts:
        if not isinstance(v.get("sentence"), int) or not isinstance(v.get("supported"), bool):
            raise JudgeReplyError("每项需要整数 sentence 和布尔 supported")
        numbers.add(v["sentence"])
    if numbers != set(range(1, n + 1)):
        raise JudgeReplyError(f"需要对第 1 到第 {n} 句各给一项判断")
    return verdicts


def _score(data: dict) -> dict:
    score = data.get("score")
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise JudgeReplyError("score 需要是 1 到 5 的整数")
    return data
