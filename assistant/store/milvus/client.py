"""One connection to a Milvus server: where it is (the store URI), who we are (token or
user/password), and every call made through ``call``, which retries while the server is
unreachable and turns pymilvus's exceptions into Isnad's.

URI: ``milvus://HOST:PORT[/NAMESPACE][?dense=hnsw|flat&retry=S&timeout=S]`` (or
``http(s)://``); NAMESPACE (default ``isnad``) prefixes the collection names, so one
server can hold several archives. A call that finds the server gone is retried for
``retry`` seconds (default 8), then fails with ``StoreUnavailableError``; the client
object reconnects by itself when the server is back. A collection found unloaded (after
a server restart) is loaded and the call retried. This module knows no collection
layout (``schema``) and no records (``rows``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from pymilvus import MilvusClient, MilvusException

from assistant.errors import ConfigError, StoreError, StoreUnavailableError

T = TypeVar("T")
log = logging.getLogger("isnad.store")
# pymilvus logs every failed call with a traceback; ``call`` reports failures itself.
logging.getLogger("pymilvus").setLevel(logging.CRITICAL)

_UNAVAILABLE = 2  # pymilvus: "Fail connecting to server", also for a call cut short
_NOT_LOADED = 101
_NAMESPACE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,200}$")
# No keep-alive pings on an idle channel (pymilvus pings every 10 s, which gRPC servers
# answer with GOAWAY "too_many_pings"); a dead channel is found by the next call instead.
_GRPC = {"grpc.keepalive_permit_without_calls": 0}


@dataclass(frozen=True)
class Address:
    """A parsed store URI (the credentials never appear in it)."""

    endpoint: str  # what pymilvus connects to: http(s)://HOST:PORT
    namespace: str = "isnad"
    dense_index: str = "hnsw"
    retry_s: float = 8.0
    timeout_s: float = 60.0

    def __str__(self) -> str:
        return f"{self.endpoint}/{self.namespace}"


def parse_uri(uri: str) -> Address:
    """The Address of ``milvus://HOST:PORT[/NAMESPACE][?options]`` (ConfigError if bad)."""
    parts = urlsplit(uri)
    if parts.scheme.lower() not in ("milvus", "http", "https") or not parts.hostname:
        raise ConfigError(f"{uri!r} is not a Milvus URI: use milvus://HOST:PORT")
    if parts.username or parts.password:
        raise ConfigError("put Milvus credentials in ISNAD_MILVUS_TOKEN or "
                          "ISNAD_MILVUS_USER / ISNAD_MILVUS_PASSWORD, not in the URI")
    scheme = "https" if parts.scheme.lower() == "https" else "http"
    port = parts.port or 19530
    namespace = parts.path.strip("/") or "isnad"
    if not _NAMESPACE.match(namespace):
        raise ConfigError(f"namespace {namespace!r}: letters, digits and _ only")
    opts = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    dense = opts.pop("dense", "hnsw").lower()
    if dense not in ("hnsw", "flat"):
        raise ConfigError(f"dense={dense}: use dense=hnsw or dense=flat")
    try:
        retry, timeout = float(opts.pop("retry", 8)), float(opts.pop("timeout", 60))
    except ValueError as exc:
        raise ConfigError(f"{uri}: retry and timeout are seconds ({exc})") from exc
    if opts:
        raise ConfigError(f"{uri}: unknown option(s) {', '.join(sorted(opts))}")
    return Address(f"{scheme}://{parts.hostname}:{port}", namespace, dense, retry, timeout)


class Connection:
    """A lazily opened MilvusClient behind retrying calls (thread-safe)."""

    def __init__(self, address: Address, token: str | None = None, user: str | None = None,
                 password: str | None = None) -> None:
        self.address = address
        self._auth = {"token": token} if token else (
            {"user": user, "password": password or ""} if user else {})
        self._client: MilvusClient | None = None
        self._lock = threading.Lock()
        self._version: str | None = None

    def name(self, kind: str) -> str:
        """The collection name of ``kind`` ("chunks", "reports", ...) in this namespace."""
        return f"{self.address.namespace}_{kind}"

    @property
    def lite(self) -> bool:
        """True when the server is milvus-lite (its analyzer and index quirks differ)."""
        return self.version().startswith("milvus_lite")

    def version(self) -> str:
        if self._version is None:
            self._version = self.call("version", lambda c: c.get_server_version())
        return self._version

    def _open(self) -> MilvusClient:
        with self._lock:
            if self._client is None:
                # A channel of our own (pymilvus shares one per address by default), so that
                # dropping it after a failure (``_drop``) affects no other store.
                self._client = MilvusClient(uri=self.address.endpoint, dedicated=True,
                                            timeout=min(10.0, max(1.0, self.address.retry_s)),
                                            grpc_options=_GRPC, **self._auth)
            return self._client

    def _drop(self, client: MilvusClient) -> None:
        """Forget a client whose server went away: the next call connects afresh instead
        of waiting out gRPC's reconnection back-off (seconds after the server is back)."""
        with self._lock:
            if self._client is client:
                self._client = None
        try:
            client.close()
        except Exception as exc:  # noqa: BLE001 - a dead channel may fail to close; it is gone
            log.debug("closing a dropped Milvus client: %s", exc)

    def call(self, op: str, fn: Callable[[MilvusClient], T], collection: str | None = None
             ) -> T:
        """``fn(client)``, retried while the server is unreachable (``retry_s``)."""
        deadline = time.monotonic() + self.address.retry_s
        delay, loaded = 0.2, False
        while True:
            client = None
            try:
                client = self._open()
                return fn(client)
            except MilvusException as exc:
                if _not_loaded(exc) and collection and not loaded:
                    loaded = True
                    self._load(collection)
                    continue
                if not _unavailable(exc):
                    raise StoreError(f"Milvus {op} on {self.address}: {_message(exc)}"
                                     ) from exc
                if client is not None:
                    self._drop(client)
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailableError(
                        f"the Milvus server {self.address.endpoint} does not answer "
                        f"({op}: {_message(exc)}); the archive is out of reach until it is "
                        "back - try again in a moment") from exc
                log.warning("Milvus %s: server unreachable, retrying in %.1f s", op, delay)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _load(self, collection: str) -> None:
        log.warning("Milvus: collection %s was not loaded (server restart?); loading it",
                    collection)
        self._open().load_collection(collection)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _unavailable(exc: MilvusException) -> bool:
    text = _message(exc)
    return exc.code == _UNAVAILABLE or "UNAVAILABLE" in text or "DEADLINE_EXCEEDED" in text


def _not_loaded(exc: MilvusException) -> bool:
    text = _message(exc).lower()
    return exc.code == _NOT_LOADED or "not loaded" in text or "call load()" in text


def _message(exc: MilvusException) -> str:
    return str(getattr(exc, "message", "") or exc)
