"""Which way a question is answered, read off its ``Question`` (never off its text again).

- out of scope (a body or year the library has no report on) → refused by the ``scope`` guard, saying what
  the library holds;
- a fact about a report itself (date, signer, title, which years) → its metadata, by code (``meta``);
- one report's whole 不足/原因/安排 list → its own items, by code (``listing``);
- two or more reports (two bodies, two years, a plan and what came of it, 各乡镇…) → report by report
  (``comparison``: code first, the model only where code finds nothing); "哪些单位提到…" → found by code
  in every report (``comparison.mention_answer``, ``mentions``);
- anything else → the single answer: one retrieval, then the report's own sentence when it surely gives the
  one figure asked (``quote``), else the model and the guards (``pipeline``).

A filter the user gave is their choice of scope: no scope refusal and no comparison over other reports.
"""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answers import guards
from assistant.answers.citations import REFUSAL
from assistant.answers.comparison import comparison_answer, mention_answer
from assistant.answers.listing import list_answer, pick_report
from assistant.answers.meta import meta_answer
from assistant.answers.question import Kind, Question
from assistant.types import Answer, SearchFilter

SINGLE = "single"
QUOTE = "quote"  # the single answer given by the report's own sentence, without a model (quote.sure_quote)


def out_of_scope(question: Question, given: SearchFilter | None) -> Answer | None:
    """The scope guard's refusal, before anything is searched; None when the library may answer."""
    verdict = guards.scope(question) if given is None else None
    if verdict is None:
        return None
    return Answer(question=question.text, text=REFUSAL, citations=[], evidence=[], refused=True, note=verdict.why,
                  guard=verdict.guard, guard_action=verdict.action, route="scope")


def by_code(question: Question, catalog: list, library, given: SearchFilter | None) -> Answer | None:
    """Questions code answers exactly, without a model: a report's metadata, a report's whole list. Reads the
    catalog to pick the report and decodes only that one (``library.get``)."""
    if question.kind is Kind.META:
        return meta_answer(question, catalog, library, given)
    if question.kind is Kind.LIST and question.list_part is not None:
        entry = pick_report(catalog, question, question.list_part, given)
        if entry is None:
            return None
        report, part = library.get(entry.id), question.list_part
        chunks = library.chunks(SearchFilter(orgs=[entry.org], years=[entry.year]))
        listed = list_answer(question.text, report, part, chunks)
        if listed is not None:
            listed.route = "list"
            listed.filter = SearchFilter(orgs=[entry.org], years=[entry.year], parts=[part],
                                         inferred=given is None or given.is_empty())
        return listed
    return None


def over_reports(question: Question, library, model, given: SearchFilter | None) -> Iterator[str | Answer] | None:
    """Questions over several reports, answered one report at a time (code first, the model only where code
    finds nothing): each report's line as it is settled, then the Answer. None: not such a question."""
    if given is not None and given.orgs and len(given.orgs) == 1:
        return None  # the user chose one body
    if question.kind is Kind.COMPARISON:
        return comparison_answer(question, library, model, given)
    if question.kind is Kind.MENTION and given is None:
        return mention_answer(question, library, model)
    return None
