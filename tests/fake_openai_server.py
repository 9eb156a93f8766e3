"""A tiny OpenAI-compatible chat server on 127.0.0.1 for UI tests: the real ``openai`` client path, canned
but prompt-aware replies, no model.

A QA prompt ("材料: [ev-…] …") is answered with the passage sentence sharing the most words with the
question, cited by its passage's id, so the answer's figures are grounded and its citation valid. Any other prompt (drafting,
summaries, follow-ups) gets a short neutral paragraph without figures. Streaming uses server-sent events
like the real API. ``requests`` records every request body for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from assistant.answers.citations import REFUSAL

MODEL_NAME = "fake-openai"
EVIDENCE = re.compile(r"\[(ev-[0-9a-f]{8})\][^\n]*\n([^\n]+)")
NEUTRAL_REPLY = "加强组织领导,完善工作机制,推进各项任务落实〔待补充:具体成效〕。"


def cjk_bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1) if all("\u4e00" <= c <= "\u9fff" for c in text[i : i + 2])}


def default_reply(messages: list[dict]) -> str:
    """Like an obedient model: refuse (with the one shared refusal phrase) when the evidence shares fewer than
    two Chinese bigrams with the question; otherwise quote the sentence closest to the question, cited."""
    # Only the last user turn holds the real evidence; earlier turns are worked examples with made-up ids.
    users = [str(m.get("content", "")) for m in messages if m.get("role") == "user"]
    prompt = users[-1] if users else ""
    # The question line comes after the evidence (which may itself contain "问题:"): take the last one.
    questions = re.findall(r"^问题[:：]\s*(.+)$", prompt, flags=re.M)
    found = EVIDENCE.search(prompt)
    if not (questions and found):
        return NEUTRAL_REPLY
    evidence = "".join(text for _, text in EVIDENCE.findall(prompt))
    if len(cjk_bigrams(questions[-1]) & cjk_bigrams(evidence)) < 2:
        return REFUSAL
    wanted = cjk_bigrams(questions[-1])
    sentences = [(len(wanted & cjk_bigrams(sent)), ev_id, sent.strip().rstrip("。;；")[:120])
                 for ev_id, text in EVIDENCE.findall(prompt) for sent in re.findall(r"[^。;；!！?？]+", text)]
    _, ev_id, sentence = max(sentences, key=lambda s: s[0])  # the first of the best, like a careful reader
    return f"{sentence} [{ev_id}]。"


class FakeOpenAIServer:
    """``with FakeOpenAIServer() as srv: srv.base_url`` → ``http://127.0.0.1:PORT/v1``."""

    def __init__(
        self,
        reply: Callable[[list[dict]], str] = default_reply,
        delay_s: float = 0.0,
        first_delay_s: float = 0.0,
        echo_error: int | None = None,
        hang: bool = False,
    ) -> None:
        self.reply = reply
        self.delay_s = delay_s  # per streamed piece, so a test can watch streaming (or cancel)
        self.first_delay_s = first_delay_s  # before the first piece: a model still reading the prompt
        # A careless endpoint: answer every chat request with this HTTP status and an error message that
        # quotes the request's headers, Authorization included (as some proxies and gateways do).
        self.echo_error = echo_error
        # An endpoint that accepts the request and never answers (until the test ends).
        self.hang = hang
        self._stop = threading.Event()
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                outer.requests.append(body)
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                if outer.hang:
                    outer._stop.wait()
                    return
                if outer.echo_error:
                    seen = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
                    self._json(outer.echo_error, {"error": {"message": f"bad request, headers were {seen}"}})
                    return
                text = outer.reply(body.get("messages", []))
                if body.get("stream"):
                    self._stream(text)
                else:
                    self._json(200, _completion(text))

            def _json(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                if outer.first_delay_s:
                    time.sleep(outer.first_delay_s)
                step = max(1, len(text) // 6)
                pieces = [text[i : i + step] for i in range(0, len(text), step)]
                for piece in pieces:
                    self._event(_chunk({"content": piece}, None))
                    if outer.delay_s:
                        time.sleep(outer.delay_s)
                self._event(_chunk({}, "stop"))
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def _event(self, payload: dict) -> None:
                self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
                self.wfile.flush()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAIServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": len(text), "total_tokens": 10 + len(text)},
    }


def _chunk(delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL_NAME,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
