"""The runner: targets wired to checks, concurrency, crashes recorded as errors, totals and metrics."""

from __future__ import annotations

import threading
import time
import types

from evals_fakes import citation, hit

from assistant.settings import Settings
from assistant.types import Answer, SearchFilter
from evals.results import format_table
from evals.runner import effective_concurrency, run_suites, settings_for_model
from evals.suite import Suite, load_suite
from evals.targets import EvalContext, Observation, run_qa, run_retrieval

REFUSAL = "根据现有报告无法回答该问题。"


def qa_suite(tmp_path, n: int = 3, extra: str = "") -> Suite:
    cases = "".join(f"  - {{id: q{i}, kind: qa, question: 问题{i}, expect: {{contains: ok}}}}\n" for i in range(n))
    path = tmp_path / "t.dev.v1.yaml"
    path.write_text(f"name: t.dev.v1\ncases:\n{cases}{extra}", encoding="utf-8")
    return load_suite(path)


class SlowEndpointModel:
    """Stands in for an endpoint: each call takes a while and records when it ran."""

    name = "fake-endpoint"
    context_window = 8192

    def __init__(self, seconds: float = 0.2) -> None:
        self.seconds, self.spans, self.lock = seconds, [], threading.Lock()

    def complete(self, messages, **kw) -> str:
        start = time.perf_counter()
        time.sleep(self.seconds)
        with self.lock:
            self.spans.append((start, time.perf_counter()))
        return "ok"


def model_target(case, ctx: EvalContext) -> Observation:
    from evals.checks import check_contains

    text = ctx.model.complete([{"role": "user", "content": case.question}])
    return Observation({"text": text}, [check_contains(text, case.expect.contains)])


def overlapping(spans) -> bool:
    spans = sorted(spans)
    return any(b_start < a_end for (_, a_end), (b_start, _) in zip(spans, spans[1:]))


def endpoint_settings(concurrency: int) -> Settings:
    return Settings(llm={"base_url": "http://127.0.0.1:9/v1", "model": "m", "concurrency": concurrency})


def test_cases_overlap_against_an_endpoint_that_allows_it(tmp_path):
    model = SlowEndpointModel()
    run = run_suites([qa_suite(tmp_path)], endpoint_settings(3), model=model, library=object(), targets={"qa": model_target})
    assert [c.id for c in run.cases] == ["q0", "q1", "q2"]  # suite order kept
    assert all(c.passed for c in run.cases)
    assert overlapping(model.spans)


def test_cases_run_one_at_a_time_with_concurrency_one_or_the_local_model(tmp_path):
    for settings in (endpoint_settings(1), Settings(llm={"concurrency": 4})):  # local model: always 1
        model = SlowEndpointModel(0.05)
        run_suites([qa_suite(tmp_path)], settings, model=model, library=object(), targets={"qa": model_target})
        assert len(model.spans) == 3 and not overlapping(model.spans)
    assert effective_concurrency(Settings(llm={"concurrency": 4})) == 1


def test_a_crashing_case_is_an_error_and_the_run_goes_on(tmp_path):
    def target(case, ctx):
        if case.id == "q1":
            raise ValueError("检索服务断开")
        return model_target(case, ctx)

    run = run_suites([qa_suite(tmp_path)], endpoint_settings(2), model=SlowEndpointModel(0.01), library=object(), targets={"qa": target})
    statuses = {c.id: c.status for c in run.cases}
    assert statuses == {"q0": "pass", "q1": "error", "q2": "pass"}
    crashed = run.cases[1]
    assert crashed.error == "ValueError: 检索服务断开" and not crashed.passed
    assert run.totals["qa"] == {"total": 3, "passed": 2, "failed": 0, "errors": 1, "pass_rate": 0.6667}
    assert "检索服务断开" in format_table(run)


def test_failed_check_fails_the_case_with_its_reason(tmp_path):
    class Wrong(SlowEndpointModel):
        def complete(self, messages, **kw):
            return "no"

    run = run_suites([qa_suite(tmp_path, 1)], Settings(), model=Wrong(), library=object(), targets={"qa": model_target})
    assert run.cases[0].status == "fail" and "缺少: ok" in run.cases[0].why()
    data = run.to_dict()
    assert data["cases"][0]["checks"] == [{"name": "contains", "passed": False, "detail": "缺少: ok"}]
    assert data["settings_hash"] == Settings().fingerprint_hash() and "llm" in data["settings"]


