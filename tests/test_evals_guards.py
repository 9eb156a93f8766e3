"""The eval result counts, per guard, the answers it overturned (and how many of those cases failed), and
per route how many passed; the qa target records the model's raw reply for offline replays."""

from __future__ import annotations

from evals.checks import CheckOutcome
from evals.results import CaseResult, RunResult, format_table, guard_totals, route_totals


def case(id: str, status: str, guard: str = "", action: str = "", route: str = "single") -> CaseResult:
    output = {"text": "…", "guard": guard, "guard_action": action, "route": route, "reply": "raw"}
    return CaseResult("s.dev.v1", id, "qa", status, {}, output, checks=[CheckOutcome("contains", status == "pass")])


def test_overturns_are_counted_per_guard_and_route():
    cases = [
        case("a", "pass", "scope", "refused", "scope"),
        case("b", "fail", "invented_count", "refused"),
        case("c", "pass", "invented_count", "quoted"),
        case("d", "pass", "echo", "repaired"),
        case("e", "pass"),
        case("f", "pass", route="meta"),
    ]
    guards = guard_totals(cases)
    assert guards["invented_count"] == {"acted": 2, "failed": 1, "refused": 1, "quoted": 1}
    assert guards["scope"] == {"acted": 1, "failed": 0, "refused": 1} and guards["echo"]["repaired"] == 1
    assert route_totals(cases)["single"] == {"total": 4, "passed": 3} and route_totals(cases)["meta"]["passed"] == 1
    run = RunResult(cases, [], "fake", {}, "h", "now", 1.0)
    data = run.to_dict()
    assert data["guards"] == guards and data["routes"]["scope"] == {"total": 1, "passed": 1}
    table = format_table(run)
    assert "invented_count 2(1)" in table and "single 3/4" in table


def test_no_guard_no_counts():
    assert guard_totals([case("a", "pass")]) is None
