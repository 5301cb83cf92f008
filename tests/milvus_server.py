"""A local ``milvus-lite server`` for tests: a separate process on 127.0.0.1 and a free
port, over its own data folder; stopped with SIGINT (its clean shutdown)."""

from __future__ import annotations

import itertools
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

_NAMES = itertools.count()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable() -> str | None:
    """The ``milvus-lite`` command next to this Python, or on PATH (None: not installed)."""
    here = Path(sys.executable).parent / "milvus-lite"
    return str(here) if here.exists() else shutil.which("milvus-lite")


class LiteServer:
    """One ``milvus-lite server`` process."""

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.data_dir, self.port = Path(data_dir), port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def uri(self, namespace: str | None = None, **options: object) -> str:
        """A store URI on this server; a fresh namespace unless one is named."""
        name = namespace or f"t{next(_NAMES)}_{time.time_ns() % 10**9}"
        query = "&".join(f"{k}={v}" for k, v in options.items())
        return f"milvus://{self.endpoint}/{name}" + (f"?{query}" if query else "")

    def start(self, timeout: float = 60) -> LiteServer:
        exe = executable()
        assert exe, "milvus-lite is not installed"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir.parent / f"{self.data_dir.name}.log", "ab")  # noqa: SIM115
        # Popen (not a shell's &): the server must receive SIGINT, its clean stop.
        self.proc = subprocess.Popen(
            [exe, "server", "--data-dir", str(self.data_dir), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while True:  # the port opens once the data folder is open
            if self.proc.poll() is not None:
                raise RuntimeError(f"milvus-lite exited with {self.proc.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
                time.sleep(0.1)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
