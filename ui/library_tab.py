"""报告库 tab: upload reports (size/type limits, one result per file), list, view, edit metadata, remove.

Removing takes two steps, 删除此报告 then 确认删除, and the second checks the first on the server (the
session's state), so calling the delete step through the API without the question deletes nothing.

Parsing and storing are ``assistant.ingest.ingest_paths`` and the ``Library`` methods; a file the UI
refuses (type, size) never reaches them, and a failed file stores nothing (the library's promise).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError
from assistant.ingest.loaders import SUPPORTED_SUFFIXES as ALLOWED_SUFFIXES
from assistant.types import LEVELS
from ui.background import Done, Failed, run_with_events
from ui.context import AppContext
from ui.render import esc, report_html, rows

REPORT_HEADERS = ["报告", "单位", "级别", "年度", "标题", "已识别部分", "片段数"]
RESULT_HEADERS = ["文件", "结果", "报告", "说明"]
STATUS_WORDS = {"added": "已导入", "unchanged": "未变化(已在库中)", "replaced": "已更新", "failed": "失败"}


@dataclass
class LibraryTab:
    table: gr.Dataframe
    picker: gr.Dropdown


def report_rows(entries: list) -> list[list[str]]:
    """The library's table, from its catalog entries (no report decoded)."""
    return rows((e.id, e.org, e.level, e.year, e.title, "、".join(e.parts), e.chunks) for e in entries)


def screen_uploads(paths: list[str], max_mb: float) -> tuple[list[Path], list[list[str]]]:
    """Split uploads into files to ingest and refusals (wrong type, too large, empty), with reasons."""
    accepted: list[Path] = []
    refused: list[list[str]] = []
    for p in map(Path, paths):
        size_mb = p.stat().st_size / 1_048_576 if p.exists() else 0.0
        if p.suffix.lower() not in ALLOWED_SUFFIXES:
            refused.append([p.name, "未导入", "", f"不支持的文件类型 {p.suffix or '(无扩展名)'};支持 {' '.join(ALLOWED_SUFFIXES)}"])
        elif not p.exists() or size_mb == 0:
            refused.append([p.name, "未导入", "", "文件为空或无法读取"])
        elif size_mb > max_mb:
            refused.append([p.name, "未导入", "", f"文件 {size_mb:.1f} MB,超过上限 {max_mb:g} MB"])
        else:
            accepted.append(p)
    return accepted, refused


def overrides_from(org: str, year: float | None, level: str | None) -> dict | None:
    """Metadata the user fixed for every uploaded file (when the report itself does not say)."""
    out: dict = {}
    if org and org.strip():
        out["org"] = org.strip()
    if year:
        out["year"] = int(year)
    if level:
        out["level"] = level
    return out or None


def ingest_uploads(ctx: AppContext, files: list[str] | None, org: str, year: float | None, level: str | None, progress=gr.Progress()):
    """Yields (result rows, report table rows, picker update); one result row appears as each file is done."""
    from assistant.ingest import ingest_paths

    paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
    if not paths:
        gr.Warning("请先选择要上传的报告文件。")
        yield gr.skip(), gr.skip(), gr.skip()
        return
    accepted, result_rows = screen_uploads(paths, ctx.settings.ui.max_upload_mb)
    yield rows(result_rows), gr.skip(), gr.skip()
    if accepted:
        try:
            library = ctx.library()
        except AssistantError as exc:
            gr.Warning(f"报告库不可用,未导入: {exc}")
            return
        overrides = overrides_from(org, year, level)
        progress((0, len(accepted)), desc="正在导入(向量化较慢,请稍候)…", unit="文件")
        work = lambda emit: ingest_paths(library, accepted, overrides=overrides, progress=False, on_result=emit)  # noqa: E731
        done = 0
        for event in run_with_events(work):
            if isinstance(event, Failed):
                ctx.note_error(event.error)
                result_rows.append(["(其余文件)", "未导入", "", f"导入中断: {event.error}"])
                break
            if isinstance(event, Done):
                break
            done += 1
            result_rows.append(
                [Path(event.path).name, STATUS_WORDS.get(event.status, event.status), event.report_id or "",
                 event.reason or event.warning]
            )
            progress((done, len(accepted)), desc="正在导入(向量化较慢,请稍候)…", unit="文件")
            yield rows(result_rows), gr.skip(), gr.skip()
    table, picker = _listing(ctx)
    yield rows(result_rows), table, picker


