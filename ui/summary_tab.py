"""摘要 tab: one report's structured summary and figures table; a cross-report comparison; the commitment
tracker for two consecutive reports of one body. The work is ``assistant.answers.summarize``,
``assistant.answers.compare`` and ``assistant.drafting.track``; this module only lays the results out.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from assistant.errors import AssistantError
from assistant.phases import AnswerPhase, PhaseClock, ticking
from ui.context import AppContext
from ui.render import citation_html, clip, esc, mark_figures, rows

FIGURE_HEADERS = ["事项", "数字", "单位", "所在部分", "原句"]
COMPARE_HEADERS = ["单位", "年度", "回答", "数字", "出处"]
TRACK_HEADERS = ["上年度安排", "落实情况", "匹配度", "后一年报告中的相关段落"]
TICK_S = 1.0  # how often the summary's progress line is redrawn while the model writes


@dataclass
class SummaryTab:
    report: gr.Dropdown
    tracker_org: gr.Dropdown


def tracker_pairs(entries: list) -> dict[str, list[tuple[str, str]]]:
    """Per body: (label, "earlier|later") for each pair of consecutive years in the library (catalog entries)."""
    by_org: dict[str, dict[int, str]] = {}
    for e in entries:
        by_org.setdefault(e.org, {})[e.year] = e.id
    pairs: dict[str, list[tuple[str, str]]] = {}
    for org, years in by_org.items():
        for y in sorted(years):
            if y + 1 in years:
                pairs.setdefault(org, []).append((f"{y}年 → {y + 1}年", f"{years[y]}|{years[y + 1]}"))
    return pairs


def summary_html(summary, progress: str = "") -> str:
    """The structured summary: a cited overview (when a model wrote one) — or, while the model writes it,
    ``progress`` (what is being done, seconds taken) — then the report's own passages per part, each
    labelled with the heading it sits under so it can be found in the report."""
    out = [f'<div class="report-view"><h3>{esc(summary.label)} 摘要</h3>']
    if progress:
        out.append(f'<div class="answer-phase note note-muted" id="summary-progress">{esc(progress)}</div>')
    if summary.overview:
        out.append(f'<div class="answer-text">{mark_figures(summary.overview, summary.overview_ungrounded)}</div>')
        if summary.overview_ungrounded:
            figs = "、".join(esc(f.text) for f in summary.overview_ungrounded)
            out.append(f'<div class="note note-warning">⚠ 以下数字在引用原文中未找到,请核对: {figs}</div>')
        out.append("".join(citation_html(i, c) for i, c in enumerate(summary.overview_citations, 1)))
    if summary.overview_note:
        out.append(f'<div class="note note-muted">{esc(summary.overview_note)}</div>')
    for title, passages in (
        ("主要举措", summary.measures),
        ("存在的不足", summary.shortcomings),
        ("原因", summary.causes),
        ("下一年度安排", summary.plans),
    ):
        if not passages:
            continue
        items = "".join(
            f'<li><span class="part-tag">{esc(p.heading or p.part.value)}</span>{esc(p.text)}</li>' for p in passages
        )
        out.append(f"<h4>{title}({len(passages)})</h4><ol>{items}</ol>")
    out.append("</div>")
    return "".join(out)


def figure_rows(summary) -> list[list[str]]:
    return rows((f.what, f.figure.text, f.figure.unit, f.part.value, f.sentence) for f in summary.figures)


def summarize_stream(ctx: AppContext, ref: str | None, tick_s: float = TICK_S) -> Iterator[tuple]:
    """One report's summary as it is made: (summary html, figure rows). The code-extracted parts and the
    figures table come at once; the overview's progress (模型撰写概述 12 秒 · 已用 13 秒) is redrawn every
    ``tick_s`` until the checked overview replaces it."""
    if not ref:
        gr.Warning("请先选择一份报告。")
        yield gr.skip(), gr.skip()
        return
    from assistant.answers.summarize import Summary, stream_summary

    try:
        rep = ctx.with_library(lambda lib: lib.get(ref))
    except AssistantError as exc:
        gr.Warning(str(exc))
        yield f'<div class="note note-error">{esc(exc)}</div>', gr.skip()
        return
    try:
        model = ctx.model()
    except AssistantError as exc:  # the code-extracted summary still works without a model
        ctx.note_error(exc)
        model = None
    clock, summ, written = PhaseClock(), None, 0
    # closing(): leaving the page's event closes the stream, and with it the model's request
    with contextlib.closing(ticking(stream_summary(rep, model), tick_s)) as stream:
        for item in stream:
            if isinstance(item, Summary):
                first, summ = summ is None, item
                if first:  # the parts code extracted: shown while the model writes the overview
                    yield summary_html(summ, clock.line()), figure_rows(summ)
                continue
            if isinstance(item, AnswerPhase):
                clock.enter(item)
            elif isinstance(item, str):
                written += len(item)
            line = clock.line() + (f" · 已写 {written} 字" if written else "")
            yield (summary_html(summ, line) if summ else f'<div class="note note-muted">{esc(line)}</div>'), gr.skip()
    assert summ is not None
    took = f"用时 {time.monotonic() - clock.started:.0f} 秒" + (f" · 模型 {summ.model}" if summ.model else "")
    yield summary_html(summ, took), figure_rows(summ)


def comparison_rows(comparison) -> list[list[str]]:
    out = []
    for r in comparison.rows:
        cite = r.figure_citation or (r.citations[0] if r.citations else None)
        where = f"{cite.org} {cite.year}年 · {cite.part.value} · {cite.quote[:40]}…" if cite else "—"
        fig = f"{r.figure.text}({r.figure_what})" if r.figure else "—"
        answer = r.answer if r.mentioned else "未提及"
        if r.ungrounded:
            answer += "  ⚠ 未核实数字: " + "、".join(f.text for f in r.ungrounded)
        out.append([r.org, r.year, answer, fig, where])
    return rows(out)


def track_rows(track_result: list) -> list[list[str]]:
    return rows(
        (
            clip(row.plan.text, 80),
            row.status_label,
            f"{row.score:.2f}",
            "\n".join(clip(p.text, 120) for p in row.passages[:2]) or "(未找到)",
        )
        for row in track_result
    )


def run_tracker(ctx: AppContext, pair: str | None) -> tuple:
    if not pair:
        gr.Warning("请选择单位和相邻的两个年度。")
        return gr.skip(), gr.skip()
    from assistant.drafting import track

    earlier_id, later_id = pair.split("|")
    try:
        earlier = ctx.with_library(lambda lib: lib.get(earlier_id))
        later = ctx.with_library(lambda lib: lib.get(later_id))
        result = track(earlier, later)
    except AssistantError as exc:
        gr.Warning(str(exc))
        return gr.skip(), f"⚠ {esc(exc)}"
    counts = {label: sum(r.status_label == label for r in result) for label in ("已报告", "部分报告", "未提及")}
    note = (
        f"{earlier.meta.label}的 {len(result)} 项安排在{later.meta.label}报告中: "
        + ",".join(f"{k} {v} 项" for k, v in counts.items())
    )
    return track_rows(result), note


def build(ctx: AppContext) -> SummaryTab:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            gr.Markdown("### 报告摘要")
            with gr.Row():
                report = gr.Dropdown(label="报告", choices=[], scale=3, elem_id="summary-report")
                go = gr.Button("生成摘要", variant="primary", scale=1, elem_id="summarize")
            summary = gr.HTML(elem_id="summary-text", max_height=560)
            figures = gr.Dataframe(
                headers=FIGURE_HEADERS, label="报告中的数字(由程序从原文逐字提取)", interactive=False, wrap=True,
                max_height=400, column_widths=["20%", "12%", "8%", "10%", "50%"], elem_id="summary-figures",
            )
            gr.Markdown("### 跨报告比较\n逐份报告查找同一问题的答案,并说明覆盖了几份报告。")
            with gr.Row():
                compare_q = gr.Textbox(
                    label="问题", placeholder="例如: 各乡镇2024年调解矛盾纠纷的件数?", scale=3, elem_id="compare-question"
                )
                compare_btn = gr.Button("比较", scale=1, elem_id="compare")
            compare_note = gr.Markdown(elem_id="compare-note")
            compare_table = gr.Dataframe(
                headers=COMPARE_HEADERS, interactive=False, wrap=True, max_height=420,
                column_widths=["12%", "8%", "40%", "15%", "25%"], elem_id="compare-table",
            )
        with gr.Column(scale=2, min_width=360):
            gr.Markdown("### 承诺落实跟踪\n上一年度报告的“下一年度安排”在下一年报告中是否有交代。")
            tracker_org = gr.Dropdown(label="单位(库中有相邻两年报告的单位)", choices=[], elem_id="track-org")
            tracker_pair = gr.Dropdown(label="年度", choices=[], elem_id="track-pair")
            track_btn = gr.Button("开始核对", elem_id="track")
            track_note = gr.Markdown()
            track_table = gr.Dataframe(
                headers=TRACK_HEADERS, interactive=False, wrap=True, max_height=640,
                column_widths=["36%", "14%", "10%", "40%"], elem_id="track-table",
            )

    def compare_all(question: str, progress=gr.Progress()):
        from assistant.answers.compare import compare

        progress(0.1, desc="正在逐份报告查找…")
        try:
            library = ctx.library()
            try:
                model = ctx.model()
            except AssistantError as exc:  # without a model compare still extracts figures by code
                ctx.note_error(exc)
                model = None
            result = compare(question, library, model)
        except AssistantError as exc:
            ctx.note_error(exc)
            gr.Warning(str(exc))
            return gr.skip(), f"⚠ {esc(exc)}"
        return comparison_rows(result), f"{esc(result.filter.describe())};{esc(result.coverage_line())}"

    def summarize_one(ref: str | None):
        yield from summarize_stream(ctx, ref)

    go.click(summarize_one, report, [summary, figures], concurrency_id="model")
    compare_btn.click(compare_all, compare_q, [compare_table, compare_note], concurrency_id="model")

    def on_org(org: str | None):
        pairs = tracker_pairs(_safe_catalog(ctx)).get(org or "", [])
        return gr.update(choices=pairs, value=pairs[-1][1] if pairs else None)

    tracker_org.change(on_org, tracker_org, tracker_pair)
    track_btn.click(lambda p: run_tracker(ctx, p), tracker_pair, [track_table, track_note])
    return SummaryTab(report=report, tracker_org=tracker_org)


def _safe_catalog(ctx: AppContext) -> list:
    try:
        return ctx.catalog()
    except AssistantError:
        return []


def refresh(ctx: AppContext) -> tuple:
    entries = _safe_catalog(ctx)
    choices = [(f"{e.org} {e.year}年", e.id) for e in entries]
    return gr.update(choices=choices), gr.update(choices=sorted(tracker_pairs(entries)))
