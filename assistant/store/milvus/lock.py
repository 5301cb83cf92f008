"""The writer lock of a Milvus namespace: a lease record in ``meta``, so that one writer
at a time changes the archive, whichever app server or host it runs on.

Milvus has no compare-and-set, so the lock is emulated and rests on three assumptions
(README, "Serving a newsroom at scale"):

1. Claiming is "read; if free, write my claim; wait ``SETTLE_S``; read back": two
   processes claiming at once both write, the last write wins, and each sees after the
   wait who won. This holds while a claim lands within ``SETTLE_S`` (0.25 s) of its
   read, i.e. no writer stalls that long between two calls.
2. The holder renews the lease every ``LEASE_S / 3`` seconds from a background thread;
   a lease not renewed for ``LEASE_S`` (30 s) is free, so a crashed writer blocks the
   others for at most that long. A claim by a process that is gone (same host, same
   process namespace, pid not running) is free at once.
3. Hosts' clocks agree to well within ``LEASE_S`` (the expiry is wall-clock time).

A holder that finds its claim replaced (it stalled past its lease) stops renewing and
its next write fails with ``IndexLockedError`` instead of writing beside the new holder.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid

from assistant.errors import IndexLockedError, StoreError
from assistant.store.milvus.meta import LOCK, MetaRecords

LEASE_S = 30.0
SETTLE_S = 0.25
log = logging.getLogger("isnad.store")


def _node() -> str:
    """This process's host and process namespace (pids are comparable only within one)."""
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{socket.gethostname()}:{namespace}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def is_free(claim: dict | None, now: float | None = None) -> bool:
    """True when ``claim`` holds nothing: absent, expired, or of a dead local process."""
    if claim is None:
        return True
    if float(claim.get("expires", 0)) < (now or time.time()):
        return True
    return claim.get("node") == _node() and not _alive(int(claim.get("pid", 0)))


class LeaseLock:
    """A held writer lock; ``release()`` or leave its ``with`` block to free it."""

    def __init__(self, meta: MetaRecords, claim: dict, lease: float) -> None:
        self.meta, self.claim, self.lease = meta, claim, lease
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="isnad-milvus-lease",
                                        daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(self.lease / 3):
            try:
                current = self.meta.get(LOCK)
                if current is None or current.get("owner") != self.claim["owner"]:
                    self.lost = True
                    log.error("Milvus writer lock lost (another writer claimed it)")
                    return
                self.meta.put(LOCK, {**self.claim, "expires": time.time() + self.lease})
            except StoreError as exc:  # the server is away: try again at the next beat
                log.warning("Milvus writer lock not renewed: %s", exc)

    def check(self) -> None:
        """Raise IndexLockedError when the lease was lost (never write beside another)."""
        if self.lost:
            raise IndexLockedError("this process lost the Milvus writer lock (it stalled "
                                   f"for over {self.lease:.0f} s); run the command again")

    def release(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        current = self.meta.get(LOCK)
        if current is not None and current.get("owner") == self.claim["owner"]:
            self.meta.delete(LOCK)

    def __enter__(self) -> LeaseLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def acquire(meta: MetaRecords, where: str, wait: float = 0, lease: float = LEASE_S,
            settle: float = SETTLE_S) -> LeaseLock:
    """The writer lock of the namespace, waiting up to ``wait`` seconds for it."""
    claim = {"owner": uuid.uuid4().hex, "node": _node(), "pid": os.getpid(),
             "host": socket.gethostname()}
    deadline = time.monotonic() + wait
    while True:
        current = meta.get(LOCK)
        if is_free(current):
            meta.put(LOCK, {**claim, "expires": time.time() + lease})
            time.sleep(settle)  # a competing claim lands meanwhile; the last one wins
            current = meta.get(LOCK)
            if current is not None and current.get("owner") == claim["owner"]:
                return LeaseLock(meta, claim, lease)
        if time.monotonic() >= deadline:
            holder = current or {}
            raise IndexLockedError(
                f"another Isnad process (host {holder.get('host', '?')}, pid "
                f"{holder.get('pid', '?')}) is writing to {where}; wait for it to finish "
                "(or use --wait SECONDS)")
        time.sleep(min(0.5, max(0.05, deadline - time.monotonic())))
