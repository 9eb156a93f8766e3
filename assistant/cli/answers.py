"""``assistant ask`` (answer with citations), ``assistant summarize`` (structured summary of one report)
and ``assistant compare`` (one question over every matching report)."""

from __future__ import annotations

import argparse
import sys
import time

from assistant.cli.filters import add_filter_args, explicit_filter
from assistant.types import Answer

QUOTE_CHARS = 120


def register(subparsers: argparse._SubParsersAction) -> None:
    ask = subparsers.add_parser(
        "ask",
        help="就报告库提问, 回答带出处并核对数字",
        description="根据已导入的报告回答问题: 每句话标注出处, 回答中的数字逐个与所引原文核对。"
        "问题中提到的单位、年份会自动作为检索范围; 用 --org/--year/--section 指定则不再推断。",
    )
    ask.add_argument("question", help="问题, 例如 “泾源县2024年调解矛盾纠纷多少件?”")
    add_filter_args(ask)
    ask.set_defaults(func=cmd_ask)

    summ = subparsers.add_parser(
        "summarize",
        help="一份报告的结构化摘要 (举措、数字表、不足、安排)",
        description="列出报告的主要举措、全部数字 (由程序摘出, 附所在句子)、存在的不足和下一年度安排, "
        "每条都标明在报告中的位置; 有模型时再加一段带出处的概述。",
    )
    summ.add_argument("report", help="报告, 例如 泾源县-2024、泾源县2024, 或只有一份报告的单位名")
    summ.add_argument("--no-model", action="store_true", help="不调用模型, 只输出程序摘出的内容")
    summ.set_defaults(func=cmd_summarize)

    comp = subparsers.add_parser(
        "compare",
        help="跨报告比较: 对每一份符合条件的报告分别作答并列表",
        description="逐份检查符合条件的报告 (单位、年度、层级可从问题中识别, 如 “各乡镇2024年…”): "
        "数字先由程序从每份报告原文中摘出, 程序找不到而报告又谈到这一话题时才请模型作答; "
        "“哪些单位提到…”完全由程序查找。每份报告查完即输出一行, 最后给出表格和覆盖情况 (基于 N/M 份报告; 未提及: …)。",
    )
    comp.add_argument("question", help="问题, 例如 “各乡镇2024年调解矛盾纠纷的件数?”")
    add_filter_args(comp, with_section=False)
    comp.add_argument("--no-model", action="store_true", help="不调用模型, 只用程序摘出的数字")
    comp.set_defaults(func=cmd_compare)


