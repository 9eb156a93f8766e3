"""``assistant eval run SUITE.yaml... [--model …] [--json OUT] [--min-pass 0.9]`` and ``assistant eval diff OLD NEW``.

``--model`` picks the chat model for the run:
  local:0.5b / local:1.5b      the bundled Qwen2.5-Coder GGUF (cases run one at a time)
  local:/path/to/model.gguf    a GGUF file of your own
  NAME                         model NAME at the configured endpoint (ASSISTANT_LLM_BASE_URL, ASSISTANT_LLM_API_KEY);
                               cases run ASSISTANT_LLM_CONCURRENCY at a time
Exit status: 0 when the pass rate reaches --min-pass and no case errored; 1 otherwise; 2 for unusable input.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from assistant.errors import AssistantError

EPILOG = __doc__.split("\n", 2)[2]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("eval", help="评测: 运行评测集、比较两次结果", description="评测: 运行评测集、比较两次结果")
    sub = parser.add_subparsers(dest="eval_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: _help(parser))

    run = sub.add_parser(
        "run", help="运行一个或多个评测集(YAML)", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    run.add_argument("suites", nargs="+", type=Path, metavar="SUITE.yaml")
    run.add_argument("--model", help="local:0.5b | local:1.5b | local:/路径/模型.gguf | 接口上的模型名")
    run.add_argument("--json", dest="json_out", type=Path, metavar="OUT", help="把机器可读的结果写入此 JSON 文件")
    run.add_argument("--min-pass", type=float, default=1.0, metavar="RATE", help="通过率低于此值时退出码为 1(默认 1.0)")
    run.add_argument("--case", dest="cases", action="append", metavar="ID", help="只运行这些用例(可重复)")
    run.add_argument("--concurrency", type=int, metavar="N", help="并发用例数(默认: 接口为 ASSISTANT_LLM_CONCURRENCY,本地模型为 1)")
    run.add_argument("--quiet", action="store_true", help="不逐条打印进度")
    run.set_defaults(func=cmd_run)

    diff = sub.add_parser("diff", help="比较两次结果文件,列出改变结果的用例(有变差时退出码为 1)")
    diff.add_argument("old", type=Path, metavar="OLD.json")
    diff.add_argument("new", type=Path, metavar="NEW.json")
    diff.set_defaults(func=cmd_diff)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def cmd_run(args: argparse.Namespace) -> int:
    from assistant.settings import get_settings
    from evals.judge import judge_from_settings
    from evals.results import STATUS_LABEL, RunResult, format_table
    from evals.runner import model_label, run_suites, settings_for_model
    from evals.suite import load_suite

    if not 0.0 <= args.min_pass <= 1.0:
        raise AssistantError(f"--min-pass 必须在 0 到 1 之间,实际为 {args.min_pass}")
    if args.concurrency is not None and args.concurrency < 1:
        raise AssistantError("--concurrency 至少为 1")
    suites = [load_suite(p) for p in args.suites]  # every suite validated before anything runs
    only = set(args.cases) if args.cases else None
    if only:
        known = {c.id for s in suites for c in s.cases}
        if unknown := sorted(only - known):
            raise AssistantError(f"--case: 评测集中没有这些用例: {', '.join(unknown)}")
    settings = settings_for_model(get_settings(), args.model)
    total = sum(len([c for c in s.cases if only is None or c.id in only]) for s in suites)
    done = 0

    def progress(result) -> None:
        nonlocal done
        done += 1
        if not args.quiet:
            print(f"[{done}/{total}] {result.id} {STATUS_LABEL[result.status]} {result.seconds:.1f}s", file=sys.stderr, flush=True)

    finished: list = []
    started = time.perf_counter()

    def record(result) -> None:
        finished.append(result)
        progress(result)

    try:
        run = run_suites(suites, settings, judge=judge_from_settings(settings), concurrency=args.concurrency, on_result=record, only=only)
    except KeyboardInterrupt:
        # Hours of local-model work should not vanish with Ctrl-C: keep what finished.
        if args.json_out and finished:
            partial = RunResult(finished, [], model_label(settings), settings.fingerprint(), settings.fingerprint_hash(),
                                "interrupted", time.perf_counter() - started)
            partial.write_json(args.json_out)
            print(f"已中断;已完成的 {len(finished)} 个用例写入 {args.json_out}", file=sys.stderr)
        raise
    print(format_table(run))
    if args.json_out:
        run.write_json(args.json_out)
        print(f"结果已写入 {args.json_out}")
    if run.errors:
        print(f"未通过: {run.errors} 个用例出错", file=sys.stderr)
        return 1
    if run.pass_rate < args.min_pass:
        print(f"未通过: 通过率 {run.pass_rate:.1%} 低于 --min-pass {args.min_pass:.1%}", file=sys.stderr)
        return 1
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from evals.diff import diff_results, format_diff

    report = diff_results(args.old, args.new)
    print(format_diff(report))
    return 1 if report.regressions else 0
