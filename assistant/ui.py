"""The Gradio app: chat with streamed cited answers, sources panel, filters, reports, status.

``build_app(backend)`` makes the Blocks; ``serve(cfg)`` opens the index in a
background thread (seeding an empty index with the bundled samples, then
warming the embedder) and launches on ``cfg.host``/``cfg.port``. Rendering lives
in ``ui_render`` (pure, escaped); answering in ``Assistant.ask``. Named API
endpoints: ``/ask`` (JSON answer), ``/upload``, ``/remove``, ``/reports``.
IsnadError becomes a message here, at the edge; nothing else is caught.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import threading
from functools import partial
from pathlib import Path

import gradio as gr

from . import ui_render as R
from .access import check_bind, gradio_auth
from .config import PROJECT_ROOT, Config
from .errors import InputError, IsnadError
from .obs import health, observed_ask
from .records import to_dict
from .ui_figures import check_tab, figures_tab
from .ui_reports import UPLOAD_SUFFIXES, guarded, listing, remove, upload_guarded

log = logging.getLogger("isnad.ui")
QUESTION_LOG = logging.getLogger("isnad.questions")
SAMPLES_DIR = PROJECT_ROOT / "samples"
EXAMPLES = ["كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام في جنوب دمشق؟",
            "من أين جاءت التعزيزات العسكرية لقوات النظام؟",
            "How many Islamic State members were killed?"]
class Backend:
    """The app's one Assistant, opened (and seeded, warmed) in a background thread."""

    def __init__(self, cfg: Config, seed_dir: Path | None = None, assistant=None) -> None:
        self.cfg, self.seed_dir, self.asst = cfg, seed_dir, assistant
        self.phase, self.detail, self.error = "loading… / جارٍ التحميل…", "", None
        self.ready = threading.Event()
        self.upload_dir = Path(tempfile.mkdtemp(prefix="isnad-uploads-"))
        self.write_lock = threading.Lock()

    def start(self) -> Backend:
        threading.Thread(target=self._load, name="isnad-warmup", daemon=True).start()
        return self

    def _load(self) -> None:
        try:
            if self.asst is None:
                from .assistant import Assistant

                self.asst = Assistant.open(cfg=self.cfg, create=True)
            if (self.seed_dir and not self.cfg.read_only
                    and self.asst.stats().get("reports", 0) == 0):
                self._set("indexing the sample report… / فهرسة التقرير النموذجي…",
                          str(self.seed_dir))
                self.asst.ingest([self.seed_dir], wait=30)
            self._set("warming up the models… / تهيئة النماذج…")
            self.asst.embedder.embed_query("warm-up query / استعلام تهيئة")
            self._set("ready")
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
        if self.error is not None:
            raise IsnadError(f"start-up failed: {self.error}") from self.error
        return self.asst

    def status(self) -> str:
        if not self.ready.is_set() or self.error is not None:
            return R.status_markdown(self.phase, None, None, self.detail)
        return R.status_markdown("ready", self.asst.stats(), self.cfg.llm_model or
                                 (self.cfg.llm_url if self.asst.llm else None))

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
             sources=None, doc_ids=None, history=None) -> dict:
    """``Assistant.ask`` with UI-style arguments; the Answer as a JSON-ready dict."""
    ans = observed_ask(backend.get(), QUESTION_LOG, question, history=_history_arg(history),
                       since=R.check_date(since, "since"), until=R.check_date(until, "until"),
                       sources=_list_arg(sources) or None, doc_ids=_list_arg(doc_ids) or None)
    return to_dict(ans)


def respond(backend: Backend, question: str, chat: list, turns: list, cites: dict,
            since: str, until: str, sources: list, doc_ids: list):
    """Stream one answer into the chat: question, short answer, cited answer, checks."""
    question = (question or "").strip()
    if not question:
        yield chat, turns, cites, gr.skip(), question
        return
    chat = [*chat, {"role": "user", "content": R.user_message(question)},
            {"role": "assistant", "content": R.wrap_message("…", False)}]
    yield chat, turns, cites, gr.skip(), ""
    turn = len(turns)
    try:
        ans = ask_dict(backend, question, since, until, sources, doc_ids, list(turns))
    except IsnadError as exc:
        chat[-1] = {"role": "assistant", "content": R.error_message(str(exc))}
        yield chat, turns, cites, gr.skip(), ""
        return
    for stage in R.answer_stages(ans, turn):
        chat[-1] = {"role": "assistant", "content": stage}
        yield chat, turns, cites, gr.skip(), ""
    turns = [*turns, [question, ans["answer"]]]
    cites = {**cites, str(turn): ans["citations"]}
    yield chat, turns, cites, R.sources_list_html(ans["citations"], turn), ""


