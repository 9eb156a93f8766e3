"""The title/opening suites over openings.tsv: generated files are current, a refusal passes only where
the head does not name the body, and a wrong body never passes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from assistant.errors import BadInput
from assistant.settings import get_settings
from evals.suite import load_suite
from evals.targets import EvalContext, run_metadata

REPO = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("render_openings", REPO / "evals" / "corpus" / "render_openings.py")
render_openings = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(render_openings)


def test_generated_heads_and_suites_are_current():
    assert render_openings.write(check=True) == 0


def test_suites_cover_every_row_in_two_halves():
    rows = render_openings.rows()
    fit, held = (load_suite(REPO / "evals" / "suites" / f"{name}.yaml") for name in render_openings.SUITE_NAMES.values())
    assert len(fit.cases) + len(held.cases) == len(rows) >= 180
    assert all(int(c.id[-3:]) % 2 == 1 for c in fit.cases) and all(int(c.id[-3:]) % 2 == 0 for c in held.cases)
    site_only = [c for c in fit.cases + held.cases if c.expect.refusal_ok]
    assert 0 < len(site_only) < len(rows) // 5


def test_refusal_passes_only_where_allowed_and_a_wrong_body_never(tmp_path):
    ctx = EvalContext(get_settings())
    suite = load_suite(REPO / "evals" / "suites" / "openings-fit.dev.v1.yaml")
    case = next(c for c in suite.cases if c.expect.refusal_ok)  # a head that says only 我乡 / 区政府
    obs = run_metadata(case, ctx)
    assert obs.output.get("refused") and all(c.passed for c in obs.checks)
    strict = case.model_copy(update={"expect": case.expect.model_copy(update={"refusal_ok": False})})
    with pytest.raises(BadInput):
        run_metadata(strict, ctx)
    named = next(c for c in suite.cases if not c.expect.refusal_ok)
    wrong = named.model_copy(update={"expect": named.expect.model_copy(update={"org": "某某镇", "refusal_ok": True})})
    assert not all(c.passed for c in run_metadata(wrong, ctx).checks)
