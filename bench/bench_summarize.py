"""How long ``summarize`` takes with a local model, and what it gives: one report at a time.

    python bench/bench_summarize.py --size 1.5b                 # the five samples
    python bench/bench_summarize.py --size 1.5b --json bench-summarize.json samples/reports/2024-jingyuan-xian.txt
    python bench/bench_summarize.py --no-model --varied          # figures table only, samples + varied reports

Per report: seconds for the whole summary (model server already started; its start is printed apart),
prompt and generated tokens of the overview's model calls (from the call log), how many calls (a second one
when the first overview copied the report), the longest run of the report's words the overview repeats
(must stay ≤ summary.copy_max_chars), figure rows and rows whose 事项 is a fragment (tests/figure_label_check.py).
The machine may be shared: the load average is printed before and after each report.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # figure_label_check: the fragment definition the tests use

SAMPLES = sorted((REPO / "samples" / "reports").glob("*.txt"))
VARIED = REPO / "evals" / "corpus" / "varied"


@dataclass
class Row:
    report: str
    seconds: float
    model_calls: int
    prompt_tokens: int
    generated_tokens: int
    overview_chars: int
    copied_chars: int
    note: str
    figure_rows: int
    fragment_rows: int
    load_before: float
    load_after: float
    overview: str | None


def _load() -> float:
    return os.getloadavg()[0]


def _parse(path: Path):
    from assistant.errors import BadInput
    from assistant.ingest import parse_file

    try:
        return parse_file(path)
    except BadInput:  # a saved page whose body the metadata code cannot name: given as a user would
        sidecar = path.with_name(path.name + ".meta.yaml")
        if not sidecar.exists():
            raise
        import yaml

        return parse_file(path, overrides=yaml.safe_load(sidecar.read_text(encoding="utf-8")))


def summarize_one(path: Path, model, logs_dir: Path | None) -> Row:
    from assistant.answers.summarize import Summary, stream_summary
    from assistant.llm.calllog import read_calls
    from figure_label_check import fragment_rows

    report = _parse(path)
    calls_before = len(read_calls(logs_dir, 10_000)) if logs_dir else 0
    load_before, started, summary = _load(), time.monotonic(), None
    for item in stream_summary(report, model):
        if isinstance(item, Summary):
            summary = item
    seconds = time.monotonic() - started
    calls = read_calls(logs_dir, 10_000)[calls_before:] if logs_dir else []
    return Row(
        report.id, round(seconds, 1), len(calls),
        sum(c.get("prompt_tokens") or 0 for c in calls), sum(c.get("completion_tokens") or 0 for c in calls),
        len(summary.overview or ""), summary.overview_copied_chars, summary.overview_note,
        len(summary.figures), len(fragment_rows(summary.figures)), round(load_before, 1), round(_load(), 1),
        summary.overview,
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("reports", nargs="*", type=Path, help="report files (default: the five samples)")
    ap.add_argument("--size", choices=["1.5b", "0.5b"], default="1.5b", help="bundled local model")
    ap.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: the setting, 2)")
    ap.add_argument("--no-model", action="store_true", help="code-extracted parts only (no overview)")
    ap.add_argument("--varied", action="store_true", help="also the varied development reports")
    ap.add_argument("--json", type=Path, default=None, help="write every row here")
    args = ap.parse_args(argv)

    from assistant.settings import LLMSettings, Settings, default_home, get_settings

    paths = args.reports or list(SAMPLES)
    if args.varied:
        paths += sorted(p for p in VARIED.iterdir() if not p.name.endswith((".yaml", ".json")))
    model, logs_dir = None, None
    if not args.no_model:
        from assistant.llm import get_chat_model

        home = Path(tempfile.mkdtemp(prefix="bench-summarize-"))
        models_dir = get_settings().models_dir if get_settings().models else default_home() / "models"
        llm = LLMSettings(local_size=args.size, **({"threads": args.threads} if args.threads else {}))
        settings = Settings(home=home, models=models_dir, llm=llm)
        model, logs_dir = get_chat_model(settings), settings.logs_dir
        started = time.monotonic()
        model.client()  # starts the server
        print(f"model {model.name} · {llm.threads} threads · server start {time.monotonic() - started:.1f} s "
              f"· load {_load():.1f}", flush=True)

    from assistant.errors import BadInput

    rows: list[Row] = []
    for path in paths:
        try:
            row = summarize_one(path, model, logs_dir)
        except BadInput as exc:  # a report the metadata code cannot read: said, and the others still run
            print(f"{path.name}: skipped ({exc})", flush=True)
            continue
        rows.append(row)
        print(f"{row.report}: {row.seconds:.1f} s · calls {row.model_calls} · tokens {row.prompt_tokens} in / "
              f"{row.generated_tokens} out · overview {row.overview_chars} chars, copied ≤ {row.copied_chars} · "
              f"figures {row.figure_rows}, fragments {row.fragment_rows} · load {row.load_before}→{row.load_after}"
              + (f"\n    ({row.note})" if row.note else "") + (f"\n    {row.overview}" if row.overview else ""),
              flush=True)
    print(f"\n{len(rows)} reports · max {max(r.seconds for r in rows):.1f} s · "
          f"over 60 s: {sum(r.seconds > 60 for r in rows)} · fragment rows {sum(r.fragment_rows for r in rows)}"
          f"/{sum(r.figure_rows for r in rows)} · overviews {sum(r.overview_chars > 0 for r in rows)}"
          f" · longest copied run {max(r.copied_chars for r in rows)}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8")
    if model is not None:
        model.server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
