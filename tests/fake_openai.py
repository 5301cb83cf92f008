"""A local stand-in for an OpenAI-compatible chat-completions server (tests only).

It listens on 127.0.0.1 on a free port and speaks the wire protocol the
``openai`` SDK uses: POST /v1/chat/completions, plain JSON or ``stream: true``
server-sent events ending with ``data: [DONE]``. What the "model" says is a
function of the request that each test supplies (``reply``); the server
records every request body so tests can inspect the prompt Isnad sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[dict], str]


class FakeOpenAI:
    """Start with ``with FakeOpenAI(reply) as fake:``; ``fake.url`` is the /v1 base URL."""

    def __init__(self, reply: Reply, *, status: int = 200, delay_s: float = 0.0,
                 piece_chars: int = 7) -> None:
        self.reply = reply
        self.status = status
        self.delay_s = delay_s
        self.piece_chars = piece_chars
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def pieces(self, text: str) -> list[str]:
        """The reply cut into the deltas the stream sends, in order."""
        n = self.piece_chars
        return [text[i:i + n] for i in range(0, len(text), n)]


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server naming)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake.requests.append(body)
            fake.headers.append(dict(self.headers))
            if fake.delay_s:
                time.sleep(fake.delay_s)
            if self.path != "/v1/chat/completions" or fake.status != 200:
                return self._send_json(fake.status if fake.status != 200 else 404,
                                       {"error": {"message": "fake failure", "type": "server"}})
            text = fake.reply(body)
            if body.get("stream"):
                return self._send_stream(body["model"], fake.pieces(text))
            return self._send_json(200, _completion(body["model"], text))

        def _send_json(self, status: int, payload: dict) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_stream(self, model: str, pieces: list[str]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
            for i, delta in enumerate(deltas + [{}]):
                finish = "stop" if i == len(deltas) else None
                chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk",
                         "created": 0, "model": model,
                         "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _completion(model: str, text: str) -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def prompt_of(body: dict) -> str:
    """The text of the last user message of a chat-completions request."""
    content = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
    if isinstance(content, list):  # content parts form
        return "".join(part.get("text", "") for part in content)
    return content
