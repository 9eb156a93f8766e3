"""The ``assistant`` command. Each group of subcommands lives in its own module with a ``register``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from assistant.errors import AssistantError
from assistant.redact import redact, redact_logging

# Modules that add subcommands; each has register(subparsers). Missing ones are skipped so a partial
# install still gives a working CLI for what is there.
COMMAND_MODULES = (
    "assistant.cli.library",  # ingest, reports, show
    "assistant.cli.search",  # search, remove
    "assistant.cli.model",  # model install / model status
    "assistant.cli.answers",  # ask, summarize, compare
    "assistant.cli.drafting",  # draft, track
    "assistant.cli.evals",  # eval run / eval diff
    "assistant.cli.ui",  # ui
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="法治政府建设年度报告助手 — 检索、问答(带出处)、摘要、起草下一年度报告",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module: say so
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    redact_logging()  # --debug shows httpx request lines, which carry a key written into the URL
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except AssistantError as exc:
        print(f"错误: {redact(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