def _listing(ctx: AppContext, selected: str | None = None) -> tuple:
    try:
        entries = ctx.catalog()
    except AssistantError as exc:
        gr.Warning(f"报告库不可用: {exc}")
        return [], gr.update(choices=[])
    choices = [(e.label, e.id) for e in entries]
    value = selected if selected in {e.id for e in entries} else None
    return report_rows(entries), gr.update(choices=choices, value=value)


def show_report(ctx: AppContext, ref: str | None) -> tuple:
    """(report html, org, level, year, title, delete button visibility)."""
    if not ref:
        return "", "", None, None, "", gr.update(visible=False)
    try:
        report = ctx.with_library(lambda lib: lib.get(ref))
    except AssistantError as exc:
        gr.Warning(str(exc))
        return f'<div class="note note-error">{esc(exc)}</div>', "", None, None, "", gr.update(visible=False)
    m = report.meta
    return report_html(report), m.org, m.level, m.year, m.title, gr.update(visible=True)


def save_meta(ctx: AppContext, ref: str | None, org: str, level: str | None, year: float | None, title: str) -> tuple:
    """Update changed metadata fields; on bad input nothing is stored and the message says why."""
    if not ref:
        gr.Warning("请先选择一份报告。")
        return gr.skip(), gr.skip(), gr.skip()
    if not (org or "").strip() or not year or not (title or "").strip():
        gr.Warning("单位、年度和标题不能为空。")
        return gr.skip(), gr.skip(), gr.skip()
    try:
        current = ctx.with_library(lambda lib: lib.get(ref)).meta
        wanted = {"org": org.strip(), "level": level, "year": int(year), "title": title.strip()}
        changed = {k: v for k, v in wanted.items() if v is not None and v != getattr(current, k)}
        if not changed:
            gr.Info("没有修改。")
            return gr.skip(), gr.skip(), gr.skip()
        report = ctx.with_library(lambda lib: lib.update_meta(ref, **changed))
    except AssistantError as exc:
        gr.Warning(f"未保存: {exc}")
        return gr.skip(), gr.skip(), gr.skip()
    gr.Info(f"已保存 {report.meta.label} 的信息。")
    table, picker = _listing(ctx, selected=report.id)
    return table, picker, report_html(report)


def ask_delete(ref: str | None) -> tuple:
    """(confirm row, its text, pending confirmation): the page's question before a delete. The pending
    confirmation lives in the session's ``gr.State`` — on the server, where an API caller cannot set it."""
    if not ref:
        return gr.update(visible=False), "", None
    question = f"确定删除报告 **{ref}** 吗?报告及其全部检索片段都会从库中删除,不能撤销。"
    return gr.update(visible=True), question, (ref, time.monotonic())


def confirmed(ctx: AppContext, ref: str | None, pending: tuple | None) -> bool:
    """True when this session asked to delete ``ref`` (the page's 删除此报告) within ``ui.delete_confirm_s``."""
    if not (ref and pending):
        return False
    asked_ref, asked_at = pending
    return asked_ref == ref and time.monotonic() - asked_at <= ctx.settings.ui.delete_confirm_s


def remove_report(ctx: AppContext, ref: str | None, pending: tuple | None) -> tuple:
    """(table, picker, report html, confirm row visibility, pending confirmation). Deletes only what this
    session confirmed on the page, so a direct API call to this step deletes nothing."""
    if not ref:
        return gr.skip(), gr.skip(), gr.skip(), gr.update(visible=False), None
    if not confirmed(ctx, ref, pending):
        gr.Warning(f"未删除 {ref}: 请先点“删除此报告”,再在提示中点“确认删除”。")
        return gr.skip(), gr.skip(), gr.skip(), gr.update(visible=False), None
    try:
        removed = ctx.with_library(lambda lib: lib.remove(ref))
    except AssistantError as exc:
        gr.Warning(f"未删除: {exc}")
        return gr.skip(), gr.skip(), gr.skip(), gr.update(visible=False), None
    gr.Info(f"已删除 {removed.meta.label}。")
    table, picker = _listing(ctx)
    return table, picker, "", gr.update(visible=False), None


