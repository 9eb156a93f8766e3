"""The UI on an office network (issue 12, items 3 and 6): no exposed bind without a login, wrong passwords
throttled per client, deletes only after the page's confirmation even through the API, and only http(s)
links in rendered Markdown. Apps are launched on 127.0.0.1 only; binding 0.0.0.0 (every interface, loopback
included) stands in for a network address and is observed through 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from assistant.errors import BadInput
from assistant.settings import Settings, UISettings
from assistant.types import Answer, Part
from tests.browser import free_port, serve
from ui import render
from ui.access import LoginThrottle, check_bind, is_loopback

REPO = Path(__file__).resolve().parent.parent


# --- Markdown links ----------------------------------------------------------------------------------


def _markdown_html(text: str) -> str:
    """Render like a permissive Markdown renderer: every link target allowed, HTML passed through."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True})
    md.validateLink = lambda url: True  # noqa: ARG005 — the chat's renderer must not be what keeps us safe
    return md.render(text)


@pytest.mark.parametrize("target", ["javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)",
                                    "data:text/html;base64,PHNjcmlwdD4=", "vbscript:msgbox(1)", " javascript:x"])
def test_model_written_links_other_than_http_render_as_plain_text(target):
    reply = f"详见[点此查看原文]({target})。又见[附件][1]。\n\n[1]: {target}"
    for html in (render.esc(reply), render.answer_html(Answer("q", reply, [], []), "")):
        rendered = _markdown_html(html)
        assert "<a " not in rendered, rendered
        assert "点此查看原文" in rendered  # the words stay visible


def test_http_links_still_render_as_links():
    rendered = _markdown_html(render.esc("见[政府网站](https://www.jingyuan.gov.cn/a.html)和[旧站](http://x.cn)"))
    assert rendered.count("<a ") == 2 and 'href="https://www.jingyuan.gov.cn/a.html"' in rendered


def test_plain_citation_brackets_are_untouched():
    assert render.esc("调解矛盾纠纷930件[1][2]。") == "调解矛盾纠纷930件[1][2]。"


# --- binding -----------------------------------------------------------------------------------------


def test_loopback_addresses():
    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"]))
    assert not any(map(is_loopback, ["0.0.0.0", "::", "192.168.1.20", "10.0.0.5", "fazhi-server", ""]))


def test_check_bind_refuses_exposed_address_without_login(tmp_path):
    exposed = Settings(home=tmp_path, ui=UISettings(host="0.0.0.0"))
    with pytest.raises(BadInput, match="ASSISTANT_UI_PASSWORD"):
        check_bind(exposed)
    with pytest.raises(BadInput):  # a name with no password is not a login
        check_bind(Settings(home=tmp_path, ui=UISettings(host="0.0.0.0", username="admin")))
    assert "风险自负" in check_bind(exposed, insecure_no_auth=True)
    login = UISettings(host="0.0.0.0", username="admin", password=SecretStr("s3cret"))
    assert check_bind(Settings(home=tmp_path, ui=login)) is None
    assert check_bind(Settings(home=tmp_path)) is None  # 127.0.0.1


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _ui_process(port: int, *extra: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_UI_")}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--host", "0.0.0.0", "--port", str(port), *extra],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_cli_refuses_to_bind_all_interfaces_without_a_login():
    port = free_port()
    proc = _ui_process(port)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 2 and "拒绝启动" in err and "--insecure-no-auth" in err
    assert not _listening(port)


@pytest.mark.slow
def test_insecure_no_auth_binds_and_prints_the_risk():
    port = free_port()
    proc = _ui_process(port, "--insecure-no-auth")
    try:
        deadline = time.monotonic() + 120
        while not _listening(port) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _listening(port)  # 0.0.0.0 includes loopback: the app really is exposed
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "风险自负" in err


# --- login throttle ----------------------------------------------------------------------------------