def open_citation(key: str, cites: dict):
    """Source panel, copy text and (doc_id, start, end) for citation ``turn-n``."""
    turn, _, n = (key or "").partition("-")
    cite = next((c for c in cites.get(turn, []) if str(c["n"]) == n), None)
    if cite is None:
        return "<p>Citation not found. / لم يُعثر على المصدر.</p>", "", None
    return cite, R.citation_text(cite), [cite["doc_id"], cite["start"], cite["end"]]


def source_view(backend: Backend, key: str, cites: dict):
    cite, copy, span = open_citation(key, cites)
    if span is None:
        return cite, copy, span, gr.update(visible=False), ""
    try:
        text = backend.get().get_text(cite["doc_id"])
    except IsnadError:  # removed since the answer: the panel says so
        text = None
    return R.source_html(cite, text), copy, span, gr.update(visible=True), ""


def whole_report(backend: Backend, span):
    if not span:
        return ""
    try:
        rep = backend.get().report(span[0])
    except IsnadError as exc:
        return f"<p>{R.esc(exc)}</p>"
    return R.report_html(rep.title or rep.path, rep.text, int(span[1]), int(span[2]))


# -- the app ---------------------------------------------------------------------------------
def _api(backend: Backend):
    def ask(question: str, since: str = "", until: str = "", sources: list[str] | None = None,
            doc_ids: list[str] | None = None, history: str = "") -> str:
        """Answer a question; returns the JSON text that ``isnad ask --json`` prints.

        sources/doc_ids: lists or comma-separated strings; history: JSON list of
        [question, answer] pairs of the previous turns. JSON text rather than a
        dict because gradio_client 2.7 takes any returned dict with a "path" key
        (as every citation has) for a file to download, and fails.
        """
        try:
            answer = ask_dict(backend, question, since, until, sources, doc_ids, history)
        except IsnadError as exc:
            raise gr.Error(str(exc)) from exc
        return json.dumps(answer, ensure_ascii=False, indent=2)
    return ask


def _chat_column(backend: Backend, turns, cites, span):
    chat = gr.Chatbot(elem_id="isnad-chat", height=520, label="Isnad · إسناد",
                      sanitize_html=True, feedback_options=None, buttons=["copy"])
    question = gr.Textbox(label="Question · السؤال", elem_id="isnad-q", lines=2,
                          placeholder="اكتب سؤالك… / Type your question…")
    send = gr.Button("Ask · اسأل", variant="primary", elem_id="isnad-send")
    gr.Examples(EXAMPLES, inputs=question, label="Examples · أمثلة")
    with gr.Accordion("Filters · تصفية (apply to the next questions)", open=False):
        with gr.Row():
            since = gr.Textbox(label="Since · من تاريخ (YYYY-MM-DD)", elem_id="isnad-since")
            until = gr.Textbox(label="Until · إلى تاريخ (YYYY-MM-DD)", elem_id="isnad-until")
        sources = gr.Dropdown([], multiselect=True, label="Sources · المصادر")
        docs = gr.Dropdown([], multiselect=True, label="Reports · التقارير",
                           elem_id="isnad-docs")
    return chat, question, send, since, until, sources, docs


def _sources_column(backend: Backend, cites, span):
    gr.Markdown("### Sources · المصادر")
    hint = ('<p class="isnad-hint">Click a [n] citation to open its source. / '
            "انقر على رقم المصدر لعرضه.</p>")
    cite_list = gr.HTML(hint, elem_id="isnad-src-list")
    view = gr.HTML("", elem_id="isnad-source")
    copy = gr.Textbox(label="Copy citation · نسخ الاستشهاد", buttons=["copy"], lines=4,
                      interactive=False, elem_id="isnad-copy")
    whole_btn = gr.Button("View whole report · عرض التقرير كاملاً", visible=False,
                          elem_id="isnad-whole")
    whole = gr.HTML("", elem_id="isnad-report")
    key = gr.Textbox(visible="hidden", elem_id="isnad-cite-key")
    opener = gr.Button("open", visible="hidden", elem_id="isnad-cite-open")
    opener.click(lambda k, c: source_view(backend, k, c), [key, cites],
                 [view, copy, span, whole_btn, whole], api_visibility="private")
    whole_btn.click(lambda s: whole_report(backend, s), span, whole,
                    api_visibility="private").then(
        None, js="() => setTimeout(() => document.getElementById('isnad-mark')"
                 "?.scrollIntoView({block: 'center'}), 200)")
    return cite_list


