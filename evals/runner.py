"""Run suites: build each suite's context (a fresh temporary library for a suite with ``corpus``),
run its cases — concurrently against an endpoint that allows it, one at a time against the local
model — and collect a RunResult. A case that raises is recorded as an error and the run goes on.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.redact import redact, redact_url
from assistant.settings import Settings
from evals.results import CaseResult, RunResult, retrieval_metrics, status_of
from evals.suite import MetadataCase, Suite
from evals.targets import TARGETS, EvalContext, Target

log = logging.getLogger(__name__)

OnResult = Callable[[CaseResult], None]


def settings_for_model(settings: Settings, spec: str | None) -> Settings:
    """Apply ``--model``: ``local:0.5b`` / ``local:1.5b`` (bundled GGUF), ``local:/path/model.gguf`` (own GGUF),
    or a model name at the configured endpoint (``ASSISTANT_LLM_BASE_URL``)."""
    if not spec:
        return settings
    if spec.startswith("local:"):
        what = spec.removeprefix("local:")
        if what in ("0.5b", "1.5b"):
            llm = settings.llm.model_copy(update={"base_url": None, "model": None, "local_size": what, "local_path": None})
        elif what.endswith(".gguf"):
            path = Path(what).expanduser()
            if not path.is_file():
                raise AssistantError(f"--model {spec}: 找不到 GGUF 文件 {path}")
            llm = settings.llm.model_copy(update={"base_url": None, "model": None, "local_path": path})
        else:
            raise AssistantError(f"--model {spec}: 本地模型只能是 local:0.5b、local:1.5b 或 local:/路径/模型.gguf")
        return settings.model_copy(update={"llm": llm})
    if not settings.llm.base_url:
        raise AssistantError(
            f"--model {spec}: 这是接口上的模型名,但没有配置接口地址。请设置 ASSISTANT_LLM_BASE_URL(及 ASSISTANT_LLM_API_KEY),"
            "或用 local:0.5b / local:1.5b 选择本地模型"
        )
    return settings.model_copy(update={"llm": settings.llm.model_copy(update={"model": spec})})


def model_label(settings: Settings) -> str:
    llm = settings.llm
    if llm.base_url:
        return f"{llm.model} @ {redact_url(llm.base_url)}"
    return f"local:{llm.local_path}" if llm.local_path else f"local:{llm.local_size}"


def effective_concurrency(settings: Settings) -> int:
    """Parallel cases: the endpoint's allowance; the embedded local model serves one request at a time."""
    return settings.llm.concurrency if settings.llm.base_url else 1


def run_case(suite: Suite, case: Any, ctx: EvalContext, targets: dict[str, Target], judge: Any = None) -> CaseResult:
    result = CaseResult(suite=suite.name, id=case.id, kind=case.kind, status="error", inputs=case_inputs(case))
    started = time.perf_counter()
    try:
        obs = targets[case.kind](case, ctx)
        result.output, result.citations, result.checks, result.rank = obs.output, obs.citations, obs.checks, obs.rank
        result.status = status_of(obs.checks)
        if judge is not None and obs.answer is not None:
            result.judge = judge.grade(obs.answer)
    except Exception as exc:  # noqa: BLE001 — one case's crash must not end the run; it is recorded
        log.debug("case %s crashed", case.id, exc_info=True)
        result.status, result.error = "error", redact(f"{type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - started
    return result


def case_inputs(case: Any) -> dict:
    data = case.model_dump(mode="json", exclude={"expect", "id", "kind", "note"}, exclude_none=True)
    data["expect"] = case.expect.model_dump(mode="json", exclude_defaults=True)
    return data


def run_suite(
    suite: Suite,
    ctx: EvalContext,
    *,
    concurrency: int = 1,
    targets: dict[str, Target] = TARGETS,
    judge: Any = None,
    on_result: OnResult | None = None,
    only: set[str] | None = None,
) -> list[CaseResult]:
    """Every case of ``suite`` (or those in ``only``), results in suite order."""
    cases = [c for c in suite.cases if only is None or c.id in only]

    def one(case: Any) -> CaseResult:
        result = run_case(suite, case, ctx, targets, judge)
        if on_result:
            on_result(result)
        return result

    if concurrency <= 1 or len(cases) <= 1:
        return [one(c) for c in cases]
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="eval") as pool:
        return list(pool.map(one, cases))