def _login(base: str, password: str) -> int:
    return httpx.post(base + "login", data={"username": "admin", "password": password}, timeout=30).status_code


def test_wrong_passwords_are_throttled_on_a_launched_app(tmp_path):
    from ui.app import build_demo

    ui = UISettings(username="admin", password=SecretStr("right-pw"), login_max_failures=3, login_window_s=3)
    settings = Settings(home=tmp_path, ui=ui)
    with serve(build_demo(settings, library=None, model=None), settings) as base:
        assert [_login(base, "wrong") for _ in range(3)] == [400, 400, 400]
        locked = httpx.post(base + "login", data={"username": "admin", "password": "right-pw"}, timeout=30)
        assert locked.status_code == 429 and "秒后再试" in locked.json()["detail"]
        time.sleep(3.2)
        assert _login(base, "right-pw") == 200
        assert _login(base, "wrong") == 400  # a success cleared the count: one failure is not a lock


def test_throttle_is_per_client():
    async def app(scope, receive, send):  # a login endpoint that refuses everyone
        await send({"type": "http.response.start", "status": 400, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    now = [0.0]
    throttle = LoginThrottle(app, max_failures=2, window_s=60, clock=lambda: now[0])

    def post(ip: str) -> int:
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/login/", "client": (ip, 5000)}
        asyncio.run(throttle(scope, None, send))
        return sent[0]["status"]

    assert [post("10.0.0.7") for _ in range(3)] == [400, 400, 429]
    assert post("10.0.0.8") == 400  # another client is not locked out
    now[0] = 61
    assert post("10.0.0.7") == 400


# --- deleting through the API ------------------------------------------------------------------------


def test_delete_through_the_api_needs_the_pages_confirmation(tmp_path):
    from gradio_client import Client

    from ui.app import build_demo
    from vectorstore import FakeEmbedding, open_library
    from vectorstore.testing import make_report

    settings = Settings(home=tmp_path / "home")
    lib = open_library(settings, embedding=FakeEmbedding())
    lib.add(make_report("泾源县", 2024, [(Part.MEASURES, "全年调解矛盾纠纷930件。")], level="县/区"))
    demo = build_demo(settings, library=lib, model=None)
    with serve(demo, settings) as base:
        client = Client(base, verbose=False)
        client.predict(api_name="/refresh_library")  # what the page does on opening the tab
        client.predict("泾源县-2024", api_name="/confirm_delete")  # the delete step alone, as the audit did
        assert [r.id for r in lib.reports()] == ["泾源县-2024"]
        client.predict("泾源县-2024", api_name="/ask_delete")  # the page's question …
        client.predict("泾源县-2024", api_name="/confirm_delete")  # … then its confirmation
        assert lib.reports() == []
        other = Client(base, verbose=False)  # a confirmation belongs to the session that asked
        lib.add(make_report("泾源县", 2024, [(Part.MEASURES, "全年调解矛盾纠纷930件。")], level="县/区"))
        client.predict(api_name="/refresh_library")
        other.predict(api_name="/refresh_library")
        client.predict("泾源县-2024", api_name="/ask_delete")
        other.predict("泾源县-2024", api_name="/confirm_delete")
        assert [r.id for r in lib.reports()] == ["泾源县-2024"]


# --- status ------------------------------------------------------------------------------------------


def test_status_banner_masks_secrets(tmp_path):
    from ui.context import AppContext
    from ui.status import render as render_status

    ctx = AppContext.create(Settings(home=tmp_path), None, None)
    ctx.model_error = "模型服务出错(500): headers were Authorization: Bearer sk-live-4f9a8b7c6d5e4f3a"
    ctx.library_error = "无法连接 http://user:Zq8xT3vLw9Pa@10.0.0.2:8000"
    shown = render_status(ctx)
    assert "sk-live-4f9a8b7c6d5e4f3a" not in shown and "Zq8xT3vLw9Pa" not in shown and "Bearer ***" in shown
