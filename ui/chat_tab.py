"""对话 tab: multi-turn questions across the library, streamed, with citations and scope filters.

The conversation lives in this browser session's ``gr.State`` (a list of turns), so two sessions never
see each other's chats. Answers come from the answer Runnable (``assistant.answers.runnable.answer_runnable``); this
module only formats, and while the user waits it shows the phase and the time taken (检索中 / 模型思考中
n 秒 / 核对中), redrawn every second.

Several users share one model: each question's model calls go through a ``Waiter`` (``assistant.llm.gate``),
so while another session's answer runs the page shows its place in the queue ("排队中:前面还有 1 个请求"),
and a page that stops or goes away takes its request out of the queue. Gradio lets up to
``ui.active_questions`` questions run at once (retrieval, then the model's queue); the queue keeps the
model to one request at a time.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from assistant.answers.citations import hide_ids
from assistant.errors import AssistantError
from assistant.llm.gate import Waiter
from assistant.phases import AnswerPhase, PhaseClock, Tick, ticking
from assistant.types import Answer, Part, SearchFilter
from ui.context import AppContext
from ui.render import answer_html, esc, filter_html

# Parts a user can restrict a question to (the frame parts 开头/结尾 are rarely what anyone asks about).
PART_CHOICES = [p.value for p in Part if p not in (Part.PREAMBLE, Part.CLOSING)]
REFUSAL_NOTE = "报告库中没有找到能回答这个问题的内容,助手没有作答(不猜测)。可以换个问法,或调整检索范围。"
TICK_S = 1.0  # how often the waiting line's seconds are redrawn


@dataclass
class Turn:
    question: str
    shown: str = ""  # what the chat shows for the answer (HTML), partial while streaming
    answer: Answer | None = None


@dataclass
class ChatTab:
    org_filter: gr.Dropdown
    year_filter: gr.Dropdown
    part_filter: gr.Dropdown


def chat_messages(turns: list[Turn]) -> list[dict]:
    messages: list[dict] = []
    for turn in turns:
        messages.append({"role": "user", "content": esc(turn.question)})
        messages.append({"role": "assistant", "content": turn.shown or "…"})
    return messages


def history_pairs(turns: list[Turn]) -> list[tuple[str, str]]:
    """Earlier (question, answer text) pairs, oldest first, so follow-ups ("那徐行镇呢?") can be resolved."""
    return [(t.question, t.answer.text) for t in turns if t.answer is not None]


def build_filter(orgs: list[str] | None, years: list | None, parts: list[str] | None, auto_scope: bool) -> SearchFilter | None:
    """The user's filter. ``None`` lets the library read the scope off the question; an empty filter
    (automatic scope off, nothing chosen) searches every report.
    """
    chosen = SearchFilter(
        orgs=list(orgs) if orgs else None,
        years=[int(y) for y in years] if years else None,
        parts=[Part(p) for p in parts] if parts else None,
    )
    if chosen.is_empty() and auto_scope:
        return None
    return chosen


def waiting_html(clock: PhaseClock, partial: str, queue_line: str = "") -> str:
    """The answer while it is being made: the phase line (or the place in the model's queue), and the
    model's text so far (raw ids hidden)."""
    shown = f"{queue_line} · 已用 {time.monotonic() - clock.started:.0f} 秒" if queue_line else clock.line()
    line = f'<div class="answer-phase note note-muted">{esc(shown)}</div>'
    if not partial:
        return line
    # Raw [ev-…] ids mean nothing to a reader; they become [1], [2] … in the checked answer.
    return line + f'<div class="answer-text streaming">{esc(hide_ids(partial))}▌</div>'


def ask(
    ctx: AppContext,
    question: str,
    turns: list[Turn],
    orgs: list[str] | None,
    years: list | None,
    parts: list[str] | None,
    auto_scope: bool,
    tick_s: float = TICK_S,
) -> Iterator[tuple]:
    """Stream one answer: yields (chatbot messages, turns, scope html, clear-scope button, question box)."""
    question = (question or "").strip()
    turns = list(turns or [])
    if not question:
        gr.Warning("请输入问题。")
        yield chat_messages(turns), turns, gr.skip(), gr.skip(), gr.skip()
        return
    from assistant.answers.runnable import answer_runnable  # pulls in LangChain; load it on first use

    history = history_pairs(turns)
    turn = Turn(question=question)
    turns.append(turn)
    clock, partial = PhaseClock(), ""
    turn.shown = waiting_html(clock, partial)
    yield chat_messages(turns), turns, "", gr.update(visible=False), ""
    waiter = Waiter()  # this question's place in the model's queue
    try:
        model = waiter.bind(ctx.model())
        runnable = answer_runnable(ctx.library(), model, filter=build_filter(orgs, years, parts, auto_scope))
        queued = False
        # closing(): the stop button (or a closed page) closes this handler, and with it the answer
        with contextlib.closing(ticking(runnable.stream({"question": question, "history": history}), tick_s)) as stream:
            for piece in stream:
                queue_line = waiter.line()
                if queued and not queue_line:
                    clock.enter(clock.phase)  # its turn came: count the model's seconds from now
                queued = bool(queue_line)
                if isinstance(piece, Answer):
                    turn.answer = piece
                    turn.shown = answer_html(piece, REFUSAL_NOTE)
                else:
                    if isinstance(piece, AnswerPhase):
                        clock.enter(piece)
                    elif not isinstance(piece, Tick):
                        partial += piece
                    turn.shown = waiting_html(clock, partial, queue_line)
                yield chat_messages(turns), turns, gr.skip(), gr.skip(), gr.skip()
        ctx.note_model_ok()
    except AssistantError as exc:
        ctx.note_error(exc)
        turn.shown = f'<div class="note note-error">出错了: {esc(exc)}</div>'
        yield chat_messages(turns), turns, "", gr.update(visible=False), gr.skip()
        return
    finally:
        waiter.cancel()  # a request still queued or running for a page that stopped listening goes too
    applied = turn.answer.filter if turn.answer else None
    inferred = bool(applied and applied.inferred and not applied.is_empty())
    yield chat_messages(turns), turns, filter_html(applied), gr.update(visible=inferred), gr.skip()


def last_question(turns: list[Turn]) -> str:
    return turns[-1].question if turns else ""


def build(ctx: AppContext) -> ChatTab:
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=4, min_width=420):
            chatbot = gr.Chatbot(
                label="对话",
                height=520,
                elem_id="chatbot",
                buttons=["copy"],
                feedback_options=None,
                placeholder="向报告库提问,例如:泾源县2024年调解矛盾纠纷多少件?",
                sanitize_html=False,  # answers are HTML built by ui.render with every text escaped
            )
            with gr.Row():
                question = gr.Textbox(
                    label="问题", placeholder="输入问题,回车发送", lines=1, max_lines=4, scale=5, elem_id="question"
                )
                send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
                stop = gr.Button("停止", variant="stop", scale=1, min_width=80, elem_id="stop-answer")
            scope = gr.HTML(elem_id="scope")
            with gr.Row():
                clear_scope = gr.Button("清除自动识别的范围,重新回答", visible=False, size="sm", elem_id="clear-scope")
                new_chat = gr.Button("新对话", size="sm", elem_id="new-chat")
        with gr.Column(scale=1, min_width=240):
            gr.Markdown("**检索范围**(留空表示全部报告)")
            org_filter = gr.Dropdown(label="单位", multiselect=True, choices=[], elem_id="filter-org")
            year_filter = gr.Dropdown(label="年度", multiselect=True, choices=[], elem_id="filter-year")
            part_filter = gr.Dropdown(label="部分", multiselect=True, choices=PART_CHOICES, elem_id="filter-part")
            auto_scope = gr.Checkbox(label="根据问题自动识别单位和年度", value=True, elem_id="auto-scope")
            gr.Markdown(
                "回答中的 [1]、[2] 对应下方出处,点开可看原文;标 ⚠ 的数字在原文中未找到,请核对。",
                elem_classes=["hint"],
            )

    def run(q, t, o, y, p, a):
        yield from ask(ctx, q, t, o, y, p, a)

    inputs = [question, turns, org_filter, year_filter, part_filter, auto_scope]
    outputs = [chatbot, turns, scope, clear_scope, question]
    # Questions from several sessions run side by side; the model's own queue (assistant.llm.gate) orders
    # their model calls and tells each page its place.
    chat_queue = dict(concurrency_id="chat", concurrency_limit=ctx.settings.ui.active_questions)
    ev_submit = question.submit(run, inputs, outputs, **chat_queue)
    ev_send = send.click(run, inputs, outputs, **chat_queue)

    def rerun_without_scope(t, o, y, p):
        # The same question again with inference off; the turn is appended so both answers stay visible.
        yield from ask(ctx, last_question(t), t, o, y, p, False)

    ev_rerun = clear_scope.click(lambda: False, None, auto_scope).then(
        rerun_without_scope, [turns, org_filter, year_filter, part_filter], outputs, **chat_queue
    )
    stop.click(None, None, None, cancels=[ev_submit, ev_send, ev_rerun])
    new_chat.click(lambda: ([], [], "", gr.update(visible=False)), None, [chatbot, turns, scope, clear_scope])
    # The chatbot's own trash button clears the view; the session's turns must go with it.
    chatbot.clear(lambda: ([], "", gr.update(visible=False)), None, [turns, scope, clear_scope])
    return ChatTab(org_filter, year_filter, part_filter)


def refresh_choices(ctx: AppContext) -> tuple:
    """Body and year choices from the library (called on page load and when the tab is opened)."""
    try:
        entries = ctx.catalog()
    except AssistantError:
        entries = []
    orgs = sorted({e.org for e in entries})
    years = sorted({e.year for e in entries}, reverse=True)
    return gr.update(choices=orgs), gr.update(choices=years)
