"""The plain HTTP API next to the web app: ``POST /api/ask``, ``POST /api/search`` and
``GET /health``, JSON in and JSON out, behind the same users as the UI.

Authentication, when a users file is set: HTTP Basic with a UI user's name and
password (``curl -u amal:PASSWORD``), or the session cookie the UI's login page sets
(a browser that has logged in). Without a users file the server listens on 127.0.0.1
only and the API is open, as the UI is. ``/health`` answers anyone, but tells an
anonymous caller only whether the server is up.

Answers are the JSON objects ``isnad ask --json`` and ``isnad search --json`` print.
Errors: 400 for bad input ({"error": message}), 401 without valid credentials, 422
for a body of the wrong shape (FastAPI's field list), 503 while the index loads.
Answers are computed on FastAPI's worker threads, at most ``Config.answer_workers``
at once. Nothing here renders HTML.
"""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from assistant.errors import IsnadError
from assistant.records import to_dict
from assistant.ui import render
from assistant.ui.backend import Backend, ask_dict
from assistant.ui.obs import health

log = logging.getLogger("isnad.api")
SEARCH_KEYS = ("rank", "doc_id", "path", "record", "title", "date", "source", "url", "text",
               "start", "end", "score")


class AskBody(BaseModel):
    """``POST /api/ask``: only ``question`` is required."""

    question: str = Field(max_length=4000)
    history: list[list[str] | dict[str, str]] = Field(default_factory=list, max_length=50)
    since: str | None = None
    until: str | None = None
    sources: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)


class SearchBody(BaseModel):
    """``POST /api/search``: only ``query`` is required."""

    query: str = Field(max_length=4000)
    k: int = Field(default=10, ge=1, le=100)
    since: str | None = None
    until: str | None = None
    sources: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)
    mode: str = Field(default="hybrid", pattern="^(hybrid|fusion|lexical|dense)$")


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    """(user, password) of an ``Authorization: Basic …`` header, else None."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode(
            "utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


class ApiAccess:
    """Who is calling: a user name, "" when no login is configured, None when refused."""

    def __init__(self, app: Any, auth: Callable[[str, str], bool] | None) -> None:
        self.app, self.auth = app, auth

    def user(self, request: Request) -> str | None:
        if self.auth is None:
            return ""
        creds = basic_credentials(request.headers.get("authorization"))
        if creds is not None:
            return creds[0] if self.auth(*creds) else None
        tokens = getattr(self.app, "tokens", {})  # the UI's login sessions (Gradio)
        cookie_id = getattr(self.app, "cookie_id", "")
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            token = request.cookies.get(name)
            if token and token in tokens:
                return str(tokens[token])
        return None

    def require(self, request: Request) -> str:
        user = self.user(request)
        if user is None:
            raise HTTPException(401, detail="log in: HTTP Basic with an Isnad user",
                                headers={"WWW-Authenticate": 'Basic realm="Isnad"'})
        return user


def _call(backend: Backend, slots: threading.BoundedSemaphore, work: Callable[[], dict]):
    """Run ``work`` on an answer slot; IsnadError becomes a 400 (503 while loading)."""
    if not backend.ready.is_set():
        return JSONResponse({"error": "the index is still loading; try again in a moment",
                             "phase": backend.phase}, status_code=503)
    with slots:
        try:
            return work()
        except IsnadError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)


def mount_api(app: FastAPI, backend: Backend, auth: Callable[[str, str], bool] | None) -> None:
    """Add ``/api/ask``, ``/api/search`` and ``/health`` to the running app."""
    access = ApiAccess(app, auth)
    slots = threading.BoundedSemaphore(max(1, backend.cfg.answer_workers))

    def ask(request: Request, body: AskBody):
        user = access.require(request)
        return _call(backend, slots, lambda: ask_dict(
            backend, body.question, body.since or "", body.until or "", body.sources,
            body.doc_ids, body.history, user=user or None))

    def search(request: Request, body: SearchBody):
        access.require(request)

        def run() -> dict:
            hits = backend.get().search(
                body.query, k=body.k, since=render.check_date(body.since, "since"),
                until=render.check_date(body.until, "until"), sources=body.sources or None,
                doc_ids=body.doc_ids or None, mode=body.mode)
            return {"query": body.query,
                    "hits": [{k: to_dict(h)[k] for k in SEARCH_KEYS} for h in hits]}
        return _call(backend, slots, run)

    def health_route(request: Request) -> dict:
        anonymous = access.user(request) is None
        if not backend.ready.is_set():
            return {"status": "loading"} if anonymous else {"status": "loading",
                                                             "phase": backend.phase}
        if backend.error is not None:
            return {"status": "error"} if anonymous else {
                "status": "error", "error": str(backend.error)}
        if anonymous:
            return {"status": "ok"}  # up, and nothing about the index
        return health(backend.asst)

    app.add_api_route("/api/ask", ask, methods=["POST"])
    app.add_api_route("/api/search", search, methods=["POST"])
    app.add_api_route("/health", health_route, methods=["GET"])