def _reports_tab(backend: Backend):
    files = gr.File(file_count="multiple", file_types=list(UPLOAD_SUFFIXES),
                    label="Upload reports · رفع تقارير (" + " ".join(UPLOAD_SUFFIXES) + ")",
                    elem_id="isnad-files")
    add = gr.Button("Add to the index · أضف إلى الفهرس", variant="primary", elem_id="isnad-add")
    up_msg = gr.Textbox(label="Upload result · نتيجة الرفع", interactive=False,
                        elem_id="isnad-upload-msg")
    counts = gr.Markdown(elem_id="isnad-counts")
    table = gr.Dataframe(headers=R.REPORT_COLUMNS, interactive=False, elem_id="isnad-reports",
                         wrap=True)
    with gr.Row():
        rm_key = gr.Textbox(label="Remove by doc_id or path · حذف بالمعرّف أو المسار",
                            elem_id="isnad-rm-key")
        rm = gr.Button("Remove · احذف", variant="stop", elem_id="isnad-rm")
    rm_msg = gr.Textbox(label="Removal result · نتيجة الحذف", interactive=False,
                        elem_id="isnad-rm-msg")
    return files, add, up_msg, counts, table, rm_key, rm, rm_msg


def build_app(backend: Backend) -> gr.Blocks:
    """The Blocks app over ``backend`` (which may still be loading)."""
    with gr.Blocks(title="Isnad · إسناد") as demo:
        gr.Markdown("## Isnad · إسناد — cited answers from conflict reports / "
                    "أجوبة موثّقة من التقارير")
        status = gr.Markdown(backend.status(), elem_id="isnad-status")
        timer = gr.Timer(1.0)
        turns, cites, span = gr.State([]), gr.State({}), gr.State(None)
        with gr.Tab("Chat · المحادثة"):
            with gr.Row():
                with gr.Column(scale=3):
                    chat, question, send, since, until, sources, docs = _chat_column(
                        backend, turns, cites, span)
                with gr.Column(scale=2):
                    cite_list = _sources_column(backend, cites, span)
        with gr.Tab("Reports · التقارير"):
            files, add, up_msg, counts, table, rm_key, rm, rm_msg = _reports_tab(backend)
        with gr.Tab("Figures · الأرقام"):
            figures_tab(backend)
        with gr.Tab("Check a claim · تحقّق من ادعاء"):
            check_tab(backend)
        gr.api(_api(backend), api_name="ask")

        chat_io = dict(inputs=[question, chat, turns, cites, since, until, sources, docs],
                       outputs=[chat, turns, cites, cite_list, question])
        for trigger in (send.click, question.submit):
            trigger(partial(respond, backend), **chat_io, api_name="chat",
                    api_visibility="undocumented", concurrency_limit=2)
        refresh = dict(fn=lambda: listing(backend), inputs=None,
                       outputs=[table, counts, sources, docs, status])
        timer.tick(lambda: (backend.status(), gr.Timer(active=not backend.ready.is_set())),
                   None, [status, timer], api_visibility="private")
        demo.load(**refresh, api_name="reports")
        add.click(partial(upload_guarded, backend), files, up_msg, api_name="upload").then(**refresh, api_visibility="private")
        rm.click(guarded(lambda k: remove(backend, k)), rm_key, rm_msg,
                 api_name="remove").then(**refresh, api_visibility="private")
    return demo


def serve(cfg: Config, seed_dir: Path | None = SAMPLES_DIR, block: bool = True,
          allow_remote: bool = False):
    """Start loading the index, launch the app on cfg.host:cfg.port; returns (demo, backend).

    Binds loopback unless ``allow_remote`` (then a users file is required); login is
    on whenever users are configured (``Config.auth_file`` / ISNAD_AUTH_FILE).
    """
    host = check_bind(cfg, allow_remote)
    backend = Backend(cfg, seed_dir if seed_dir and seed_dir.is_dir() else None).start()
    demo = build_app(backend)
    demo.queue(default_concurrency_limit=1)
    demo.launch(server_name=host, server_port=cfg.port, css=R.CSS, head=R.HEAD,
                auth=gradio_auth(cfg), max_file_size=cfg.max_upload_bytes, ssr_mode=False,
                show_error=True, prevent_thread_lock=True, quiet=not block)
    # A plain GET /health for monitors (no lock taken; "loading" until the index is open).
    demo.app.add_api_route("/health", lambda: _health(backend), methods=["GET"])
    if block:
        demo.block_thread()
    return demo, backend


def _health(backend: Backend) -> dict:
    if not backend.ready.is_set():
        return {"status": "loading", "phase": backend.phase}
    return health(backend.get())