def test_retrieval_metrics_recall_and_mrr(tmp_path):
    path = tmp_path / "r.dev.v1.yaml"
    path.write_text(
        "name: r.dev.v1\ncases:\n"
        "  - {id: first, kind: retrieval, question: 路灯, expect: {in_top_k: 1, chunk_contains: 路灯改造}}\n"
        "  - {id: third, kind: retrieval, question: 调解, expect: {in_top_k: 5, chunk_contains: 930件}}\n"
        "  - {id: none, kind: retrieval, question: 复议, expect: {in_top_k: 5, chunk_contains: 不存在}}\n",
        encoding="utf-8",
    )

    class Library:
        def catalog(self):
            return []

        def search(self, question, filter=None, k=8, infer=True):
            hits = [hit("启秀绿地路灯改造工程方案"), hit("调解组织122个"), hit("调解矛盾纠纷930件")]
            return types.SimpleNamespace(hits=hits[:k], filter=SearchFilter(inferred=True))

    run = run_suites([load_suite(path)], Settings(), model=object(), library=Library(), targets={"retrieval": run_retrieval})
    assert [c.rank for c in run.cases] == [1, 3, None]
    assert [c.status for c in run.cases] == ["pass", "pass", "fail"]
    metrics = run.suites[0]["retrieval"]
    assert metrics["recall@1"] == 0.3333 and metrics["recall@3"] == 0.6667 and metrics["recall@10"] == 0.6667
    assert metrics["mrr"] == round((1 + 1 / 3) / 3, 4)
    assert "MRR" in format_table(run)


def test_qa_target_runs_every_requested_check(tmp_path, monkeypatch):
    """run_qa calls assistant.answers.pipeline.answer and applies contains/sources/grounded_numbers/refuses to its Answer."""
    answers = {
        "泾源县调解多少件?": Answer("泾源县调解多少件?", "泾源县2024年调解矛盾纠纷930件[1]。",
                              [citation("全年调解矛盾纠纷930件,矛盾纠纷化解率96.77%")], []),
        "荆家镇复议多少件?": Answer("荆家镇复议多少件?", REFUSAL, [], [], refused=True),
        "吉昌镇调解多少件?": Answer("吉昌镇调解多少件?", "共调解200件[1]。", [citation("排查化解各类矛盾纠纷186件", "吉昌镇")], []),
    }
    monkeypatch.setattr("assistant.answers.citations.REFUSAL", REFUSAL)
    monkeypatch.setattr("assistant.answers.pipeline.answer",
                        lambda question, *, library, model, history=None, filter=None: answers[question])
    extra = (
        "  - {id: good, kind: qa, question: '泾源县调解多少件?', expect: {contains: [930], sources: [{org: 泾源县, year: 2024}], grounded_numbers: true}}\n"
        "  - {id: refuse, kind: qa, question: '荆家镇复议多少件?', expect: {refuses: true}}\n"
        "  - {id: invented, kind: qa, question: '吉昌镇调解多少件?', expect: {sources: [{org: 吉昌镇}], grounded_numbers: true}}\n"
    )
    run = run_suites([qa_suite(tmp_path, 0, extra)], Settings(), model=object(), library=object(), targets={"qa": run_qa})
    good, refuse, invented = run.cases
    assert good.passed and [c.name for c in good.checks] == ["contains", "sources", "grounded_numbers"]
    assert good.citations[0]["org"] == "泾源县" and good.output["text"].startswith("泾源县")
    assert refuse.passed
    assert invented.status == "fail" and "200件" in invented.why()


def test_settings_for_model():
    assert settings_for_model(Settings(), "local:0.5b").llm.local_size == "0.5b"
    endpoint = Settings(llm={"base_url": "http://127.0.0.1:9/v1", "model": "a"})
    assert settings_for_model(endpoint, "deepseek-chat").llm.model == "deepseek-chat"
    assert settings_for_model(endpoint, "local:1.5b").llm.base_url is None
    import pytest

    from assistant.errors import AssistantError

    with pytest.raises(AssistantError, match="ASSISTANT_LLM_BASE_URL"):
        settings_for_model(Settings(), "deepseek-chat")
    with pytest.raises(AssistantError, match="local:0.5b"):
        settings_for_model(Settings(), "local:7b")


