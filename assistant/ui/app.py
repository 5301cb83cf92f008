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
from functools import partial
from importlib.resources import files
from pathlib import Path

import gradio as gr

from assistant.config import Config
from assistant.errors import IsnadError
from assistant.ui import render
from assistant.ui.access import check_bind, gradio_auth
from assistant.ui.backend import Backend, ask_dict, ask_events
from assistant.ui.figures import check_tab, figures_tab
from assistant.ui.obs import health
from assistant.ui.reports import UPLOAD_SUFFIXES, guarded, listing, remove, upload_guarded

log = logging.getLogger("isnad.ui")
# samples/ of the repository, installed as the package data assistant.samples
SAMPLES_DIR = Path(str(files("assistant.samples")))
EXAMPLES = ["كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام في جنوب دمشق؟",
            "من أين جاءت التعزيزات العسكرية لقوات النظام؟",
            "How many Islamic State members were killed?"]
def respond(backend: Backend, question: str, chat: list, turns: list, cites: dict,
            since: str, until: str, sources: list, doc_ids: list):
    """Stream one answer into the chat: question, short answer, cited answer, checks."""
    question = (question or "").strip()
    if not question:
        yield chat, turns, cites, gr.skip(), question
        return
    chat = [*chat, {"role": "user", "content": render.user_message(question)},
            {"role": "assistant", "content": render.wrap_message("…", False)}]
    yield chat, turns, cites, gr.skip(), ""
    turn, draft = len(turns), ""
    for kind, value in ask_events(backend, question, since, until, sources, doc_ids,
                                   list(turns)):
        if kind == "delta":  # the LLM's words as they come; verified before the final text
            draft += value
            chat[-1] = {"role": "assistant", "content": render.draft_message(draft)}
            yield chat, turns, cites, gr.skip(), ""
        elif kind == "error":
            chat[-1] = {"role": "assistant", "content": render.error_message(str(value))}
            yield chat, turns, cites, gr.skip(), ""
            return
        else:
            ans = value
    for stage in render.answer_stages(ans, turn):
        chat[-1] = {"role": "assistant", "content": stage}
        yield chat, turns, cites, gr.skip(), ""
    turns = [*turns, [question, ans["answer"]]]
    cites = {**cites, str(turn): ans["citations"]}
    yield chat, turns, cites, render.sources_list_html(ans["citations"], turn), ""


def open_citation(key: str, cites: dict):
    """Source panel, copy text and (doc_id, start, end) for citation ``turn-n``."""
    turn, _, n = (key or "").partition("-")
    cite = next((c for c in cites.get(turn, []) if str(c["n"]) == n), None)
    if cite is None:
        return "<p>Citation not found. / لم يُعثر على المصدر.</p>", "", None
    return cite, render.citation_text(cite), [cite["doc_id"], cite["start"], cite["end"]]


def source_view(backend: Backend, key: str, cites: dict):
    cite, copy, span = open_citation(key, cites)
    if span is None:
        return cite, copy, span, gr.update(visible=False), ""
    try:
        text = backend.get().get_text(cite["doc_id"])
    except IsnadError:  # removed since the answer: the panel says so
        text = None
    return render.source_html(cite, text), copy, span, gr.update(visible=True), ""


def whole_report(backend: Backend, span):
    if not span:
        return ""
    try:
        rep = backend.get().report(span[0])
    except IsnadError as exc:
        return f"<p>{render.esc(exc)}</p>"
    return render.report_html(rep.title or rep.path, rep.text, int(span[1]), int(span[2]))


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
    table = gr.Dataframe(headers=render.REPORT_COLUMNS, interactive=False, elem_id="isnad-reports",
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
        # The API and the chat share one pool of answer workers (threads): while one
        # answer waits on SQLite or numpy (no GIL held) another computes.
        gr.api(_api(backend), api_name="ask", concurrency_id="answers",
               concurrency_limit=backend.cfg.answer_workers)

        chat_io = dict(inputs=[question, chat, turns, cites, since, until, sources, docs],
                       outputs=[chat, turns, cites, cite_list, question])
        for trigger in (send.click, question.submit):
            trigger(partial(respond, backend), **chat_io, api_name="chat",
                    api_visibility="undocumented", concurrency_id="answers",
                    concurrency_limit=backend.cfg.answer_workers)
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
    demo.launch(server_name=host, server_port=cfg.port, css=render.CSS, head=render.HEAD,
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
