"""起草 tab: draft a body's next report section by section, edit it, regenerate one section, export.

Writing, checking, coverage and export are ``assistant.drafting``; this module streams its events to
the page and keeps the draft in the session's ``gr.State`` (two sessions never share a draft). The
user's edits in the section boxes are folded back into the draft before a regeneration or an export,
so regenerating one section keeps what the user wrote in the others.

停止 is cooperative, not a Gradio cancel (which marks every output of the event as failed): the button
sets the session's stop flag, the running handler sees it at the next progress event, closes the worker's
event stream (the worker's next callback raises, so the model call ends) and finishes normally, saying
已停止 and keeping what was written.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError, BadInput
from assistant.types import Draft, DraftParagraph, Part
from assistant.llm.gate import Waiter
from ui.background import Done, Failed, Idle, run_with_events
from ui.context import AppContext
from ui.render import clip, esc, rows

MAX_SECTIONS = 6  # 开头 + the five parts drafting writes
MATERIAL_SUFFIXES = [".txt", ".md", ".docx"]
COVERAGE_HEADERS = ["上年度不足", "对应措施", "来源"]
_HEADING_MARK = re.compile(r"^【([^】\n]{1,40})】")  # how a paragraph's run-in subheading is shown for editing


@dataclass
class DraftTab:
    org: gr.Dropdown


# --- the editable text form of a section ------------------------------------------------------------


def section_text(paragraphs: list[DraftParagraph]) -> str:
    """Paragraphs separated by blank lines; a run-in subheading is shown as 【小标题】 at the start."""
    return "\n\n".join((f"【{p.heading}】" if p.heading else "") + p.text for p in paragraphs)


def apply_edits(draft: Draft, texts: list[str]) -> Draft:
    """A copy of ``draft`` with each section's paragraphs taken from the user's text.

    Unchanged paragraphs keep their sources and checks; an edited one keeps its sources (the user
    reworded it) but its heading and text are the user's; new blocks become paragraphs without sources.
    """
    from assistant.drafting.checks import placeholders_in

    new = deepcopy(draft)
    for section, text in zip(new.sections, texts):
        if text is None or text.strip() == section_text(section.paragraphs).strip():
            continue
        blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        paragraphs: list[DraftParagraph] = []
        for i, block in enumerate(blocks):
            m = _HEADING_MARK.match(block)
            heading, body = (m.group(1), block[m.end() :].strip()) if m else ("", block)
            old = section.paragraphs[i] if i < len(section.paragraphs) else None
            if old is not None and old.heading == heading and old.text == body:
                paragraphs.append(old)
            else:
                sources = list(old.sources) if old is not None else []
                paragraphs.append(DraftParagraph(text=body, sources=sources, heading=heading, notes=["用户已修改"]))
        section.paragraphs = paragraphs
    new.placeholders = [ph for s in new.sections for p in s.paragraphs for ph in placeholders_in(p.heading + p.text)]
    return new


# --- what the page shows ----------------------------------------------------------------------------


def coverage_rows(draft: Draft) -> list[list[str]]:
    return rows(
        (
            clip(row.shortcoming.text, 60),
            ";".join(row.measures) or "⚠ 尚无对应措施",
            ";".join(s.label for s in row.sources),
        )
        for row in draft.coverage
    )


def placeholders_html(draft: Draft) -> str:
    """Each distinct placeholder once, with how often it occurs (the same gap is often left in several
    places), then the material's figures the draft does not state."""
    if not draft.placeholders:
        out = '<div class="note note-refusal">没有待补充项。</div>'
    else:
        counts = Counter(draft.placeholders)
        items = "".join(f"<li>{esc(p)}" + (f" ×{n}" if n > 1 else "") + "</li>" for p, n in counts.items())
        out = f'<div><b>待补充项(共 {len(draft.placeholders)} 处)</b><ul class="placeholder-list">{items}</ul></div>'
    if draft.unused_figures:
        items = "".join(f"<li>{esc(u)}</li>" for u in draft.unused_figures)
        out += f'<div class="unused-figures"><b>材料中未写入草稿的数字(共 {len(draft.unused_figures)} 条)</b><ul>{items}</ul></div>'
    return out


def sources_html(draft: Draft) -> str:
    """Where every paragraph comes from (last year's report, the material, a peer report), section by section."""
    out = []
    for section in draft.sections:
        heading = esc(section.heading or section.part.value)
        lines = []
        for i, para in enumerate(section.paragraphs, 1):
            refs = "；".join(esc(ref.label) for ref in para.sources) or "无出处(用户新增或模型补写)"
            notes = f' <span class="note-muted">({esc(";".join(para.notes))})</span>' if para.notes else ""
            lines.append(f"<li>第{i}段: {refs}{notes}</li>")
        out.append(f"<div><b>{heading}</b><ol>{''.join(lines)}</ol></div>")
    return '<div class="draft-sources">' + "".join(out) + "</div>"


