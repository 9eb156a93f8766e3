"""``assistant ui [--host H] [--port P] [--insecure-no-auth]``: open the Gradio UI.

It binds 127.0.0.1 unless told otherwise, and refuses any other address without ASSISTANT_UI_USERNAME and
ASSISTANT_UI_PASSWORD (``ui.access.check_bind``) unless --insecure-no-auth is given, which prints the risk."""

from __future__ import annotations

import argparse
import sys

from assistant.errors import BadInput
from assistant.settings import get_settings

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("ui", help="打开网页界面(对话、起草、报告库、摘要、评测)")
    parser.add_argument("--host", default=None, help="监听地址(默认 ASSISTANT_UI_HOST 或 127.0.0.1;其他地址会对外开放)")
    parser.add_argument("--port", type=int, default=None, help="端口(默认 ASSISTANT_UI_PORT 或 7860)")
    parser.add_argument(
        "--insecure-no-auth", action="store_true",
        help="允许在非本机地址上无密码开放界面(不安全: 网络中任何人都能查看和删除报告)",
    )
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
    from ui.access import check_bind

    risk = check_bind(settings, args.insecure_no_auth)  # refuses an exposed address without a login
    if risk:
        print(risk, file=sys.stderr, flush=True)
    from ui.app import build_demo, launch_kwargs, queue

    # settings=None when nothing was overridden, so the UI shares assistant.runtime's library and model.
    demo = build_demo(None if settings is get_settings() else settings)
    print(f"界面地址: http://{ui.host}:{ui.port}  (Ctrl-C 退出)", file=sys.stderr, flush=True)
    queue(demo, settings).launch(**launch_kwargs(settings, args.insecure_no_auth), quiet=True)
    return 0
