"""The server side of the load benchmark: start ``isnad serve`` on a free loopback port,
wait until its index is open, ask over HTTP, stop it.

Questions go through Gradio's REST queue API (``POST /gradio_api/call/ask`` then the
event's result stream), the same ``/ask`` endpoint and queue the chat uses, with one
``httpx`` client per simulated user. gradio_client would do the same with far more
client-side CPU, which on a 2-core machine is taken from the server being measured.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(idx: Path, port: int, log: Path) -> subprocess.Popen:
    """``isnad serve`` over ``idx`` (no seeding), its output in ``log``."""
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--index", str(idx), "--port",
           str(port), "--no-seed"]
    with open(log, "w") as out:
        return subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 600) -> dict:
    """Poll ``/health`` until the index is open; the health document."""
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode}")
        try:
            health = httpx.get(f"{url}/health", timeout=5).json()
            if health.get("status") == "ok":
                return health
        except (httpx.HTTPError, ValueError):
            pass  # not listening yet
        time.sleep(0.5)
    raise TimeoutError(f"{url} not ready after {timeout:.0f}s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class HttpAsker:
    """``ask(question) -> found`` over the server's ``/ask`` API; one client per thread."""

    def __init__(self, url: str, api: str = "ask", auth: tuple[str, str] | None = None):
        self.url, self.api, self.auth = url.rstrip("/"), api.strip("/"), auth
        self.local = threading.local()

    def _client(self) -> httpx.Client:
        client = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = httpx.Client(timeout=120, auth=self.auth)
            # one Gradio session per user, as a browser tab or gradio_client keeps
            self.local.session = uuid.uuid4().hex[:12]
        return client

    def __call__(self, question: str) -> bool:
        client = self._client()
        base = f"{self.url}/gradio_api/call/{self.api}"
        # question, since, until, sources, doc_ids, history (the /ask signature, ui.py)
        resp = client.post(base, json={"data": [question, "", "", [], [], ""],
                                       "session_hash": self.local.session})
        resp.raise_for_status()
        event = resp.json()["event_id"]
        kind, data = "", ""
        with client.stream("GET", f"{base}/{event}") as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                    if kind in ("complete", "error"):
                        break
        if kind != "complete":
            raise RuntimeError(f"server {kind or 'no result'}: {data[:200]}")
        return bool(json.loads(json.loads(data)[0])["found"])