def section_boxes(draft: Draft) -> list:
    updates = []
    for i in range(MAX_SECTIONS):
        if i < len(draft.sections):
            s = draft.sections[i]
            label = s.heading or ("开头" if s.part == Part.PREAMBLE else s.part.value)
            updates.append(gr.update(value=section_text(s.paragraphs), label=label, visible=True))
        else:
            updates.append(gr.update(value="", visible=False))
    return updates


def live_html(done: list[tuple[str, str]], current_heading: str, current_text: str) -> str:
    """The draft as it is being written: finished paragraphs, then the one the model is writing."""
    parts = []
    last_heading = None
    for heading, text in done:
        if heading != last_heading:
            parts.append(f"<h4>{esc(heading)}</h4>")
            last_heading = heading
        parts.append(f"<p>{esc(text)}</p>")
    if current_text:
        if current_heading != last_heading:
            parts.append(f"<h4>{esc(current_heading)}</h4>")
        parts.append(f'<p class="streaming">{esc(current_text)}▌</p>')
    return '<div class="report-view">' + "".join(parts) + "</div>"


STOPPED = object()  # what _stream yields as its result when the user pressed 停止


def stopped_note(done: int, section: int, sections: int) -> str:
    where = f"第 {section}/{sections} 部分" if sections else "开始"
    return (f"已停止(写到{where}时停止)。已写出的 {done} 段保留在下方供参考;草稿不完整,"
            "不能重新生成或导出,如需完整草稿请重新开始起草。")


def _stream(ctx: AppContext, work, progress, stop_requested=lambda: False, waiter: Waiter | None = None) -> tuple:
    """Drive ``work(emit)`` and yield (progress text, live html, result or None); the result is ``STOPPED``
    when ``stop_requested()`` turned true (the worker is then told to stop). While the draft's model call waits
    behind another session's, the progress text is its place in the queue. Raises AssistantError."""
    done: list[tuple[str, str]] = []
    current, heading, at = "", "", (0, 0)
    events = run_with_events(work, idle_s=1.0)
    waited = 0
    try:
        for event in events:
            if isinstance(event, Failed):
                if isinstance(event.error, AssistantError):
                    raise event.error
                raise AssistantError(f"起草出错: {type(event.error).__name__}: {event.error}") from event.error
            if isinstance(event, Done):
                yield "草稿已完成。", live_html(done, "", ""), event.result
                return
            if stop_requested():
                break
            if isinstance(event, Idle):
                line = waiter.line() if waiter is not None else ""
                waited = waited + 1 if line else 0
                if line:
                    yield esc(f"{line} · 已等 {waited} 秒(轮到后开始写)"), live_html(done, heading, current), None
                continue
            if event.kind == "delta":
                current += event.text
            elif event.kind == "paragraph":
                done.append((event.heading, event.text))
                current = ""
            elif event.kind == "section":
                current = ""
            heading, at = event.heading, (event.section, event.sections)
            units = max(event.units, 1)
            share = (event.section - 1 + (event.unit - (event.kind == "delta")) / units) / max(event.sections, 1)
            progress(min(max(share, 0.0), 1.0), desc=f"正在写第 {event.section}/{event.sections} 部分")
            what = f"(第 {event.unit}/{event.units} 段:{event.label})" if event.unit else ""
            note = f"正在写第 {event.section}/{event.sections} 部分 {event.heading}{what}"
            yield esc(note), live_html(done, event.heading, current), None
    finally:
        events.close()  # the worker's next callback raises: the model call in progress ends there
        if waiter is not None:
            waiter.cancel()  # and a call still waiting in the model's queue leaves it now
    # stopped: keep what was written; an unfinished paragraph is shown as cut off
    if current.strip():
        done.append((heading, current.strip() + "(未写完)"))
    yield esc(stopped_note(len(done), *at)), live_html(done, "", ""), STOPPED


def parse_year(value) -> int:
    """The year field's text as a year; a clear message otherwise."""
    text = str(value).strip()
    if not re.fullmatch(r"(19|20|21)\d{2}", text):
        raise BadInput(f"年度应为四位数字,例如 2025(现为“{text}”)。")
    return int(text)


