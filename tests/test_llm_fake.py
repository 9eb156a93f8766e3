"""FakeChatModel: the scripted model every other module's unit tests use."""

from __future__ import annotations

import pytest

from assistant.llm import ChatModel, FakeChatModel

MSGS = [{"role": "system", "content": "你是助手"}, {"role": "user", "content": "吉昌镇调解了多少件纠纷?"}]


def test_fake_is_a_chat_model():
    fake = FakeChatModel(name="fake-x", context_window=1234)
    assert isinstance(fake, ChatModel)
    assert (fake.name, fake.context_window) == ("fake-x", 1234)


def test_replies_come_in_order_and_calls_are_recorded():
    fake = FakeChatModel(["第一", "第二"])
    assert fake.complete(MSGS, max_tokens=64, temperature=0.0) == "第一"
    assert fake.complete(MSGS, stop=["\n"]) == "第二"
    assert len(fake.history) == 2
    first, second = fake.history
    assert first.messages == MSGS and first.kwargs["max_tokens"] == 64 and first.kwargs["temperature"] == 0.0
    assert second.kwargs["stop"] == ["\n"] and second.reply == "第二"
    assert "吉昌镇" in first.prompt
    assert fake.pending == 0


def test_stream_yields_the_reply_in_several_pieces():
    fake = FakeChatModel().enqueue("调解矛盾纠纷930件,化解率96.77%。")
    pieces = list(fake.stream(MSGS))
    assert len(pieces) > 1
    assert "".join(pieces) == "调解矛盾纠纷930件,化解率96.77%。"
    assert fake.history[0].kwargs["stream"] is True


def test_callable_reply_sees_the_messages():
    fake = FakeChatModel([lambda messages: "回声:" + messages[-1]["content"]])
    assert fake.complete(MSGS) == "回声:吉昌镇调解了多少件纠纷?"


def test_empty_queue_fails_loudly_naming_the_prompt():
    fake = FakeChatModel(["只有一个"])
    fake.complete(MSGS)
    with pytest.raises(AssertionError, match="吉昌镇调解了多少件纠纷"):
        fake.complete(MSGS)
    with pytest.raises(AssertionError, match="no reply queued"):
        list(FakeChatModel().stream(MSGS))


def test_callable_returning_non_text_is_an_error():
    fake = FakeChatModel([lambda messages: 42])
    with pytest.raises(AssertionError, match="must be str"):
        fake.complete(MSGS)


def test_instances_do_not_share_queues():
    a, b = FakeChatModel(["a"]), FakeChatModel()
    assert b.pending == 0 and a.pending == 1