def build(ctx: AppContext) -> LibraryTab:
    max_mb = ctx.settings.ui.max_upload_mb
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=320):
            upload = gr.File(
                label=f"上传报告(txt / docx / pdf / html,每个不超过 {max_mb:g} MB)",
                file_count="multiple",
                file_types=list(ALLOWED_SUFFIXES),
                elem_id="upload-files",
                height=170,
            )
            with gr.Accordion("导入时指定单位/年度/级别(可选,报告中识别不出时使用)", open=False):
                with gr.Row():
                    up_org = gr.Textbox(label="单位", placeholder="如: 徐行镇")
                    up_year = gr.Number(label="年度", precision=0, value=None)
                    up_level = gr.Dropdown(label="级别", choices=list(LEVELS), value=None)
            with gr.Row():
                ingest_btn = gr.Button("导入报告库", variant="primary", scale=3, elem_id="ingest")
                stop_ingest = gr.Button("停止导入", variant="stop", scale=1, elem_id="stop-ingest")
        with gr.Column(scale=3, min_width=360):
            results = gr.Dataframe(
                headers=RESULT_HEADERS, label="导入结果", interactive=False, wrap=True, elem_id="ingest-results",
                column_widths=["28%", "16%", "20%", "36%"],
            )
    table = gr.Dataframe(
        headers=REPORT_HEADERS, label="库中报告", interactive=False, wrap=True, elem_id="report-table",
        column_widths=["14%", "11%", "8%", "8%", "30%", "19%", "10%"],
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            picker = gr.Dropdown(label="查看报告", choices=[], elem_id="report-picker")
            view = gr.HTML(elem_id="report-view", max_height=640)
        with gr.Column(scale=2, min_width=300):
            gr.Markdown("**报告信息**(修改后保存;单位或年度改变时报告编号随之改变)")
            m_org = gr.Textbox(label="单位", elem_id="meta-org")
            m_level = gr.Dropdown(label="级别", choices=list(LEVELS), value=None, elem_id="meta-level")
            m_year = gr.Number(label="年度", precision=0, value=None, elem_id="meta-year")
            m_title = gr.Textbox(label="标题", elem_id="meta-title")
            save = gr.Button("保存信息", elem_id="save-meta")
            delete = gr.Button("删除此报告", variant="stop", visible=False, elem_id="delete-report")
            with gr.Group(visible=False) as confirm_row:
                confirm_text = gr.Markdown()
                with gr.Row():
                    confirm = gr.Button("确认删除", variant="stop", elem_id="confirm-delete")
                    cancel = gr.Button("取消", elem_id="cancel-delete")

    def run_ingest(f, o, y, lv, progress=gr.Progress()):
        yield from ingest_uploads(ctx, f, o, y, lv, progress)

    ev_ingest = ingest_btn.click(
        run_ingest,
        [upload, up_org, up_year, up_level],
        [results, table, picker],
        concurrency_id="ingest",
    )
    # Stopping ends the import after the file being stored (each file is stored whole or not at all).
    stop_ingest.click(None, None, None, cancels=[ev_ingest])
    picker.change(lambda ref: show_report(ctx, ref), picker, [view, m_org, m_level, m_year, m_title, delete])
    save.click(lambda *a: save_meta(ctx, *a), [picker, m_org, m_level, m_year, m_title], [table, picker, view])

    pending_delete = gr.State(None)  # (ref, when asked): set only by the page's own confirmation question
    delete.click(ask_delete, picker, [confirm_row, confirm_text, pending_delete], api_name="ask_delete")
    cancel.click(lambda: (gr.update(visible=False), None), None, [confirm_row, pending_delete])
    confirm.click(lambda ref, pending: remove_report(ctx, ref, pending), [picker, pending_delete],
                  [table, picker, view, confirm_row, pending_delete], api_name="confirm_delete")
    return LibraryTab(table=table, picker=picker)


def refresh(ctx: AppContext) -> tuple:
    return _listing(ctx)