def _material(text: str, files: list[str] | None) -> list[str | Path]:
    """Pasted text (str) and uploaded files (Path), as ``draft_report(material=…)`` takes them."""
    paths = [Path(f if isinstance(f, str) else f.name) for f in files or []]
    for path in paths:
        if path.suffix.lower() not in MATERIAL_SUFFIXES:
            raise BadInput(f"材料文件 {path.name} 的类型不支持;请上传 {' '.join(MATERIAL_SUFFIXES)} 文件")
    return ([text] if text and text.strip() else []) + paths


def _finished(draft: Draft) -> tuple:
    choices = [(s.heading or s.part.value, s.part.value) for s in draft.sections if s.part != Part.PREAMBLE]
    return (
        draft,
        *section_boxes(draft),
        coverage_rows(draft),
        placeholders_html(draft),
        sources_html(draft),
        gr.update(choices=choices, value=None),
        f"### {esc(draft.title)}",
        gr.update(visible=True),
    )


def build(ctx: AppContext) -> DraftTab:
    draft_state = gr.State(None)
    run_flags = gr.State({"stop": False})  # per session; the 停止 button sets it, the running handler reads it
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=280):
            org = gr.Dropdown(label="单位(库中已有上一年度报告的单位)", choices=[], elem_id="draft-org")
            # a text field, empty until a body is chosen (a number field shows 0), then last report year + 1
            year = gr.Textbox(label="新报告所写年度", value="", lines=1, max_lines=1, elem_id="draft-year",
                              placeholder="选择单位后自动填写")
            peers = gr.Dropdown(label="可参考的其他单位报告(留空 = 全部)", multiselect=True, choices=[], elem_id="draft-peers")
            material = gr.Textbox(
                label="本年度材料(工作记录、统计数字等,可粘贴)", lines=8, max_lines=20, elem_id="draft-material",
                placeholder="例如: 2025年共调解矛盾纠纷312件,调解成功率98.1%……",
            )
            material_files = gr.File(
                label="或上传材料文件(txt / md / docx)", file_count="multiple", file_types=MATERIAL_SUFFIXES
            )
            with gr.Row():
                start = gr.Button("开始起草", variant="primary", elem_id="start-draft")
                stop = gr.Button("停止", variant="stop", elem_id="stop-draft")
        with gr.Column(scale=3, min_width=480):
            progress_note = gr.Markdown(elem_id="draft-progress", elem_classes=["draft-progress"])
            title = gr.Markdown(elem_id="draft-title")
            live = gr.HTML(elem_id="draft-live", max_height=420)
            boxes = [
                gr.Textbox(visible=False, lines=6, max_lines=30, interactive=True, elem_id=f"draft-section-{i}")
                for i in range(MAX_SECTIONS)
            ]
            with gr.Column(visible=False) as draft_actions:  # shown once there is a draft to act on
                with gr.Row():
                    regen_part = gr.Dropdown(
                        label="重新生成其中一部分(其他部分的修改会保留)", choices=[], scale=3, elem_id="regen-part"
                    )
                    regen = gr.Button("重新生成", scale=1, elem_id="regen")
                export = gr.Button("导出 Word 和 Markdown", variant="primary", elem_id="export-draft")
            downloads = gr.File(
                label="下载", file_count="multiple", interactive=False, visible=False, elem_id="draft-downloads"
            )
            export_note = gr.Markdown()
        with gr.Column(scale=2, min_width=320):
            coverage = gr.Dataframe(
                headers=COVERAGE_HEADERS, label="不足 → 措施 → 来源", interactive=False, wrap=True,
                column_widths=["40%", "35%", "25%"], max_height=520, elem_id="draft-coverage",
            )
            placeholders = gr.HTML(elem_id="draft-placeholders")
            with gr.Accordion("各段落的来源", open=False):
                sources = gr.HTML(elem_id="draft-sources")

    finished_outputs = [draft_state, *boxes, coverage, placeholders, sources, regen_part, title, draft_actions]

    def on_org(name: str | None):
        """Default year: the year after the body's latest report in the library."""
        entries = _safe_catalog(ctx)
        years = [e.year for e in entries if e.org == name]
        others = [(f"{e.org} {e.year}年", e.id) for e in entries if e.org != name]
        return gr.update(value=str(max(years) + 1) if years else ""), gr.update(choices=others, value=[])

    org.change(on_org, org, [year, peers])

    def run_draft(name, yr, text, files, peer_ids, flags, progress=gr.Progress()):
        if not name or not str(yr or "").strip():
            gr.Warning("请选择单位并填写年度。")
            return
        try:
            yr = parse_year(yr)
            mat = _material(text, files)
            waiter = Waiter()  # this draft's place in the model's queue (shared with other sessions)
            library, model = ctx.library(), waiter.bind(ctx.model())
        except AssistantError as exc:
            ctx.note_error(exc)
            gr.Warning(str(exc))
            return
        from assistant.drafting import draft_report

        work = lambda emit: draft_report(  # noqa: E731
            name, int(yr), library=library, model=model, material=mat, peers=peer_ids or None, on_event=emit
        )
        flags["stop"] = False
        yield (gr.skip(),) * len(finished_outputs) + ("开始起草…", gr.update(value="", visible=True))
        try:
            for note, html, result in _stream(ctx, work, progress, lambda: flags["stop"], waiter):
                if result is None:
                    yield (gr.skip(),) * len(finished_outputs) + (note, html)
                elif result is STOPPED:
                    yield (gr.skip(),) * len(finished_outputs) + (note, gr.update(value=html, visible=True))
                else:
                    yield (*_finished(result), note, gr.update(value="", visible=False))
            ctx.note_model_ok()
        except AssistantError as exc:
            ctx.note_error(exc)
            yield (gr.skip(),) * len(finished_outputs) + (f"⚠ {esc(exc)}", gr.skip())

    def run_regen(draft, part, text, files, peer_ids, flags, *texts, progress=gr.Progress()):
        if draft is None or not part:
            gr.Warning("请先完成起草,并选择要重新生成的部分。")
            return
        try:
            mat = _material(text, files)
            waiter = Waiter()
            library, model = ctx.library(), waiter.bind(ctx.model())
        except AssistantError as exc:
            ctx.note_error(exc)
            gr.Warning(str(exc))
            return
        from assistant.drafting import regenerate_section

        edited = apply_edits(draft, list(texts))
        work = lambda emit: regenerate_section(  # noqa: E731
            edited, Part(part), library=library, model=model, material=mat, peers=peer_ids or None, on_event=emit
        )
        flags["stop"] = False
        try:
            for note, html, result in _stream(ctx, work, progress, lambda: flags["stop"], waiter):
                if result is None:
                    yield (gr.skip(),) * len(finished_outputs) + (note, gr.update(value=html, visible=True))
                elif result is STOPPED:  # the draft on the page is the one from before, unchanged
                    yield (gr.skip(),) * len(finished_outputs) + (
                        esc("已停止重新生成,草稿保持原样。"), gr.update(value="", visible=False))
                else:
                    yield (*_finished(result), f"已重新生成“{esc(part)}”。", gr.update(value="", visible=False))
        except AssistantError as exc:
            ctx.note_error(exc)
            yield (gr.skip(),) * len(finished_outputs) + (f"⚠ {esc(exc)}", gr.skip())

    stream_outputs = [*finished_outputs, progress_note, live]
    start.click(run_draft, [org, year, material, material_files, peers, run_flags], stream_outputs,
                concurrency_id="model")
    regen.click(run_regen, [draft_state, regen_part, material, material_files, peers, run_flags, *boxes],
                stream_outputs, concurrency_id="model")

    def request_stop(flags):
        flags["stop"] = True
        return "正在停止…"

    stop.click(request_stop, [run_flags], [progress_note], queue=False)

    def run_export(draft, *texts):
        if draft is None:
            gr.Warning("还没有草稿可以导出。")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        from assistant.drafting import export_docx, to_markdown

        edited = apply_edits(draft, list(texts))
        folder = Path(tempfile.mkdtemp(prefix="draft-"))
        docx_path = folder / f"{edited.title}.docx"
        md_path = folder / f"{edited.title}.md"
        try:
            warnings = export_docx(edited, docx_path)
            md_path.write_text(to_markdown(edited), encoding="utf-8")
        except AssistantError as exc:
            gr.Warning(f"导出失败: {exc}")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        note = "已导出。" + ("提示: " + ";".join(esc(w) for w in warnings) if warnings else "")
        files = gr.update(value=[str(docx_path), str(md_path)], visible=True)
        return edited, files, note, placeholders_html(edited), sources_html(edited)

    export.click(run_export, [draft_state, *boxes], [draft_state, downloads, export_note, placeholders, sources])
    return DraftTab(org=org)


def _safe_catalog(ctx: AppContext) -> list:
    try:
        return ctx.catalog()
    except AssistantError:
        return []


def refresh(ctx: AppContext):
    """Choices for the body dropdown (one output, so not a tuple)."""
    return gr.update(choices=sorted({e.org for e in _safe_catalog(ctx)}))
