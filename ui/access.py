"""Who may reach the UI: loopback only unless a login is set, and a limit on wrong passwords per client.

- ``check_bind``: an address other than loopback (127.0.0.0/8, ::1, localhost) is refused without
  ``ASSISTANT_UI_USERNAME`` and ``ASSISTANT_UI_PASSWORD``; ``insecure_no_auth`` overrides it and returns the risk
  to print. Anyone on the network could otherwise read every report and delete them.
- ``LoginThrottle``: ASGI middleware in front of Gradio's ``POST /login``. Gradio's ``auth`` callable gets only
  (username, password), never the request, so the client can only be seen here. A client (its IP address as
  the server sees it; behind a reverse proxy all users share the proxy's) that sent ``login_max_failures``
  wrong passwords within ``login_window_s`` gets HTTP 429 until the oldest of them is that old.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections import deque
from collections.abc import Callable

from assistant.errors import BadInput
from assistant.settings import Settings


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach. Hostnames other than localhost count as exposed."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(settings: Settings, insecure_no_auth: bool = False) -> str | None:
    """Raise ``BadInput`` for an exposed address without a login; return the risk text when overridden."""
    ui = settings.ui
    if is_loopback(ui.host) or (ui.username and ui.password and ui.password.get_secret_value()):
        return None
    risk = (f"界面将监听 {ui.host},没有设置用户名和密码:同一网络中的任何人都能打开界面,"
            f"查看全部报告、提问、导入和删除报告。")
    if insecure_no_auth:
        return f"警告: {risk}(已按 --insecure-no-auth 继续,风险自负)"
    raise BadInput(
        f"拒绝启动: {risk}请先设置 ASSISTANT_UI_USERNAME 和 ASSISTANT_UI_PASSWORD;"
        f"只在本机使用时请用 --host 127.0.0.1;确需无密码开放时加 --insecure-no-auth。"
    )


class LoginThrottle:
    """Pure ASGI middleware: count failed ``POST …/login`` per client IP, answer 429 past the limit."""

    def __init__(self, app, max_failures: int = 5, window_s: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.max_failures = max_failures
        self.window_s = window_s
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown",))[0]
        now = self.clock()
        failures = self._recent(client, now)
        if len(failures) >= self.max_failures:
            await self._refuse(send, self.window_s - (now - failures[0]))
            return
        status: dict[str, int] = {}

        async def watch(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, watch)
        if status.get("code") == 200:
            self._failures.pop(client, None)
        elif status.get("code") in (400, 401, 403):
            self._failures.setdefault(client, deque()).append(self.clock())

    def _recent(self, client: str, now: float) -> deque[float]:
        """The client's failures within the window; clients with none left are forgotten."""
        for key in list(self._failures):
            times = self._failures[key]
            while times and now - times[0] > self.window_s:
                times.popleft()
            if not times:
                del self._failures[key]
        return self._failures.get(client, deque())

    async def _refuse(self, send, retry_after: float) -> None:
        wait = max(1, int(retry_after + 0.999))
        body = json.dumps({"detail": f"密码错误次数过多,请 {wait} 秒后再试。"}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json; charset=utf-8"), (b"retry-after", str(wait).encode()),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def middleware(settings: Settings) -> list:
    """The middleware list for ``launch(app_kwargs={"middleware": …})`` (FastAPI builds it into Gradio's app)."""
    from starlette.middleware import Middleware

    ui = settings.ui
    return [Middleware(LoginThrottle, max_failures=ui.login_max_failures, window_s=ui.login_window_s)]