def _temporary_library(corpus: Path, settings: Settings, stack: contextlib.ExitStack) -> Any:
    """A fresh library in a temp data home with ``corpus`` ingested; removed when the run ends."""
    from assistant.ingest import ingest_paths
    from vectorstore import open_library

    home = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="assistant-eval-")))
    temp_settings = settings.model_copy(
        update={
            "home": home,
            "models": settings.models_dir,  # keep finding the installed GGUF models
            "chroma": settings.chroma.model_copy(update={"host": None}),  # embedded: never touch a shared server
        }
    )
    library = open_library(temp_settings)
    summary = ingest_paths(library, [corpus], progress=False)
    if summary.failed or not library.catalog():
        # A suite's cases are written against the whole corpus: a missing report would fail them for the
        # wrong reason, so a corpus that does not import completely stops the run with the cause.
        reasons = "; ".join(r.reason for r in summary.failed) or "没有可读的报告"
        raise AssistantError(f"评测语料 {corpus} 导入失败: {reasons}")
    log.info("eval corpus %s: %s", corpus, summary.describe())
    return library


def run_suites(
    suites: Sequence[Suite],
    settings: Settings,
    *,
    model: Any = None,
    library: Any = None,
    targets: dict[str, Target] = TARGETS,
    judge: Any = None,
    concurrency: int | None = None,
    on_result: OnResult | None = None,
    only: set[str] | None = None,
) -> RunResult:
    """Run ``suites`` in order. ``model``/``library`` are injected by tests; otherwise the model comes from
    the settings and the library is the configured one, or a temporary one per ``corpus``."""
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    started = time.perf_counter()
    workers = concurrency or effective_concurrency(settings)
    model_factory = None
    if model is None:
        from assistant.llm import get_chat_model

        model_factory = _once(lambda: get_chat_model(settings))
    configured_library = _once(lambda: _open_configured(settings)) if library is None else (lambda: library)

    results: list[CaseResult] = []
    suite_info: list[dict] = []
    with contextlib.ExitStack() as stack:
        corpus_libraries: dict[Path, Any] = {}  # one ingestion per corpus, shared by suites that name it

        def library_for(suite: Suite) -> Callable[[], Any]:
            if suite.corpus is None or library is not None:
                return configured_library
            if suite.corpus not in corpus_libraries:
                corpus_libraries[suite.corpus] = _once(lambda: _temporary_library(suite.corpus, settings, stack))
            return corpus_libraries[suite.corpus]

        for suite in suites:
            ctx = EvalContext(settings, model=model, model_factory=model_factory, library_factory=library_for(suite))
            setup_started = time.perf_counter()
            if any(not isinstance(c, MetadataCase) for c in suite.cases if only is None or c.id in only):
                # Ingest the corpus (or open the library) before the clock of the first case starts;
                # a failure here is remembered and reported by every case that needs the library.
                with contextlib.suppress(Exception):
                    ctx.library  # noqa: B018 — built for its side effect
            setup_seconds = time.perf_counter() - setup_started
            # A metadata-only suite parses files locally: nothing to gain from threads.
            suite_workers = workers if any(not isinstance(c, MetadataCase) for c in suite.cases) else 1
            suite_results = run_suite(
                suite, ctx, concurrency=suite_workers, targets=targets, judge=judge, on_result=on_result, only=only
            )
            results += suite_results
            suite_info.append(
                {
                    "name": suite.name, "version": suite.version, "path": str(suite.path),
                    "corpus": str(suite.corpus) if suite.corpus else None, "cases": len(suite_results),
                    "setup_seconds": round(setup_seconds, 2),
                    "retrieval": retrieval_metrics(suite_results),
                }
            )
    model_name = getattr(model, "name", None) or model_label(settings)
    return RunResult(
        cases=results, suites=suite_info, model=model_name, settings=settings.fingerprint(),
        settings_hash=settings.fingerprint_hash(), started=started_at, wall_seconds=time.perf_counter() - started,
    )


def _open_configured(settings: Settings) -> Any:
    from vectorstore import open_library

    return open_library(settings)


def _once(factory: Callable[[], Any]) -> Callable[[], Any]:
    """Call ``factory`` at most once; later calls return the same object (or re-raise the same error)."""
    cell: dict[str, Any] = {}

    def get() -> Any:
        if "value" not in cell and "error" not in cell:
            try:
                cell["value"] = factory()
            except Exception as exc:  # noqa: BLE001 — remembered so every case reports the same cause
                cell["error"] = exc
        if "error" in cell:
            raise cell["error"]
        return cell["value"]

    return get
