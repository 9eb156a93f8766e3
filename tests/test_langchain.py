"""LangChain as the integration surface: any chat model where ours is taken, providers by configuration, the
library as a retriever, prompts as templates, and the whole checked answer as one Runnable."""

from __future__ import annotations

import itertools
import json

import pytest
from langchain_core.documents import Document
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from assistant.answers.evidence import make_evidence
from assistant.errors import BadInput, ModelUnavailable
from assistant.llm import FakeChatModel, LangChainChatModel, as_chat_model, get_chat_model
from assistant.llm.calllog import read_calls
from assistant.phases import AnswerPhase
from assistant.answers.pipeline import answer
from assistant.answers.runnable import AnswerRunnable, answer_runnable
from assistant.settings import LLMSettings, Settings, get_settings
from assistant.types import Answer, SearchFilter
from fake_library import sample_library
from fake_openai_server import FakeOpenAIServer

Q = "泾源县2024年调解矛盾纠纷多少件?"


def cited_reply(library, needle: str = "930件") -> str:
    """What an obedient model writes for Q: the figure, citing the real id of the passage that holds it."""
    evidence = make_evidence(library.search(Q).hits)
    ev = next(e for e in evidence if needle in e.chunk.text)
    return f"全年调解矛盾纠纷930件 [{ev.id}]。"


def fake_lc(*replies: str) -> GenericFakeChatModel:
    return GenericFakeChatModel(messages=iter(replies))


# --- the adapter ------------------------------------------------------------------------------------------------


def test_a_langchain_chat_model_becomes_our_chat_model_and_every_call_is_logged():
    model = as_chat_model(fake_lc("第一句 第二句", "完整回答"))
    assert isinstance(model, LangChainChatModel) and model.name == "GenericFakeChatModel"
    assert model.context_window == get_settings().llm.context
    pieces = list(model.stream([{"role": "system", "content": "系统"}, {"role": "user", "content": "问"}]))
    assert len(pieces) > 1 and "".join(pieces) == "第一句 第二句"  # streamed in deltas
    assert model.complete([{"role": "user", "content": "问"}]) == "完整回答"
    calls = read_calls(get_settings().logs_dir)
    assert [c["stream"] for c in calls] == [True, True] and all(c["error"] is None for c in calls)
    assert calls[0]["completion_tokens"] > 0 and calls[0]["tokens_estimated"] is True


def test_ours_and_none_pass_through_unchanged():
    ours = FakeChatModel([])
    assert as_chat_model(ours) is ours and as_chat_model(None) is None
    wrapped = as_chat_model(fake_lc("x"))
    assert as_chat_model(wrapped) is wrapped


def test_a_provider_that_cannot_be_told_max_tokens_is_cut_after_them():
    long_reply = " ".join(["词"] * 300)
    model = as_chat_model(fake_lc(long_reply))
    text = model.complete([{"role": "user", "content": "写长一点"}], max_tokens=20)
    assert 0 < len(text) < len(long_reply) / 4


def test_a_provider_error_is_a_model_unavailable_naming_the_model():
    class Broken(GenericFakeChatModel):
        def _stream(self, *args, **kwargs):
            raise ConnectionError("connection refused")

    model = as_chat_model(Broken(messages=iter([])))
    with pytest.raises(ModelUnavailable, match="Broken.*connection refused"):
        model.complete([{"role": "user", "content": "问"}])
    assert "connection refused" in read_calls(get_settings().logs_dir)[-1]["error"]


# --- the entry points take a LangChain model ----------------------------------------------------------------------


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_answer_with_a_langchain_fake_chat_model():
    lib = sample_library()
    ans = answer(Q, library=lib, model=fake_lc(cited_reply(lib)))
    assert ans.text == "全年调解矛盾纠纷930件[1]。" and ans.citations[0].org == "泾源县"
    assert ans.model == "GenericFakeChatModel" and not ans.ungrounded


def test_summarize_compare_and_draft_take_a_langchain_model():
    from assistant.answers.compare import compare
    from assistant.drafting import draft_report
    from assistant.answers.summarize import summarize
    from test_draft_support import GOOD_REPLIES, library as draft_library

    lib = sample_library()
    summary = summarize(lib.get("泾源县-2024"), model=fake_lc("泾源县加强法治建设。"))
    assert summary.model == "GenericFakeChatModel" and summary.overview
    comparison = compare("各乡镇2024年调解矛盾纠纷的件数?", lib, model=GenericFakeChatModel(messages=itertools.repeat("没有")))
    assert comparison.rows
    draft = draft_report("吉昌镇", 2025, library=draft_library(),
                         model=GenericFakeChatModel(messages=itertools.repeat(GOOD_REPLIES["measures"])))
    assert draft.model == "GenericFakeChatModel" and len(draft.sections) > 3


# --- a LangChain provider by configuration (init_chat_model) -------------------------------------------------------


def provider_settings(tmp_path, **llm) -> Settings:
    return Settings(home=tmp_path / "home", llm=LLMSettings(**llm))


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_provider_openai_through_langchain_openai_against_the_fake_endpoint(tmp_path):
    with FakeOpenAIServer() as srv:
        settings = provider_settings(tmp_path, provider="openai", model="fake-openai", base_url=srv.base_url,
                                     api_key="sk-test")
        model = get_chat_model(settings)
        assert isinstance(model, LangChainChatModel) and type(model.model).__name__ == "ChatOpenAI"
        ans = answer(Q, library=sample_library(), model=model)
        request = srv.requests[-1]
    assert not ans.refused and ans.citations and "930" in ans.text
    # an OpenAI-style model is told the limits per request (langchain-openai sends max_completion_tokens), and streams
    assert request["stream"] is True and request["max_completion_tokens"] == get_settings().answer.figure_max_tokens
    assert request["model"] == "fake-openai"
    calls = read_calls(settings.logs_dir)
    assert calls and calls[-1]["model"] == "fake-openai" and calls[-1]["endpoint"].startswith("http://127.0.0.1:")
    assert "sk-test" not in json.dumps(calls)


