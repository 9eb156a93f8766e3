"""评测 tab: pick suites, run them with progress, see the table, open a case, compare with an earlier run.

Running is ``evals.runner.run_suites``; each finished run is written as the runner's JSON result under
``<data home>/eval-runs/`` so it can be compared with later runs (``evals.results.read_result``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.errors import AssistantError
from ui.background import Done, Failed, run_with_events
from ui.context import AppContext
from ui.render import esc, rows

SUITES_DIR = Path(__file__).resolve().parent.parent / "evals" / "suites"  # tests point this elsewhere
CASE_HEADERS = ["评测集", "用例", "类型", "结果", "原因", "秒"]
TOTAL_HEADERS = ["类型", "用例数", "通过", "失败", "错误", "通过率"]
DIFF_HEADERS = ["用例", "类型", "之前", "现在", "原因"]
STATUS_WORDS = {"pass": "通过", "fail": "失败", "error": "错误"}


def runs_dir(ctx: AppContext) -> Path:
    return ctx.settings.home / "eval-runs"


def suite_choices() -> list[str]:
    return sorted(p.name for p in SUITES_DIR.glob("*.y*ml")) if SUITES_DIR.is_dir() else []


def earlier_runs(ctx: AppContext) -> list[tuple[str, str]]:
    """(label, path) of saved runs, newest first."""
    out = []
    for path in sorted(runs_dir(ctx).glob("*.json"), reverse=True):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            rate = data["totals"]["all"]["pass_rate"]
            names = "、".join(s["name"] for s in data.get("suites", []))
            out.append((f"{path.stem} · {names} · 通过率 {rate:.0%}", str(path)))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not a result file we wrote; ignore it
    return out


def case_row(case: dict) -> list:
    why = case.get("error") or "; ".join(f"{c['name']}: {c['detail']}" for c in case.get("checks", []) if not c["passed"])
    return [case["suite"], case["id"], case["kind"], STATUS_WORDS.get(case["status"], case["status"]), why, f"{case['seconds']:.1f}"]


def totals_rows(totals: dict) -> list[list[str]]:
    order = ["all"] + sorted(k for k in totals if k != "all")
    return rows(
        ["全部" if k == "all" else k, t["total"], t["passed"], t["failed"], t["errors"], f"{t['pass_rate']:.0%}"]
        for k in order
        for t in [totals[k]]
    )


def case_detail(run: dict | None, case_id: str | None) -> str:
    """Markdown for one case: its inputs, output, each check and the citations it used."""
    if not run or not case_id:
        return ""
    case = next((c for c in run["cases"] if f"{c['suite']}/{c['id']}" == case_id), None)
    if case is None:
        return ""
    lines = [f"### {esc(case['id'])}({esc(case['kind'])},{STATUS_WORDS.get(case['status'], case['status'])})"]
    if case.get("error"):
        lines.append(f"**错误**: {esc(case['error'])}")
    lines.append("**输入**\n\n```json\n" + json.dumps(case["inputs"], ensure_ascii=False, indent=2) + "\n```")
    output = case.get("output")
    shown = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, indent=2)
    lines.append("**输出**\n\n```text\n" + (shown or "(无)") + "\n```")
    if case.get("checks"):
        lines.append("**检查**\n\n" + "\n".join(
            f"- {'【通过】' if c['passed'] else '【未通过】'} {esc(c['name'])}: {esc(c['detail'])}" for c in case["checks"]
        ))
    if case.get("citations"):
        lines.append("**出处**\n\n" + "\n".join(f"- {esc(json.dumps(c, ensure_ascii=False))}" for c in case["citations"]))
    return "\n\n".join(lines)


def run_selected(ctx: AppContext, names: list[str] | None, progress=gr.Progress()):
    """Yields (case table, totals table, run state, case picker, earlier-runs picker, status text)."""
    if not names:
        gr.Warning("请至少选择一个评测集。")
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
        return
    from evals.runner import run_suites
    from evals.suite import load_suite

    try:
        suites = [load_suite(SUITES_DIR / name) for name in names]
        library = ctx.library() if any(s.corpus is None for s in suites) else None
    except AssistantError as exc:
        ctx.note_error(exc)
        gr.Warning(str(exc))
        yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"未能开始: {esc(exc)}"
        return
    try:
        model = ctx.model()
    except AssistantError as exc:  # metadata and retrieval cases still run; the others record the error
        ctx.note_error(exc)
        model = None
    total = sum(len(s.cases) for s in suites)
    done_rows: list[list] = []
    progress((0, total), desc="评测进行中…", unit="用例")
    work = lambda emit: run_suites(suites, ctx.settings, model=model, library=library, on_result=emit)  # noqa: E731
    for event in run_with_events(work):
        if isinstance(event, Failed):
            ctx.note_error(event.error)
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"评测出错: {esc(event.error)}"
            return
        if isinstance(event, Done):
            run = event.result.to_dict()
            path = runs_dir(ctx) / f"{datetime.now():%Y%m%d-%H%M%S}.json"
            n = 2
            while path.exists():  # two runs in the same second keep both results
                path = path.with_name(f"{path.stem.split('_')[0]}_{n}.json")
                n += 1
            event.result.write_json(path)
            run["saved_as"] = str(path)  # kept in the session's state, for comparing with earlier runs
            failed = [f"{c['suite']}/{c['id']}" for c in run["cases"] if c["status"] != "pass"]
            passed = [f"{c['suite']}/{c['id']}" for c in run["cases"] if c["status"] == "pass"]
            status = f"完成: {len(run['cases'])} 个用例,通过率 {run['totals']['all']['pass_rate']:.0%},用时 {run['wall_seconds']:.0f} 秒。结果已保存为 {path.name}"
            yield (
                rows(case_row(c) for c in run["cases"]),
                totals_rows(run["totals"]),
                run,
                gr.update(choices=failed + passed, value=failed[0] if failed else None),
                gr.update(choices=[r for r in earlier_runs(ctx) if r[1] != str(path)]),
                status,
            )
            return
        done_rows.append(case_row(event.to_dict()))
        progress((len(done_rows), total), desc="评测进行中…", unit="用例")
        yield rows(done_rows), gr.skip(), gr.skip(), gr.skip(), gr.skip(), f"已完成 {len(done_rows)}/{total} 个用例…"


def compare(run: dict | None, earlier: str | None) -> tuple:
    """Cases that flipped between an earlier saved run and this one (``evals.diff``, as ``assistant eval diff``)."""
    if not run or not earlier:
        gr.Warning("请先运行一次评测,并选择一个之前的结果。")
        return gr.skip(), gr.skip()
    from evals.diff import diff_results

    try:
        report = diff_results(Path(earlier), Path(run["saved_as"]))
    except AssistantError as exc:
        gr.Warning(str(exc))
        return gr.skip(), gr.skip()
    flips = [
        [f.id, f.kind, STATUS_WORDS.get(f.old, "无"), STATUS_WORDS.get(f.new, "无"), f.why] for f in report.flips
    ]
    rate = lambda totals: f"{totals['all']['pass_rate']:.0%}" if totals.get("all") else "—"  # noqa: E731
    summary = (
        f"通过率 {rate(report.old_totals)} → {rate(report.new_totals)};{len(flips)} 个用例结果改变"
        + (f",其中 {len(report.regressions)} 个退步" if report.regressions else "")
        + "。"
    )
    return rows(flips), summary


@dataclass
class EvalsTab:
    suites: gr.CheckboxGroup
    earlier: gr.Dropdown


def refresh(ctx: AppContext) -> tuple:
    """Suites on disk and saved runs may change while the page is open."""
    return gr.update(choices=suite_choices()), gr.update(choices=earlier_runs(ctx))


def build(ctx: AppContext) -> EvalsTab:
    run_state = gr.State(None)
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            suites = gr.CheckboxGroup(label="评测集(evals/suites)", choices=suite_choices(), elem_id="eval-suites")
            with gr.Row():
                start = gr.Button("运行评测", variant="primary", elem_id="run-evals")
                stop = gr.Button("停止", variant="stop", elem_id="stop-evals")
            status = gr.Markdown(elem_id="eval-status")
            totals = gr.Dataframe(headers=TOTAL_HEADERS, label="汇总", interactive=False, elem_id="eval-totals")
        with gr.Column(scale=3, min_width=420):
            table = gr.Dataframe(
                headers=CASE_HEADERS, label="用例结果", interactive=False, wrap=True, max_height=420,
                column_widths=["17%", "20%", "12%", "8%", "35%", "8%"], elem_id="eval-table",
            )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=420):
            picker = gr.Dropdown(label="查看用例(未通过的排在前面)", choices=[], elem_id="eval-case")
            detail = gr.Markdown(elem_id="eval-case-detail")
        with gr.Column(scale=2, min_width=300):
            earlier = gr.Dropdown(label="与之前的结果比较", choices=earlier_runs(ctx), elem_id="eval-earlier")
            compare_btn = gr.Button("比较", elem_id="eval-compare")
            diff_note = gr.Markdown(elem_id="eval-diff-note")
            diff = gr.Dataframe(headers=DIFF_HEADERS, label="结果改变的用例", interactive=False, wrap=True)

    def run(names: list[str] | None, progress=gr.Progress()):
        yield from run_selected(ctx, names, progress)

    ev = start.click(
        run,
        suites, [table, totals, run_state, picker, earlier, status], concurrency_id="model",
    )
    stop.click(None, None, None, cancels=[ev])
    picker.change(case_detail, [run_state, picker], detail)
    compare_btn.click(compare, [run_state, earlier], [diff, diff_note])
    return EvalsTab(suites=suites, earlier=earlier)
