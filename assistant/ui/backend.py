"""The chat app's backend: one Assistant opened, seeded and warmed in a background
thread, and ``ask`` with UI-style arguments (JSON-ready dicts, streamed LLM deltas).

No Gradio layout here; ``app.py`` builds the page on top of this.
"""

from __future__ import annotations

import json
import logging
import queue
import shutil
import tempfile
import threading
from pathlib import Path

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.embed.embedders import one_thread_per_call, prefer_fast_queries
from assistant.errors import InputError, IsnadError, StoreUnavailableError
from assistant.records import to_dict
from assistant.ui import render
from assistant.ui.jobs import Jobs
from assistant.ui.obs import log_question, observed_ask

log = logging.getLogger("isnad.ui")
QUESTION_LOG = logging.getLogger("isnad.questions")


class Backend:
    """The app's one Assistant, opened (and seeded, warmed) in a background thread."""

    def __init__(self, cfg: Config, seed_dir: Path | None = None, assistant=None) -> None:
        self.cfg, self.seed_dir, self.asst = cfg, seed_dir, assistant
        self.phase, self.detail, self.error = "loading… / جارٍ التحميل…", "", None
        self.ready = threading.Event()
        self.upload_dir = Path(tempfile.mkdtemp(prefix="isnad-uploads-"))
        self.write_lock = threading.Lock()
        self.jobs = Jobs()
        self._restart = threading.Lock()

    def start(self) -> Backend:
        threading.Thread(target=self._load, name="isnad-warmup", daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            if self.asst is None:
                self.asst = Assistant.open(cfg=self.cfg, create=True)
            if (self.seed_dir and not self.cfg.read_only
                    and self.asst.stats().get("reports", 0) == 0):
                self._set("indexing the sample report… / فهرسة التقرير النموذجي…",
                          str(self.seed_dir))
                self.asst.ingest([self.seed_dir], wait=30)
            self._set("warming up the models… / تهيئة النماذج…")
            prefer_fast_queries(self.asst.embedder)
            self.asst.embedder.embed_query("warm-up query / استعلام تهيئة")
            one_thread_per_call()  # concurrent users are the server's parallelism
            self._set("ready")
        except IsnadError as exc:  # a bad setting or index: one line, no traceback
            log.error("start-up failed: %s", exc, extra={"event": "startup_failed"})
            self.error = exc
            self._set("start-up failed / فشل التشغيل", str(exc))
        except Exception as exc:  # reported on the page and re-raised to the caller of get()
            log.exception("start-up failed")
            self.error = exc
            self._set("start-up failed / فشل التشغيل", str(exc))
        finally:
            self.ready.set()

    def _set(self, phase: str, detail: str = "") -> None:
        self.phase, self.detail = phase, detail
        log.warning("isnad: %s %s", phase, detail)

    def get(self, timeout: float = 900):
        """The open Assistant once ready (start-up errors are raised here)."""
        if not self.ready.wait(timeout):
            raise IsnadError("the index is still loading; try again in a moment")
        error = self.error
        if isinstance(error, StoreUnavailableError):  # the archive's server was away: retry
            with self._restart:
                if self.error is error:
                    self.error = None
                    self.ready.clear()
                    self.start()
            raise IsnadError(f"{error}") from error
        if error is not None:
            raise IsnadError(f"start-up failed: {error}") from error
        return self.asst

    def status(self) -> str:
        if not self.ready.is_set() or self.error is not None:
            return render.status_markdown(self.phase, None, None, self.detail)
        uploads = sum(not job.finished for job in self.jobs.listing())
        return render.status_markdown("ready", self.asst.stats(), self.cfg.llm_model or
                                      (self.cfg.llm_url if self.asst.llm else None),
                                      f"indexing {uploads} upload(s) / فهرسة" if uploads else "")

    def close(self) -> None:
        shutil.rmtree(self.upload_dir, ignore_errors=True)


# -- chat ------------------------------------------------------------------------------------
def _history_arg(history_json: str | list | None) -> list[tuple[str, str]]:
    """Previous turns as (question, answer) pairs from a JSON string or a list."""
    if not history_json:
        return []
    try:
        data = json.loads(history_json) if isinstance(history_json, str) else history_json
    except json.JSONDecodeError as e:
        raise InputError(f"history is not valid JSON: {e}") from e
    pairs = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            item = (item.get("question", ""), item.get("answer", ""))
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise InputError("history must be a list of [question, answer] pairs")
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def _list_arg(value: str | list | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v) for v in value if str(v).strip()]


def ask_dict(backend: Backend, question: str, since: str = "", until: str = "",
             sources=None, doc_ids=None, history=None, on_delta=None,
             user: str | None = None) -> dict:
    """``Assistant.ask`` with UI-style arguments; the Answer as a JSON-ready dict. Every
    question, refused ones included, is one JSON log line (``obs.log_question``)."""
    asst = backend.get()
    try:
        kwargs = dict(history=_history_arg(history), since=render.check_date(since, "since"),
                      until=render.check_date(until, "until"),
                      sources=_list_arg(sources) or None, doc_ids=_list_arg(doc_ids) or None)
    except InputError as exc:
        log_question(QUESTION_LOG, len(question or ""), "", {}, False, exc, user=user)
        raise
    return to_dict(observed_ask(asst, QUESTION_LOG, question, user=user, on_delta=on_delta,
                                **kwargs))


def ask_events(backend: Backend, *args):
    """Run ``ask_dict`` in a thread; yield ("delta", text) while an LLM writes, then
    ("answer", dict) or ("error", IsnadError)."""
    events: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            events.put(("answer", ask_dict(backend, *args,
                                           on_delta=lambda d: events.put(("delta", d)))))
        except IsnadError as exc:
            events.put(("error", exc))
        except Exception as exc:  # logged with its traceback; the chat must not wait forever
            log.exception("answering failed")
            events.put(("error", IsnadError(f"internal error ({type(exc).__name__}); "
                                            "the server log has the details")))

    threading.Thread(target=run, name="isnad-ask", daemon=True).start()
    while True:
        kind, value = events.get()
        yield kind, value
        if kind != "delta":
            return
