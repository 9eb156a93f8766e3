"""bench/bench_answers.py --replay: today's checks over the replies an eval run recorded, no model."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fake_library import sample_library

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_answers.py"


def bench():
    import sys

    spec = importlib.util.spec_from_file_location("bench_answers", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_answers"] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def test_replay_reruns_the_guards_and_reports_a_right_figure_overturned():
    b = bench()
    lib = sample_library()
    chunk = next(c for c in lib.chunks() if "930件" in c.text)
    from assistant.types import Evidence

    ev_id = Evidence.make_id(chunk.id)
    cases = [
        b.Case("right", "泾源县2024年调解矛盾纠纷多少件?", ["930"], [("泾源县", 2024)]),
        b.Case("header", "泾源县2024年调解矛盾纠纷多少件?", ["930"], [("泾源县", 2024)]),
        b.Case("old", "泾源县2024年调解矛盾纠纷多少件?", ["930"], [("泾源县", 2024)]),
        b.Case("invented", "柱山乡2024年办理法律援助案件多少件?", [], [], refuses=True),
    ]
    data = {"cases": [
        {"id": "right", "kind": "qa", "output": {"reply": f"[{ev_id}] 泾源县2024年调解矛盾纠纷930件。", "route": "single"}},
        {"id": "header", "kind": "qa", "output": {"reply": f"泾源县 2024年 · 举措成效 · 一、主要举措和成效中提到,调解930件[{ev_id}]。"}},
        # written before replies were kept: rebuilt from the text and its citations
        {"id": "old", "kind": "qa", "output": {"text": "调解矛盾纠纷930件[1]。"}, "citations": [{"chunk_id": chunk.id, "org": "泾源县", "year": 2024}]},
        {"id": "invented", "kind": "qa", "output": {"reply": "柱山乡2024年办理法律援助案件7件。"}},
    ]}
    outcomes, did = b.replayed_eval_run(data, cases, lib, 8192)
    by_id = {o.id: o for o in outcomes}
    assert by_id["right"].right_figure and by_id["header"].right_figure and by_id["old"].right_figure
    assert by_id["header"].answer.startswith("调解930件") and by_id["invented"].refusal_ok
    assert did["guards"] == {"echo": 1, "invented_count": 1} and did["right_figure_overturned"] == []
