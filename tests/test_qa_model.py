"""Integration: the real local model (Qwen2.5-Coder 0.5B via xllamacpp on 127.0.0.1, through the openai
client) answering over a real Library of the sample reports. Slow; needs `assistant model install --size 0.5b`.

The scripted-reply cases (invented id dropped, wrong figure flagged) run over the same real library in
tests/test_qa_library.py and tests/test_qa_unit.py; here the model is real, so only what a correct
pipeline guarantees is asserted: the checked answer's citations are real passages and its figures are
checked, whatever the small model writes.
"""

from __future__ import annotations

import pytest

from answers_support import sample_reports_library
from assistant.answers.citations import REFUSAL
from assistant.figures import find_figures
from assistant.answers.pipeline import answer, stream_answer
from assistant.types import Answer

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return sample_reports_library(tmp_path_factory.mktemp("answers-model-library"))


@pytest.mark.usefixtures("model_answers")  # the model's path, for a figure code would answer itself
def test_factual_question_gets_the_right_figure_and_a_valid_citation(library, local_chat_model):
    items = list(stream_answer("泾源县2024年调解矛盾纠纷多少件?", library=library, model=local_chat_model))
    ans = items[-1]
    assert isinstance(ans, Answer) and sum(isinstance(i, str) for i in items) > 1  # streamed in pieces
    print(ans.text, ans.invented_ids, ans.seconds_to_first_token, ans.seconds_total)
    assert not ans.refused
    assert any(f.value == 930 for f in find_figures(ans.text)), ans.text
    assert ans.citations and any("930件" in c.quote and c.org == "泾源县" for c in ans.citations)
    assert all(f.value != 930 for f in ans.ungrounded)
    assert 0 < ans.seconds_to_first_token <= ans.seconds_total


def test_unanswerable_question_is_refused(library, local_chat_model):
    ans = answer("柱山乡2024年新建了多少公里高速公路?", library=library, model=local_chat_model)
    print(ans.text)
    assert ans.refused and ans.text == REFUSAL
    assert ans.citations == [] and ans.ungrounded == []


def test_an_unanswerable_question_the_model_is_asked_ends_without_a_count(library, local_chat_model):
    """荆家镇's report mentions 行政复议 but gives no count: the passages reach the model, and whatever it
    writes (a refusal, an invented count, a pasted passage) the answer must be the refusal."""
    ans = answer("荆家镇2023年受理行政复议案件多少件?", library=library, model=local_chat_model)
    print(ans.text, "|", ans.note)
    assert ans.guard != "support", "the question must reach the model"
    assert ans.refused and ans.text == REFUSAL


def test_whatever_the_model_writes_citations_are_real_and_figures_checked(library, local_chat_model):
    ans = answer("徐行镇2024年罚款多少?", library=library, model=local_chat_model)
    print(ans.text, ans.invented_ids, [f.text for f in ans.ungrounded])
    shown = {ev.id for ev in ans.evidence}
    assert all(c.evidence_id in shown for c in ans.citations)
    assert "ev-" not in ans.text  # every id mapped to [n] or dropped
    quotes = [c.quote for c in ans.citations]
    for fig in find_figures(ans.text):
        grounded = any(any(q.value == fig.value for q in find_figures(quote)) for quote in quotes)
        assert grounded or any(u.value == fig.value for u in ans.ungrounded)