def test_provider_needs_a_model_name_and_its_package(tmp_path):
    with pytest.raises(ModelUnavailable, match="ASSISTANT_LLM_MODEL"):
        get_chat_model(provider_settings(tmp_path, provider="ollama"))
    with pytest.raises(ModelUnavailable, match="langchain-ollama|langchain_ollama"):  # not installed here
        get_chat_model(provider_settings(tmp_path, provider="ollama", model="qwen2.5:7b"))
    with pytest.raises(ModelUnavailable, match="no-such-provider"):
        get_chat_model(provider_settings(tmp_path, provider="no-such-provider", model="m"))


def test_provider_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("ASSISTANT_LLM_PROVIDER", "ollama")
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", "qwen2.5:7b")
    get_settings.cache_clear()
    assert (get_settings().llm.provider, get_settings().llm.model) == ("ollama", "qwen2.5:7b")


# --- the library as a retriever ------------------------------------------------------------------------------------


@pytest.fixture
def real_library(tmp_path):
    from vectorstore import FakeEmbedding, open_library
    from vectorstore.testing import make_report
    from assistant.types import Part

    lib = open_library(Settings(home=tmp_path / "lib"), embedding=FakeEmbedding())
    lib.add(make_report("泾源县", 2024, [(Part.MEASURES, "全年调解矛盾纠纷930件,化解率96.77%。")], level="县/区"))
    lib.add(make_report("徐行镇", 2024, [(Part.MEASURES, "全年调解矛盾纠纷312件。")]))
    return lib


def test_library_as_retriever_returns_documents_with_their_source(real_library):
    docs = real_library.as_retriever().invoke("泾源县调解矛盾纠纷多少件?")
    assert docs and all(isinstance(d, Document) for d in docs)
    first = docs[0].metadata
    assert (first["org"], first["year"], first["part"]) == ("泾源县", 2024, "举措成效")
    assert "930件" in docs[0].page_content and first["search_filter"].orgs == ["泾源县"]  # scope read off the question
    only = real_library.as_retriever(filter=SearchFilter(orgs=["徐行镇"]), k=1).invoke("调解矛盾纠纷")
    assert [d.metadata["org"] for d in only] == ["徐行镇"]


# --- prompts are LangChain templates ---------------------------------------------------------------------------


def test_prompt_files_load_as_chat_prompt_templates_a_chain_can_use():
    from assistant.prompts import load_prompt

    prompt = load_prompt("qa")
    assert isinstance(prompt.template, ChatPromptTemplate)
    assert set(prompt.template.input_variables) == {"question", "evidence", "refusal"}
    reply = (prompt.template | fake_lc("好的")).invoke({"question": "问", "evidence": "材料", "refusal": "无"})
    assert reply.content == "好的"
    rendered = prompt.render(question="问题X", evidence="材料Y", refusal="无")
    assert rendered[-1]["role"] == "user" and "问题X" in rendered[-1]["content"] and "材料Y" in rendered[-1]["content"]


# --- the answer Runnable ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("model_answers")  # scripts the model's reply to a figure question
def test_the_answer_runnable_streams_phases_deltas_then_the_checked_answer():
    lib = sample_library()
    runnable = answer_runnable(lib, FakeChatModel([cited_reply(lib)]))
    items = list(runnable.stream(Q))
    kinds = ["phase" if isinstance(i, AnswerPhase) else "answer" if isinstance(i, Answer) else "delta" for i in items]
    assert kinds[0] == "phase" and kinds[-2:] == ["phase", "answer"] and "delta" in kinds
    assert [i.name for i in items if isinstance(i, AnswerPhase)] == ["retrieving", "thinking", "checking"]
    assert items[-1].text == "全年调解矛盾纠纷930件[1]。"
    again = answer_runnable(lib, fake_lc(cited_reply(lib))).invoke({"question": Q, "history": []})
    assert isinstance(again, Answer) and again.text == items[-1].text


def test_an_lcel_chain_hands_the_retrieved_context_to_the_answer(real_library):
    from answers_support import id_of_passage_with

    def reply(messages):
        return f"全年调解矛盾纠纷930件 [{id_of_passage_with(messages, '930件')}]。"

    searches, search = [], real_library.search
    real_library.search = lambda *a, **k: searches.append(a) or search(*a, **k)
    retriever = real_library.as_retriever()
    model = FakeChatModel([reply, reply])
    chain = {"question": RunnablePassthrough(), "context": retriever} | AnswerRunnable(retriever, model)
    items = list(chain.stream("泾源县调解矛盾纠纷多少件?"))
    final = items[-1]
    assert len(searches) == 1  # the answer step used the chain's passages, it did not search again
    assert isinstance(final, Answer) and final.text == "全年调解矛盾纠纷930件[1]。"
    assert final.citations[0].org == "泾源县"
    assert final.filter.orgs == ["泾源县"] and final.filter.inferred  # the chain's own search, its scope kept
    assert chain.invoke("泾源县调解矛盾纠纷多少件?").text == final.text


def test_context_that_is_not_from_the_library_is_refused_with_the_reason():
    runnable = answer_runnable(sample_library(), FakeChatModel([]))
    with pytest.raises(BadInput, match="Library.as_retriever"):
        runnable.invoke({"question": Q, "context": [Document(page_content="别处的文字")]})
    with pytest.raises(BadInput, match="question"):
        runnable.invoke({"text": Q})
