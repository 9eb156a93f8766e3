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
# Where each command is registered, so `assistant search …` imports one module instead of all of them
# (the model and ui modules alone cost ≈1.5 s of start-up on a 2-core machine). A command not listed
# still works: then every module is imported, as for `assistant --help`.
COMMAND_HOME = {
    "ingest": "assistant.cli.library", "reports": "assistant.cli.library", "show": "assistant.cli.library",
    "library": "assistant.cli.library", "search": "assistant.cli.search", "remove": "assistant.cli.search",
    "model": "assistant.cli.model", "ask": "assistant.cli.answers", "summarize": "assistant.cli.answers",
    "compare": "assistant.cli.answers", "draft": "assistant.cli.drafting", "track": "assistant.cli.drafting",
    "eval": "assistant.cli.evals", "ui": "assistant.cli.ui",
}


def _command(argv: list[str] | None) -> str | None:
    """The command word of ``argv`` (None when absent, or when --help asks before it for the full list)."""
    for arg in argv or []:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given the command line, only the module of its command is imported."""
    command = _command(argv)
    modules = (COMMAND_HOME[command],) if command in COMMAND_HOME else COMMAND_MODULES
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="法治政府建设年度报告助手 — 检索、问答(带出处)、摘要、起草下一年度报告",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a real missing dependency inside the module: say so
                raise
            continue
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
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
