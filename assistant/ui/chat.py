"""The Chat tab: streamed cited answers, the sources panel, the copy-citation box, filters
and a "New conversation" button.

``chat_tab(backend)`` builds the tab (call inside ``gr.Tab``) and returns the filter
dropdowns the reports listing refreshes. Answers come from ``backend.ask_events``;
rendering from ``render`` (pure, escaped). IsnadError becomes a message here, at the
edge; nothing else is caught.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import gradio as gr

from assistant.errors import IsnadError
from assistant.ui import render
from assistant.ui.backend import Backend, ask_events

EXAMPLES = ["كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام في جنوب دمشق؟",
            "من أين جاءت التعزيزات العسكرية لقوات النظام؟",
            "How many Islamic State members were killed?"]
HINT = ('<p class="isnad-hint">Click a [n] citation to open its source. / '
        "انقر على رقم المصدر لعرضه.</p>")


@dataclass
class ChatParts:
    """What the app wires to other tabs: the filter dropdowns refreshed by the listing."""

    sources: gr.Dropdown
    docs: gr.Dropdown


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


def new_conversation():
    """Empty chat, history, citations and sources panel (the filters stay as they are)."""
    return ([], [], {}, HINT, "", "", None, gr.update(visible=False), "", "")


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


def _question_column():
    chat = gr.Chatbot(elem_id="isnad-chat", height=520, label="Isnad · إسناد",
                      sanitize_html=True, feedback_options=None, buttons=["copy"])
    question = gr.Textbox(label="Question · السؤال", elem_id="isnad-q", lines=2,
                          placeholder="اكتب سؤالك… / Type your question…")
    with gr.Row():
        send = gr.Button("Ask · اسأل", variant="primary", elem_id="isnad-send", scale=3)
        fresh = gr.Button("New conversation · محادثة جديدة", variant="secondary",
                          elem_id="isnad-new", scale=1, min_width=260)
    gr.Examples(EXAMPLES, inputs=question, label="Examples · أمثلة")
    with gr.Accordion("Filters · تصفية (apply to the next questions)", open=False):
        with gr.Row():
            since = gr.Textbox(label="Since · من تاريخ (YYYY-MM-DD)", elem_id="isnad-since")
            until = gr.Textbox(label="Until · إلى تاريخ (YYYY-MM-DD)", elem_id="isnad-until")
        sources = gr.Dropdown([], multiselect=True, label="Sources · المصادر")
        docs = gr.Dropdown([], multiselect=True, label="Reports · التقارير",
                           elem_id="isnad-docs")
    return chat, question, send, fresh, since, until, sources, docs


def _sources_column(backend: Backend, cites, span):
    gr.Markdown("### Sources · المصادر")
    cite_list = gr.HTML(HINT, elem_id="isnad-src-list")
    view = gr.HTML("", elem_id="isnad-source")
    copy = gr.Textbox(label="Copy citation · نسخ الاستشهاد", buttons=["copy"], lines=5,
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
    return cite_list, view, copy, whole_btn, whole


def chat_tab(backend: Backend) -> ChatParts:
    """The Chat tab (call inside ``gr.Tab``)."""
    turns, cites, span = gr.State([]), gr.State({}), gr.State(None)
    with gr.Row():
        with gr.Column(scale=3):
            chat, question, send, fresh, since, until, sources, docs = _question_column()
        with gr.Column(scale=2):
            cite_list, view, copy, whole_btn, whole = _sources_column(backend, cites, span)
    # The API and the chat share one pool of answer workers (threads): while one
    # answer waits on SQLite or numpy (no GIL held) another computes.
    chat_io = dict(inputs=[question, chat, turns, cites, since, until, sources, docs],
                   outputs=[chat, turns, cites, cite_list, question])
    for trigger in (send.click, question.submit):
        trigger(partial(respond, backend), **chat_io, api_name="chat",
                api_visibility="undocumented", concurrency_id="answers",
                concurrency_limit=backend.cfg.answer_workers)
    fresh.click(new_conversation, None,
                [chat, turns, cites, cite_list, view, copy, span, whole_btn, whole, question],
                api_visibility="private")
    return ChatParts(sources, docs)
