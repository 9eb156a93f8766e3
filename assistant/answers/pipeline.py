"""From a question to a checked answer: the whole way, top to bottom.

    question ─► followup.resolve_question (a follow-up made standalone)
             ─► question.parse_question (read once: bodies, years, part, kind, unit, topic)
             ─► routes: scope guard (refuse, say why) │ meta (by code) │ list (by code)
                        │ comparison / mention (report by report)
             ─► single answer: Library.search with the question's filter ─► evidence [ev-…]
                ─► support guard ─► the one figure asked, surely given by one clause? that clause, cited (``quote``)
                ─► prompt (qa.md, the passages shown: the best, cut to what the question needs) ─► ChatModel (streams)
                ─► citations.check_reply (ids → [1], headers out, figures grounded)
                ─► settle: echo · dump · instruction · invented_count · quote_over guards
             ─► Answer (text, citations, note, guard, route)

``runnable.AnswerRunnable`` is this as a LangChain Runnable (the UI, the CLI, the evals and LangChain
users go through it); ``stream_answer`` yields ``AnswerPhase`` events (检索中 → 模型思考中 → 核对中), the
model's text deltas (raw, with ``[ev-…]`` ids) and the checked ``Answer`` last.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from assistant.answers import guards, quote, routes
from assistant.answers.citations import REFUSAL, check_reply
from assistant.answers.followup import History, resolve_question
from assistant.answers.prompt import pack_for_model, qa_messages, shown_to_model
from assistant.answers.question import parse_question
from assistant.answers.retriever import Retrieved
from assistant.answers.settle import settle
from assistant.errors import BadInput
from assistant.llm import as_chat_model
from assistant.phases import AnswerPhase
from assistant.settings import get_settings
from assistant.types import Answer, SearchFilter

MAX_QUESTION_CHARS = 500
QUOTED_NOTE = "此回答是程序从报告原文中摘录的一句(给出了所问的数字),未经模型改写;点开出处可看上下文。"

AnswerChunk = str | AnswerPhase | Answer


def _check_question(question: str) -> str:
    q = (question or "").strip()
    if not q:
        raise BadInput("问题不能为空,请输入要查询的内容。")
    if len(q) > MAX_QUESTION_CHARS:
        raise BadInput(f"问题太长({len(q)}字),请控制在{MAX_QUESTION_CHARS}字以内。")
    return q


def stream_answer(
    question: str,
    *,
    library,
    model,
    history: History | None = None,
    filter: SearchFilter | None = None,
    k: int | None = None,
    searched: Retrieved | None = None,
) -> Iterator[AnswerChunk]:
    """Yield ``AnswerPhase`` events as the work moves on, the model's text deltas as it writes, and the
    checked ``Answer`` (always the last item). ``model``: our ``ChatModel`` or any LangChain chat model.
    ``filter``: the user's scope (None: read off the question). ``searched``: passages retrieved earlier
    (a LangChain chain's retriever step), used instead of searching again.
    """
    started = time.perf_counter()
    settings = get_settings()
    model = as_chat_model(model)
    text = _check_question(question)
    yield AnswerPhase("retrieving")
    catalog = library.catalog()  # light entries: no report is decoded to read a question
    names = [(e.org, e.year) for e in catalog]
    q = parse_question(resolve_question(text, history, names, model), names)

    def finished(ans: Answer, first: float | None = None) -> Answer:
        ans.question, ans.settings_hash = q.text, settings.fingerprint_hash()
        ans.model = ans.model or (getattr(model, "name", "") if ans.route == routes.SINGLE else "")
        ans.seconds_total = time.perf_counter() - started
        ans.seconds_to_first_token = first if first is not None else ans.seconds_total
        return ans

    decided = routes.out_of_scope(q, filter) or routes.by_code(q, catalog, library, filter)
    rows = routes.over_reports(q, library, model, filter) if decided is None else None
    if rows is not None:
        yield AnswerPhase("thinking")
        first: float | None = None
        for piece in rows:  # each report's line as it is settled, then the Answer
            if isinstance(piece, Answer):
                decided = piece
            else:
                first = first if first is not None else time.perf_counter() - started
                yield piece
        yield finished(decided, first)
        return
    if decided is not None:
        yield decided.text
        yield finished(decided)
        return

    # The single answer: one search with the question's own filter, the model, the guards.
    applied = filter if filter is not None else q.search_filter()
    hits = searched.hits if searched is not None else library.search(
        q.text, filter=applied, k=k or settings.retrieval.k, infer=False).hits
    evidence = pack_for_model(q.text, hits, model, settings.answer.max_tokens)
    base = dict(citations=[], evidence=evidence, filter=applied, route=routes.SINGLE)
    refused = guards.support(q, evidence, settings.guards)
    if refused is not None:
        # Nothing retrieved that could answer: refuse without asking the model to guess.
        yield REFUSAL
        yield finished(Answer(q.text, REFUSAL, refused=True, note=refused.why, guard=refused.guard,
                              guard_action=refused.action, **base))
        return

    quoted = quote.sure_quote(q, evidence, settings.answer.quote_topic_coverage) if settings.answer.quote_first else None
    if quoted is not None:
        # A clause of the report surely gives the one figure asked: the report's own words answer, no model.
        text, base["citations"] = quoted
        yield text
        yield finished(Answer(q.text, text, note=QUOTED_NOTE, **{**base, "route": routes.QUOTE}))
        return

    parts: list[str] = []
    first: float | None = None
    limits = settings.answer
    yield AnswerPhase("thinking")
    shown = shown_to_model(q, evidence, limits)  # the model reads these; the checks below use the whole passages
    max_tokens = limits.figure_max_tokens if q.asks_figure else limits.max_tokens
    for delta in model.stream(qa_messages(q.text, shown), max_tokens=max_tokens):
        if not delta:
            continue
        if first is None:
            first = time.perf_counter() - started
        parts.append(delta)
        yield delta
    yield AnswerPhase("checking")
    reply = "".join(parts)
    checked, verdict = settle(q, check_reply(reply, evidence, limits=settings.guards), evidence, reply, settings.guards)
    base["citations"] = checked.citations
    yield finished(Answer(
        q.text, checked.text, refused=checked.refused, uncited=checked.uncited, invented_ids=checked.invented_ids,
        ungrounded=checked.ungrounded, note=verdict.why if verdict else "", guard=verdict.guard if verdict else "",
        guard_action=verdict.action if verdict else "", reply=reply, **base,
    ), first)  # fmt: skip


def answer(
    question: str,
    *,
    library,
    model,
    history: History | None = None,
    filter: SearchFilter | None = None,
) -> Answer:
    """The checked answer to ``question`` (``runnable.answer_runnable(library, model, filter).invoke``)."""
    from assistant.answers.runnable import answer_runnable

    return answer_runnable(library, model, filter=filter).invoke({"question": question, "history": history})
