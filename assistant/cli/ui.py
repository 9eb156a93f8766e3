"""``assistant ui [--host H] [--port P]``: open the Gradio UI (binds 127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import argparse
import sys

from assistant.errors import BadInput
from assistant.settings import get_settings

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ui", help="打开网页界面(对话、起草、报告库、摘要、评测)")
    parser.add_argument("--host", default=None, help="监听地址(默认 ASSISTANT_UI_HOST 或 127.0.0.1;其他地址会对外开放)")
    parser.add_argument("--port", type=int, default=None, help="端口(默认 ASSISTANT_UI_PORT 或 7860)")
    parser.set_defaults(func=cmd_ui)


def settings_for(host: str | None, port: int | None):
    """The configured settings with --host/--port applied (validated like the settings themselves)."""
    settings = get_settings()
    update = {}
    if host:
        update["host"] = host
    if port is not None:
        if not 1 <= port <= 65535:
            raise BadInput(f"端口必须在 1–65535 之间,收到 {port}。")
        update["port"] = port
    if update:
        settings = settings.model_copy(update={"ui": settings.ui.model_copy(update=update)})
    return settings


def cmd_ui(args: argparse.Namespace) -> int:
    settings = settings_for(args.host, args.port)
    ui = settings.ui
    if ui.host not in LOCAL_HOSTS and not (ui.username and ui.password):
        print(
            f"警告: 界面监听 {ui.host},局域网内其他人也能打开;建议设置 ASSISTANT_UI_USERNAME 和 ASSISTANT_UI_PASSWORD。",
            file=sys.stderr,
        )
    from ui.app import build_demo, launch_kwargs, queue

    # settings=None when nothing was overridden, so the UI shares assistant.runtime's library and model.
    demo = build_demo(None if settings is get_settings() else settings)
    print(f"界面地址: http://{ui.host}:{ui.port}  (Ctrl-C 退出)", file=sys.stderr, flush=True)
    queue(demo, settings).launch(**launch_kwargs(settings), quiet=True)
    return 0
