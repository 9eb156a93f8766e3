"""Results of an eval run: per-case records, totals per kind, retrieval metrics, the table and the JSON file.

The JSON result (``RESULT_FORMAT``) is what ``eval diff`` compares and what CI keeps:
``cases`` (one object per case: suite, id, kind, status, passed, inputs, output, citations, checks, judge,
error, seconds), ``totals`` (per kind and overall, deterministic checks only), ``judge_totals``
(model-graded checks, kept apart), ``suites`` (each with its retrieval metrics), and the settings used.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.redact import redact_data
from evals.checks import CheckOutcome

RESULT_FORMAT = "fazhi-assistant-eval/1"
RECALL_AT = (1, 3, 5, 10)
STATUS_LABEL = {"pass": "通过", "fail": "失败", "error": "错误"}


@dataclass
class CaseResult:
    suite: str
    id: str
    kind: str
    status: str  # "pass" | "fail" | "error"
    inputs: dict
    output: Any = None
    citations: list[dict] = field(default_factory=list)
    checks: list[CheckOutcome] = field(default_factory=list)
    judge: list[CheckOutcome] = field(default_factory=list)  # model-graded; never decides `status`
    error: str | None = None
    seconds: float = 0.0
    rank: int | None = None  # retrieval cases: 1-based rank of the first relevant hit

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def why(self) -> str:
        """One line for the table: the error, or the failed checks with their reasons."""
        if self.error:
            return self.error
        return "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.passed)

    def to_dict(self) -> dict:
        return {
            "suite": self.suite, "id": self.id, "kind": self.kind, "status": self.status, "passed": self.passed,
            "inputs": self.inputs, "output": self.output, "citations": self.citations,
            "checks": [c.to_dict() for c in self.checks], "judge": [c.to_dict() for c in self.judge],
            "error": self.error, "seconds": round(self.seconds, 3), "rank": self.rank,
        }


def status_of(checks: list[CheckOutcome]) -> str:
    return "pass" if checks and all(c.passed for c in checks) else "fail"


def totals(cases: list[CaseResult]) -> dict[str, dict]:
    """Per kind and overall ("all"): total, passed, failed, errors, pass_rate (errors count as not passed)."""
    groups: dict[str, list[CaseResult]] = {"all": cases}
    for c in cases:
        groups.setdefault(c.kind, []).append(c)
    out = {}
    for kind, group in groups.items():
        n = len(group)
        passed = sum(c.status == "pass" for c in group)
        out[kind] = {
            "total": n, "passed": passed,
            "failed": sum(c.status == "fail" for c in group),
            "errors": sum(c.status == "error" for c in group),
            "pass_rate": round(passed / n, 4) if n else 0.0,
        }
    return out


def judge_totals(cases: list[CaseResult]) -> dict[str, dict] | None:
    """Model-graded outcomes per check name, or None when no judge ran."""
    out: dict[str, dict] = {}
    for c in cases:
        for j in c.judge:
            t = out.setdefault(j.name, {"total": 0, "passed": 0})
            t["total"] += 1
            t["passed"] += j.passed
    for t in out.values():
        t["pass_rate"] = round(t["passed"] / t["total"], 4)
    return out or None


def guard_totals(cases: list[CaseResult]) -> dict[str, dict] | None:
    """Per guard (``Answer.guard``): the qa answers it acted on, by action (refused / quoted / repaired), and
    how many of those cases failed — a guard that starts overturning right answers shows up here."""
    out: dict[str, dict] = {}
    for c in cases:
        guard = (c.output or {}).get("guard") if c.kind == "qa" and isinstance(c.output, dict) else None
        if not guard:
            continue
        t = out.setdefault(guard, {"acted": 0, "failed": 0})
        t["acted"] += 1
        t["failed"] += c.status != "pass"
        action = c.output.get("guard_action") or "acted"
        t[action] = t.get(action, 0) + 1
    return out or None


def route_totals(cases: list[CaseResult]) -> dict[str, dict] | None:
    """Per route (``Answer.route``: single, quote, list, meta, comparison, mention, scope): cases and passes."""
    out: dict[str, dict] = {}
    for c in cases:
        route = (c.output or {}).get("route") if c.kind == "qa" and isinstance(c.output, dict) else None
        if route:
            t = out.setdefault(route, {"total": 0, "passed": 0})
            t["total"] += 1
            t["passed"] += c.status == "pass"
    return out or None


def retrieval_metrics(cases: list[CaseResult]) -> dict | None:
    """recall@k (share of retrieval cases with a relevant hit in the top k) and MRR. A case that errored
    counts as a miss: a retriever that crashes has not found anything."""
    ranks = [c.rank for c in cases if c.kind == "retrieval"]
    if not ranks:
        return None
    n = len(ranks)
    metrics: dict[str, Any] = {"cases": n}
    for k in RECALL_AT:
        metrics[f"recall@{k}"] = round(sum(r is not None and r <= k for r in ranks) / n, 4)
    metrics["mrr"] = round(sum(1 / r for r in ranks if r) / n, 4)
    return metrics


@dataclass
class RunResult:
    cases: list[CaseResult]
    suites: list[dict]  # name, path, version, corpus, cases, retrieval metrics
    model: str
    settings: dict
    settings_hash: str
    started: str
    wall_seconds: float

    @property
    def totals(self) -> dict[str, dict]:
        return totals(self.cases)

    @property
    def pass_rate(self) -> float:
        return self.totals["all"]["pass_rate"]

    @property
    def errors(self) -> int:
        return self.totals["all"]["errors"]

    def to_dict(self) -> dict:
        """JSON-ready, with every string redacted: results are saved, shared and shown in the UI."""
        return redact_data({
            "format": RESULT_FORMAT, "started": self.started, "wall_seconds": round(self.wall_seconds, 2),
            "model": self.model, "settings_hash": self.settings_hash, "settings": self.settings,
            "suites": self.suites, "totals": self.totals, "judge_totals": judge_totals(self.cases),
            "guards": guard_totals(self.cases), "routes": route_totals(self.cases),
            "cases": [c.to_dict() for c in self.cases],
        })

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def read_result(path: Path) -> dict:
    """A result file written by ``eval run --json``; a clear error for anything else."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssistantError(f"结果文件不存在: {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: 不是有效的 JSON 结果文件({exc})") from None
    if not isinstance(data, dict) or data.get("format") != RESULT_FORMAT or not isinstance(data.get("cases"), list):
        raise AssistantError(f"{path}: 不是 eval run --json 写出的结果文件(format 应为 {RESULT_FORMAT})")
    return data


# --- table ------------------------------------------------------------------------------------------


def width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit(text: str, columns: int) -> str:
    """Cut to ``columns`` terminal columns (with …) and pad to exactly that width."""
    text = " ".join(text.split())
    if width(text) > columns:
        out = ""
        for ch in text:
            if width(out + ch) > columns - 1:
                break
            out += ch
        text = out + "…"
    return text + " " * (columns - width(text))


def format_table(run: RunResult, why_columns: int = 70) -> str:
    id_cols = max([width("用例")] + [width(c.id) for c in run.cases])
    id_cols = min(id_cols, 36)
    lines = [f"{fit('用例', id_cols)}  {fit('类型', 9)}  {fit('结果', 4)}  {fit('秒', 7)}  原因"]
    for c in run.cases:
        lines.append(
            f"{fit(c.id, id_cols)}  {fit(c.kind, 9)}  {fit(STATUS_LABEL[c.status], 4)}  "
            f"{c.seconds:7.1f}  {fit(c.why(), why_columns).rstrip()}"
        )
    lines.append("")
    lines.append("合计(确定性检查):")
    for kind, t in run.totals.items():
        label = "全部" if kind == "all" else kind
        lines.append(
            f"  {fit(label, 10)} {t['passed']}/{t['total']} 通过  失败 {t['failed']}  错误 {t['errors']}  "
            f"通过率 {t['pass_rate']:.1%}"
        )
    for s in run.suites:
        m = s.get("retrieval")
        if m:
            recalls = "  ".join(f"recall@{k} {m[f'recall@{k}']:.2f}" for k in RECALL_AT)
            lines.append(f"检索指标 {s['name']}({m['cases']} 例): {recalls}  MRR {m['mrr']:.3f}")
    routes = route_totals(run.cases)
    if routes:
        lines.append("作答途径: " + "  ".join(f"{r} {t['passed']}/{t['total']}" for r, t in routes.items()))
    guards = guard_totals(run.cases)
    if guards:
        lines.append("程序核查改动了模型答复(其中未通过): " + "  ".join(
            f"{g} {t['acted']}({t['failed']})" for g, t in guards.items()))
    jt = judge_totals(run.cases)
    if jt:
        lines.append("模型评分(不计入上面的通过率):")
        for name, t in jt.items():
            lines.append(f"  {name}: {t['passed']}/{t['total']}  {t['pass_rate']:.1%}")
    lines.append(f"模型 {run.model} · 设置 {run.settings_hash} · 用时 {run.wall_seconds:.1f} 秒")
    return "\n".join(lines)