def test_draft_target_checks_the_drafts_text_coverage_and_figures(tmp_path, monkeypatch):
    """run_draft hands org/year/material to drafting and checks the Draft it returns against last year's report."""
    from evals_fakes import report

    from assistant.types import CoverageRow, Draft, DraftParagraph, DraftSection, Part

    last = report("徐行镇", 2024, "(一)普法责任不够明确。组织执法队员培训12次。", [(Part.SHORTCOMINGS, "(一)普法责任不够明确。")])
    material = tmp_path / "notes.txt"
    material.write_text("2025年调解矛盾纠纷412件。", encoding="utf-8")
    calls = []

    def draft_report(org, year, *, library, model, material=(), peers=None, on_event=None):
        calls.append((org, year, list(material)))
        plans = DraftParagraph("制定普法责任清单,明确各部门普法责任。", heading="压实普法责任")
        measures = DraftParagraph("调解矛盾纠纷412件,组织培训15次。")
        return Draft(org, year, f"{org}{year}年法治政府建设情况报告", last.id,
                     [DraftSection(Part.MEASURES, "一、2025年主要举措和成效", [measures]),
                      DraftSection(Part.PLANS, "四、2026年主要安排", [plans])],
                     [CoverageRow(last.items[0], ["压实普法责任"], [])])

    monkeypatch.setattr("assistant.drafting.draft_report", draft_report)

    class Library:
        def reports(self):
            return [last, report("泾源县", 2024, "x")]

        def catalog(self):
            from vectorstore.catalog import catalog_entry

            return [catalog_entry(r) for r in self.reports()]

        def get(self, ref):
            assert ref == last.id
            return last

    path = tmp_path / "d.dev.v1.yaml"
    path.write_text(
        "name: d.dev.v1\ncases:\n  - id: d\n    kind: draft\n    org: 徐行镇\n    year: 2025\n    material: notes.txt\n"
        "    expect: {covers_shortcomings: true, no_foreign_orgs: true, grounded_numbers: true, sections: [举措成效, 安排, 不足]}\n",
        encoding="utf-8",
    )
    from evals.targets import run_draft

    run = run_suites([load_suite(path)], Settings(), model=object(), library=Library(), targets={"draft": run_draft})
    case = run.cases[0]
    assert calls == [("徐行镇", 2025, [material.resolve()])]
    outcomes = {c.name: c.passed for c in case.checks}
    # 15次 is in neither last year's report nor the material; 不足 section is missing
    assert outcomes == {"sections": False, "no_foreign_orgs": True, "covers_shortcomings": True, "grounded_numbers": False}
    assert "15次" in case.why() and "不足" in case.why()
    assert case.output["coverage"] == [{"shortcoming": "不足-1", "measures": ["压实普法责任"]}]


def test_draft_target_counts_what_a_reviewer_would_strike_and_unused_material(tmp_path, monkeypatch):
    """The reviewer's checks are expect keys: each fails while its check still finds something in the final
    text; review_left / review_repaired / unused_figures are in the case output."""
    from evals_fakes import report

    from assistant.types import Draft, DraftParagraph, DraftSection, Part, ReviewNote

    last = report("徐行镇", 2024, "(一)普法责任不够明确。", [(Part.SHORTCOMINGS, "(一)普法责任不够明确。")])
    material = tmp_path / "notes.txt"
    material.write_text("调解矛盾纠纷412件。\n培训调解员120人次。\n", encoding="utf-8")

    def draft_report(org, year, *, library, model, material=(), peers=None, on_event=None):
        para = DraftParagraph("我县调解矛盾纠纷412件，开展培训若干次。",
                              review=[ReviewNote("prompt_wording", "删除照抄提示语的字句 1 处")])
        return Draft(org, year, "t", last.id, [DraftSection(Part.MEASURES, "一、2025年主要举措和成效", [para])],
                     unused_figures=["培训调解员120人次(notes.txt 第2段)"])

    monkeypatch.setattr("assistant.drafting.draft_report", draft_report)

    class Library:
        def reports(self):
            return [last]

        def get(self, ref):
            return last

    path = tmp_path / "d.dev.v1.yaml"
    path.write_text(
        "name: d.dev.v1\ncases:\n  - id: d\n    kind: draft\n    org: 徐行镇\n    year: 2025\n    material: notes.txt\n"
        "    expect: {self_reference: true, vague_quantity: true, prompt_wording: true, material_figures: true}\n",
        encoding="utf-8",
    )
    from evals.targets import run_draft

    case = run_suites([load_suite(path)], Settings(), model=object(), library=Library(), targets={"draft": run_draft}).cases[0]
    outcomes = {c.name: c.passed for c in case.checks}
    assert outcomes == {"self_reference": False, "vague_quantity": False, "prompt_wording": True, "material_figures": True}
    assert "仍有 1 段" in case.why()
    assert case.output["review_left"]["self_reference"] == 1 and case.output["review_left"]["prompt_wording"] == 0
    assert case.output["review_repaired"]["prompt_wording"] == 1
    assert case.output["unused_figures"] == ["培训调解员120人次(notes.txt 第2段)"]
    detail = next(c.detail for c in case.checks if c.name == "material_figures")
    assert detail == "材料数字 2 个: 写入 1,列为未用 1"
