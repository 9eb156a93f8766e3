"""``eval diff OLD NEW``: which cases flipped between two result files, and how the totals moved.

Cases are matched by (suite name without its version, case id), so a result from ``sample-qa.dev.v1`` can
be compared with one from ``v2``; the suite versions are shown so a reader knows when cases changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evals.results import STATUS_LABEL, read_result


@dataclass
class Flip:
    suite: str
    id: str
    kind: str
    old: str | None  # status, None = not in the old run
    new: str | None
    why: str = ""  # the new failure reason (or the old one for a fixed case)

    @property
    def regression(self) -> bool:
        return self.old == "pass" and self.new in ("fail", "error")


@dataclass
class DiffReport:
    flips: list[Flip]
    old_totals: dict
    new_totals: dict
    old_label: str
    new_label: str

    @property
    def regressions(self) -> list[Flip]:
        return [f for f in self.flips if f.regression]


def _key(case: dict) -> tuple[str, str]:
    return case.get("suite", "").rsplit(".v", 1)[0], case["id"]


def _why(case: dict | None) -> str:
    if not case:
        return ""
    if case.get("error"):
        return case["error"]
    return "; ".join(f"{c['name']}: {c['detail']}" for c in case.get("checks", []) if not c.get("passed"))


def diff_results(old_path: Path, new_path: Path) -> DiffReport:
    old, new = read_result(old_path), read_result(new_path)
    old_cases = {_key(c): c for c in old["cases"]}
    new_cases = {_key(c): c for c in new["cases"]}
    flips = []
    for key in list(old_cases) + [k for k in new_cases if k not in old_cases]:
        a, b = old_cases.get(key), new_cases.get(key)
        sa, sb = (a or {}).get("status"), (b or {}).get("status")
        if sa != sb:
            kind = (b or a)["kind"]
            flips.append(Flip(key[0], key[1], kind, sa, sb, _why(b) or _why(a)))
    return DiffReport(flips, old.get("totals", {}), new.get("totals", {}), _label(old, old_path), _label(new, new_path))


def _label(result: dict, path: Path) -> str:
    return f"{Path(path).name} ({result.get('model', '?')}, {result.get('started', '?')})"


def _status(status: str | None) -> str:
    return STATUS_LABEL.get(status, status) if status else "无"


def _rate(totals: dict | None) -> str:
    return f"{totals['passed']}/{totals['total']} ({totals['pass_rate']:.1%})" if totals else "—"


def format_diff(report: DiffReport) -> str:
    lines = [f"旧: {report.old_label}", f"新: {report.new_label}", ""]
    if not report.flips:
        lines.append("没有用例改变结果。")
    else:
        lines.append(f"{len(report.flips)} 个用例改变了结果(其中变差 {len(report.regressions)} 个):")
        for f in sorted(report.flips, key=lambda f: (not f.regression, f.suite, f.id)):
            mark = "↓" if f.regression else ("↑" if f.new == "pass" else "·")
            lines.append(f"  {mark} {f.suite}/{f.id} [{f.kind}] {_status(f.old)} → {_status(f.new)}  {f.why}".rstrip())
    lines.append("")
    lines.append("通过率:")
    for kind in sorted(set(report.old_totals) | set(report.new_totals), key=lambda k: (k != "all", k)):
        o, n = report.old_totals.get(kind), report.new_totals.get(kind)
        lines.append(f"  {'全部' if kind == 'all' else kind}: {_rate(o)} → {_rate(n)}")
    return "\n".join(lines)
