"""The Gradio app: Chat, Reports, Figures and Check tabs, a status line, and the HTTP API.

``build_app(backend)`` makes the Blocks; ``serve(cfg)`` opens the index in a
background thread (seeding an empty index with the bundled samples, then
warming the embedder), launches on ``cfg.host``/``cfg.port`` and adds the plain
HTTP API (``api.py``: ``POST /api/ask``, ``POST /api/search``, ``GET /health``)
behind the same login. Gradio endpoints: ``/ask`` (the answer as JSON text),
``/upload``, ``/remove``, ``/reports``, ``/figures``, ``/check``. The tabs live in
``chat``, ``reports_tab`` and ``figures``; rendering in ``render`` (pure, escaped).
IsnadError becomes a message here, at the edge; nothing else is caught.
"""

from __future__ import annotations

import json
import logging
from importlib.resources import files
from pathlib import Path

import gradio as gr

from assistant.config import Config
from assistant.errors import IsnadError
from assistant.ui.access import check_bind, gradio_auth
from assistant.ui.api import mount_api
from assistant.ui.assets import CSS, HEAD
from assistant.ui.backend import Backend, ask_dict
from assistant.ui.chat import chat_tab
from assistant.ui.figures import check_tab, figures_tab
from assistant.ui.reports_tab import reports_tab

log = logging.getLogger("isnad.ui")
# samples/ of the repository, installed as the package data assistant.samples
SAMPLES_DIR = Path(str(files("assistant.samples")))


def _api(backend: Backend):
    def ask(question: str, since: str = "", until: str = "", sources: list[str] | None = None,
            doc_ids: list[str] | None = None, history: str = "") -> str:
        """Answer a question; returns the JSON text that ``isnad ask --json`` prints.

        sources/doc_ids: lists or comma-separated strings; history: JSON list of
        [question, answer] pairs of the previous turns. JSON text rather than a
        dict because gradio_client 2.7 takes any returned dict with a "path" key
        (as every citation has) for a file to download, and fails; ``POST /api/ask``
        returns the JSON object itself.
        """
        try:
            answer = ask_dict(backend, question, since, until, sources, doc_ids, history)
        except IsnadError as exc:  # API-only: plain text for the client; no traceback logged
            raise gr.Error(str(exc), print_exception=False) from exc
        return json.dumps(answer, ensure_ascii=False, indent=2)
    return ask


def build_app(backend: Backend) -> gr.Blocks:
    """The Blocks app over ``backend`` (which may still be loading)."""
    # Gradio's cache (uploaded files, exported CSVs): files older than 6 h go, hourly.
    with gr.Blocks(title="Isnad · إسناد", delete_cache=(3600, 6 * 3600)) as demo:
        gr.Markdown("## Isnad · إسناد — cited answers from conflict reports / "
                    "أجوبة موثّقة من التقارير")
        status = gr.Markdown(backend.status(), elem_id="isnad-status")
        timer = gr.Timer(1.0)
        with gr.Tab("Chat · المحادثة") as chat:
            parts = chat_tab(backend)
        with gr.Tab("Reports · التقارير") as reports:
            listing = reports_tab(backend, [parts.sources, parts.docs], status, demo)
        with gr.Tab("Figures · الأرقام") as figures:
            figures_tab(backend)
        with gr.Tab("Check a claim · تحقّق من ادعاء") as check:
            check_tab(backend)
        listing.follow(reports, [chat, figures, check])
        gr.api(_api(backend), api_name="ask", concurrency_id="answers",
               concurrency_limit=backend.cfg.answer_workers)
        timer.tick(lambda: (backend.status(), gr.Timer(active=not backend.ready.is_set())),
                   None, [status, timer], api_visibility="private")
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
    auth = gradio_auth(cfg)
    demo.launch(server_name=host, server_port=cfg.port, css=CSS, head=HEAD, auth=auth,
                max_file_size=cfg.max_upload_bytes, ssr_mode=False, show_error=True,
                prevent_thread_lock=True, quiet=not block)
    mount_api(demo.app, backend, auth)  # /api/ask, /api/search, /health: same users
    if block:
        demo.block_thread()
    return demo, backend
