"""Observability: JSON log lines for questions and errors, secrets redacted, and ``health``.

``setup_logging`` sends the ``isnad`` logger's records to a stream as one JSON
object per line (``JsonFormatter``). ``log_question`` records how long a
question took, its length and language and whether it was answered; the
question text itself is logged only at DEBUG, and report text never. Every
string that reaches a log line passes ``redact`` (API keys, bearer tokens,
passwords in URLs or ``key=value`` pairs). ``health(assistant)`` is the cheap
status a ``/health`` route returns. This module changes no index state.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from assistant.text.arabic import detect_language

LOGGER = "isnad"
_STARTED = time.time()
# Attributes every LogRecord has; anything else came in through ``extra=``.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Field names whose string values are secrets (``tokens_used: 12`` is not: numbers pass).
_SECRET_KEYS = re.compile(r"password|passwd|secret|api[_-]?key|authorization|cookie|"
                          r"credential|(^|_)(token|auth)($|_)", re.I)
_REDACTIONS = (
    (re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{8,}"), r"\1-[REDACTED]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=\-]{8,}"), r"\1 [REDACTED]"),
    (re.compile(r"(?i)\b((?:api[_-]?key|token|secret|password|passwd|pwd)\s*[=:]\s*)"
                r"[\"']?[^\s\"'&,;]+"), r"\1[REDACTED]"),
    (re.compile(r"(?i)(://[^/\s:@]+:)[^@\s/]+@"), r"\1[REDACTED]@"),
    (re.compile(r"scrypt\$[^\s]+"), "scrypt$[REDACTED]"),
)


def redact(text: str) -> str:
    """``text`` with API keys, tokens and passwords replaced by [REDACTED]."""
    for pattern, repl in _REDACTIONS:
        text = pattern.sub(repl, text)
    return text


def _clean(value: Any, key: str = "") -> Any:
    if key and isinstance(value, str) and value and _SECRET_KEYS.search(key):
        return "[REDACTED]"
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _clean(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, int | float | bool) or value is None:
        return value
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ts, level, logger, msg, the ``extra`` fields, error."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name,
            "msg": record.getMessage()}
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            out["error"] = {"type": type(exc).__name__, "message": str(exc),
                            "trace": self.formatException(record.exc_info)}
        return json.dumps(_clean(out), ensure_ascii=False, default=str)


def setup_logging(level: int | str = logging.INFO, stream: IO[str] | None = None,
                  others: bool = False) -> logging.Logger:
    """Send the ``isnad`` logger to ``stream`` (stderr) as JSON lines; idempotent. With
    ``others``, the warnings of every other library (the root logger) go there as JSON
    lines too, instead of plain text between them."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(level)
    _json_handler(logger, stream)
    logger.propagate = False
    if others:
        root = logging.getLogger()
        root.setLevel(logging.WARNING)
        for handler in list(root.handlers):  # a plain-text handler of a library's own
            root.removeHandler(handler)
        _json_handler(root, stream)
    return logger


def _json_handler(logger: logging.Logger, stream: IO[str] | None) -> None:
    for handler in list(logger.handlers):
        if getattr(handler, "_isnad_json", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler._isnad_json = True  # type: ignore[attr-defined]
    logger.addHandler(handler)


def log_question(logger: logging.Logger, question_len: int, lang: str,
                 timings: dict[str, float], found: bool, error: BaseException | None = None,
                 *, question: str | None = None, user: str | None = None) -> None:
    """One INFO (or WARNING, on error) line about a question; its text only at DEBUG."""
    fields: dict[str, Any] = {
        "event": "question", "question_len": int(question_len), "lang": lang or "",
        "timings_ms": {k: round(float(v), 1) for k, v in (timings or {}).items()},
        "total_ms": round(float(sum((timings or {}).values())), 1), "found": bool(found)}
    if user:
        fields["user"] = user
    if error is not None:
        fields["error"] = {"type": type(error).__name__, "message": str(error)}
        logger.warning("question failed", extra=fields)
    else:
        logger.info("question answered" if found else "question not answered", extra=fields)
    if question is not None and logger.isEnabledFor(logging.DEBUG):
        logger.debug("question text", extra={"event": "question_text", "question": question})


def observed_ask(asst: Any, logger: logging.Logger, question: str, *,
                 user: str | None = None, **kwargs: Any) -> Any:
    """``asst.ask(question, **kwargs)`` with one ``log_question`` line; errors re-raised."""
    t0 = time.perf_counter()
    lang = detect_language(question[:2000]) if isinstance(question, str) else ""
    try:
        answer = asst.ask(question, **kwargs)
    except Exception as exc:
        log_question(logger, len(question or ""), lang,
                     {"total": (time.perf_counter() - t0) * 1e3}, False, exc,
                     question=question, user=user)
        raise
    log_question(logger, len(question), lang, answer.timings_ms, answer.found,
                 question=question, user=user)
    return answer


def timed(timings: dict[str, float], name: str) -> Callable[[], None]:
    """Start a stopwatch; calling the result stores the elapsed ms under ``name``."""
    t0 = time.perf_counter()

    def stop() -> None:
        timings[name] = (time.perf_counter() - t0) * 1e3

    return stop


def health(asst: Any) -> dict:
    """What a /health route returns: status, index generation and counts, model, mode.

    Cheap (a few COUNTs and no integrity scan; ``isnad verify`` does that) and
    never blocks on a running ingest: it only reads committed state.
    """
    out: dict[str, Any] = {"status": "ok", "uptime_s": round(time.time() - _STARTED, 1),
                           "read_only": bool(getattr(asst.cfg, "read_only", False))}
    try:
        store = asst.store
        out.update(store.describe(), generation=store.generation(), counts=store.counts())
        manifest = store.manifest() or {}
        out["manifest_generation"] = manifest.get("generation")
        # A manifest behind the database means a write is running (or was interrupted).
        out["writing"] = manifest.get("generation") != out["generation"]
        out["llm"] = bool(getattr(asst, "llm", None))
    except Exception as exc:  # a health check reports failure instead of raising
        out["status"] = "error"
        out["error"] = redact(f"{type(exc).__name__}: {exc}")
    return out