def _short(text: str, n: int = QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def excerpt(quote: str, answer_text: str, n: int = QUOTE_CHARS) -> str:
    """The part of a long quote that holds the figures the answer uses (else its start)."""
    from assistant.figures import find_figures, same_figure

    quote = " ".join(quote.split())
    if len(quote) <= n:
        return quote
    in_quote = find_figures(quote)
    for fig in find_figures(answer_text):
        match = next((q for q in in_quote if same_figure(fig, q)), None)
        if match is not None:
            start = max(0, min(match.start - n // 3, len(quote) - n))
            return ("…" if start else "") + quote[start : start + n] + ("…" if start + n < len(quote) else "")
    return quote[:n] + "…"


def print_answer(ans: Answer, out=None) -> None:
    """The checked answer with its scope, sources and every warning a reader must see."""
    out = out or sys.stdout
    print(f"回答(已核对): {ans.text}", file=out)
    if ans.note:
        print(f"ⓘ {ans.note}", file=out)
    if ans.filter is not None:
        how = " (从问题识别)" if ans.filter.inferred else ""
        print(f"{ans.filter.describe()}{how}", file=out)
    if ans.citations:
        print("出处:", file=out)
        for i, c in enumerate(ans.citations, start=1):
            where = f"{c.org} {c.year}年 · {c.part.value}" + (f" · {c.heading}" if c.heading else "")
            print(f"  [{i}] {where}\n      “{excerpt(c.quote, ans.text)}”", file=out)
    if ans.ungrounded:
        figs = "、".join(f.text for f in ans.ungrounded)
        print(f"⚠ 以下数字在所引用的原文中找不到, 请核对 (文中以 ⚠ 标出): {figs}", file=out)
    if ans.invented_ids:
        print(f"⚠ 模型引用了 {len(ans.invented_ids)} 个不存在的材料编号, 已删除。", file=out)
    if ans.uncited:
        print("⚠ 回答没有引用任何报告原文, 请谨慎使用。", file=out)
    if ans.seconds_total is not None:
        first = f"{ans.seconds_to_first_token:.1f}" if ans.seconds_to_first_token is not None else "-"
        print(f"用时: 首字 {first} 秒, 全部 {ans.seconds_total:.1f} 秒 · 模型 {ans.model}", file=out)


class WaitingLine:
    """The phase and the time taken (检索中 / 模型思考中 n 秒 / 核对中), redrawn in place on a terminal's stderr.

    Only on a terminal: in a pipe or a log the redraws would be noise, and stdout carries just the checked
    answer either way. The model's raw text (with its [ev-…] ids) is never printed; the line counts it.
    """

    def __init__(self, out=None) -> None:
        from assistant.phases import PhaseClock

        self.out = out or sys.stderr
        self.enabled = self.out.isatty()
        self.clock, self.chars = PhaseClock(), 0

    def update(self, item) -> None:
        from assistant.phases import AnswerPhase, Tick

        if isinstance(item, AnswerPhase):
            self.clock.enter(item)
        elif isinstance(item, str):
            self.chars += len(item)
        elif not isinstance(item, Tick):
            return
        if self.enabled:
            written = f" · 已写 {self.chars} 字" if self.chars else ""
            print(f"\r\033[K{self.clock.line()}{written}", end="", file=self.out, flush=True)

    def clear(self) -> None:
        if self.enabled:
            print("\r\033[K", end="", file=self.out, flush=True)


def _follow(stream, final_type: type, line):
    """Show a stream's progress items on ``line`` (its ``update``/``clear``) and return its last ``final_type``
    item. Closing the stream on the way out (Ctrl-C included) ends the request behind it too."""
    import contextlib

    from assistant.phases import ticking

    final = None
    try:
        with contextlib.closing(ticking(stream)) as items:
            for item in items:
                if isinstance(item, final_type):
                    final = item
                else:
                    line.update(item)
    finally:
        line.clear()
    assert final is not None
    return final


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant import runtime
    from assistant.answers.runnable import answer_runnable

    library = runtime.library()
    if not library.catalog():
        print("报告库是空的: 请先导入报告 (assistant ingest 文件或目录)。")
        return 1
    runnable = answer_runnable(library, runtime.chat_model(), filter=explicit_filter(args))
    final = _follow(runnable.stream(args.question), Answer, WaitingLine())
    print_answer(final)
    return 0


def _optional_model():
    """The chat model, or None (said on stderr) when it cannot be used: code-only output still helps."""
    from assistant import runtime
    from assistant.errors import ModelUnavailable

    try:
        return runtime.chat_model()
    except ModelUnavailable as exc:
        print(f"提示: 模型不可用, 只输出程序摘出的内容 ({exc})", file=sys.stderr)
        return None


class StepLines(WaitingLine):
    """Progress of a long command on stderr: redrawn in place on a terminal (``WaitingLine``); in a pipe or
    a log, one line per step, so a minute's wait still says what was being done and for how long."""

    def update(self, item) -> None:
        from assistant.phases import AnswerPhase

        if self.enabled or not isinstance(item, AnswerPhase):
            super().update(item)
            return
        self.clock.enter(item)
        print(f"{item.label}… 已用 {time.monotonic() - self.clock.started:.0f} 秒", file=self.out, flush=True)


def cmd_summarize(args: argparse.Namespace) -> int:
    from assistant import runtime
    from assistant.answers.summarize import Summary, stream_summary

    report = runtime.library().get(args.report)
    model = None if args.no_model else _optional_model()
    progress = StepLines()
    s = _follow(stream_summary(report, model=model), Summary, progress)
    seconds = time.monotonic() - progress.clock.started
    print(f"《{report.meta.title}》 {s.label} ({report.id})")
    if s.overview:
        print(f"\n概述 (模型撰写, 已核对): {s.overview}")
        for i, c in enumerate(s.overview_citations, start=1):
            print(f"  [{i}] {c.part.value} · “{_short(c.quote, 60)}”")
        if s.overview_ungrounded:
            print(f"  ⚠ 原文中找不到的数字: {'、'.join(f.text for f in s.overview_ungrounded)}")
    if s.overview_note:
        print(f"\n({s.overview_note})")
    print(f"\n一、主要举措 ({len(s.measures)} 条)")
    heading = None
    for m in s.measures:
        if m.heading != heading:
            heading = m.heading
            if heading:
                print(f"  {heading}")
        print(f"    - {m.text}  [字符 {m.start}–{m.end}]")
    print(f"\n二、数字 ({len(s.figures)} 个, 由程序从原文摘出)")
    print("  | 事项 | 数字 | 单位 | 所在部分 | 原句 | 位置 |")
    for row in s.figures:
        f = row.figure
        print(f"  | {row.what or '—'} | {f.text} | {f.unit or '—'} | {row.part.value} | {_short(row.sentence, 60)} | {f.start}–{f.end} |")
    for title, passages in (("三、存在的不足", s.shortcomings), ("    原因", s.causes), ("四、下一年度安排", s.plans)):
        if not passages and title.startswith("    "):
            continue
        print(f"\n{title.strip()} ({len(passages)} 条)")
        if not passages:
            print("  (报告中没有找到这一部分)")
        for p in passages:
            print(f"  - {_short(p.text)}  [字符 {p.start}–{p.end}]")
    print(f"\n用时 {seconds:.1f} 秒" + (f" · 模型 {s.model}" if s.model else ""))
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Each report's row as it is settled (stderr: how far it got), then the table and the coverage line."""
    from assistant import runtime
    from assistant.answers.compare import Comparison, stream_compare

    library = runtime.library()
    model = None if args.no_model else _optional_model()
    comparison = None
    live = sys.stderr.isatty()
    for item in stream_compare(args.question, library, model=model, filter=explicit_filter(args)):
        if isinstance(item, Comparison):
            comparison = item
            continue
        row = item.row
        answer = _short(row.answer, 80) if row.mentioned else "未提及"
        by = {"code": "程序", "model": "模型"}.get(row.found_by, "")
        line = f"[{item.done}/{item.total}] {row.org} {row.year}年: {answer}" + (f" ({by})" if by else "")
        if live:
            print(f"\r\033[K{line}\n{item.line()}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
    if live:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    assert comparison is not None
    print(f"{comparison.question}\n{comparison.filter.describe()}\n")
    print(comparison.to_markdown())
    calls = f", 模型作答 {comparison.model_calls} 份" if comparison.model_calls else ", 未调用模型"
    print(f"用时 {comparison.seconds:.1f} 秒{calls}")
    for r in comparison.rows:
        if r.ungrounded:
            print(f"⚠ {r.org}: 回答中的数字在所引原文中找不到: {'、'.join(f.text for f in r.ungrounded)}")
    return 0
