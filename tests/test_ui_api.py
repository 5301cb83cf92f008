"""The Gradio app through gradio_client, over a tiny real index (seed + one English report).

The app is started with ``ui.serve`` on 127.0.0.1 and a free port; its empty
index is seeded from a temporary folder holding the bundled SOHR report and an
English report written here, which exercises the start-up seeding path too.
Also unit tests of the pure rendering helpers (escaping, file names, dates).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import re
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant.cli import main as cli_main
from assistant.config import Config
from assistant.errors import InputError
from assistant.records import Answer, Citation
from assistant.ui import render
from assistant.ui.reports import check_upload

SEED = Path(__file__).resolve().parents[1] / "samples" / "000_9c31ee48a94572c0.txt"
SEED_META = SEED.with_name(SEED.name + ".meta.json")
Q_SEED = "كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام في جنوب دمشق؟"
ENGLISH_MD = """---
title: "Aleppo field report: shelling of Al-Sukkari market"
date: 2019-03-12
source: Test Wire
url: https://example.org/aleppo-sukkari
---
On 12 March 2019, artillery shelling hit the Al-Sukkari market in southern Aleppo. Local medics
said 14 civilians were killed, including 5 children, and 31 people were wounded.

Witnesses said the shells were fired from positions held by government forces east of the city.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path):
    """Serve the app over a fresh index seeded with the two fixture reports; (url, backend)."""
    from assistant.ui.app import serve

    docs = tmp / "docs"
    docs.mkdir()
    (docs / SEED.name).write_bytes(SEED.read_bytes())
    (docs / SEED_META.name).write_bytes(SEED_META.read_bytes())  # its date and source
    (docs / "aleppo_field_report.md").write_text(ENGLISH_MD, encoding="utf-8")
    cfg = Config(index_dir=tmp / "index", port=free_port(), max_upload_bytes=200_000)
    demo, backend = serve(cfg, seed_dir=docs, block=False)
    backend.get(timeout=600)
    return demo, backend, f"http://127.0.0.1:{cfg.port}/"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    demo, backend, url = start_app(tmp_path_factory.mktemp("ui_api"))
    yield backend, url
    demo.close()
    backend.close()


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app[1], verbose=False)


def ask(client, question: str, **kw) -> dict:
    return json.loads(client.predict(question=question, api_name="/ask", **kw))


def doc_id_of(backend, path: str) -> str:
    return next(r["doc_id"] for r in backend.get().reports() if r["path"] == path)


def http(url: str, path: str, body: dict | None = None, auth: tuple[str, str] | None = None,
         opener=None) -> tuple[int, dict, dict]:
    """(status, JSON body, headers) of a GET, or a POST of ``body``, to the served app."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(url.rstrip("/") + path, data=data, method="GET" if body is None
                                 else "POST", headers={"Content-Type": "application/json"})
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with (opener or urllib.request.build_opener()).open(req, timeout=300) as resp:
            return resp.status, json.loads(resp.read()), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)


def n_reports(client) -> int:
    rows = client.predict(api_name="/reports")[0]
    return len(rows["data"] if isinstance(rows, dict) else rows)


# -- the app over gradio_client -------------------------------------------------------------
def test_start_up_seeded_the_empty_index(app):
    backend, _ = app
    paths = sorted(r["path"] for r in backend.get().reports())
    assert paths == sorted([SEED.name, "aleppo_field_report.md"])
    assert "ready" in backend.status()
    assert "multilingual-e5-small" in backend.status()


def test_ask_arabic_question_on_seed(client):
    ans = ask(client, Q_SEED)
    assert ans["found"] is True
    assert "52" in ans["short_answer"]
    first = ans["citations"][0]
    seed_text = SEED.read_text(encoding="utf-8")
    assert "52" in first["quote"]
    assert seed_text[first["start"]:first["end"]] == first["quote"]


def test_api_json_equals_cli_json(app, client, capsys):
    backend, _ = app
    api = ask(client, "How many children were killed in Aleppo?")
    assert cli_main(["--index", str(backend.cfg.index_dir), "ask",
                     "How many children were killed in Aleppo?", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert set(api) == set(cli) == {f.name for f in dataclasses.fields(Answer)}
    assert [set(c) for c in api["citations"]] == [{f.name for f in dataclasses.fields(Citation)}
                                                  for _ in cli["citations"]]
    api.pop("timings_ms"), cli.pop("timings_ms")
    assert api == cli


def test_http_api_ask_is_a_json_object_like_the_cli(app, client, capsys):
    backend, url = app
    status, api, _ = http(url, "/api/ask", {"question": "How many children were killed in Aleppo?"})
    assert status == 200 and isinstance(api, dict)  # the answer itself, not a JSON string
    assert cli_main(["--index", str(backend.cfg.index_dir), "ask",
                     "How many children were killed in Aleppo?", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    api.pop("timings_ms"), cli.pop("timings_ms")
    assert api == cli and "5" in api["short_answer"]


def test_http_api_takes_history_filters_and_refuses_bad_input(app):
    backend, url = app
    first = "How many civilians were killed in Aleppo?"
    _, ans, _ = http(url, "/api/ask", {"question": first})
    status, follow, _ = http(url, "/api/ask", {"question": "and how many children?",
                                               "history": [[first, ans["answer"]]]})
    assert status == 200 and "5" in follow["short_answer"]
    status, only, _ = http(url, "/api/ask", {"question": Q_SEED, "until": "2018-12-31",
                                             "sources": ["Test Wire"]})
    assert status == 200 and only["citations"] == []  # Test Wire's report is of 2019
    status, err, _ = http(url, "/api/ask", {"question": Q_SEED, "since": "2019-13-01"})
    assert status == 400 and "since" in err["error"]
    status, err, _ = http(url, "/api/ask", {"question": "   "})
    assert status == 400 and "empty" in err["error"]
    status, err, _ = http(url, "/api/ask", {"history": []})
    assert status == 422 and err["detail"][0]["loc"] == ["body", "question"]
    status, hits, _ = http(url, "/api/search", {"query": "Al-Sukkari market shelling", "k": 2})
    assert status == 200 and hits["hits"][0]["path"] == "aleppo_field_report.md"
    assert {"rank", "doc_id", "text", "start", "end", "score"} <= set(hits["hits"][0])
    status, health, _ = http(url, "/health")
    assert status == 200 and health["counts"]["reports"] >= 2  # no users file: all of it


def test_a_refused_question_is_one_log_line_and_no_traceback(client, capfd):
    from gradio_client.exceptions import AppError

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("isnad.questions")
    logger.addHandler(handler)
    try:
        capfd.readouterr()
        with pytest.raises(AppError, match="<2019-13-01>"):  # plain text, not &lt;…&gt;
            client.predict(question=Q_SEED, since="<2019-13-01>", api_name="/ask")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == ["question failed"]
    assert records[0].error["type"] == "InputError"
    assert "Traceback" not in capfd.readouterr().err


def test_follow_up_uses_history(client):
    first = ask(client, "How many civilians were killed in Aleppo?")
    assert "14" in first["short_answer"]
    history = json.dumps([["How many civilians were killed in Aleppo?", first["answer"]]])
    follow = ask(client, "and how many children?", history=history)
    assert "5" in follow["short_answer"]
    assert "children" in follow["citations"][0]["quote"]


def test_filters_restrict_the_sources(app, client):
    backend, _ = app
    seed_id = doc_id_of(backend, SEED.name)
    english_id = doc_id_of(backend, "aleppo_field_report.md")
    after = ask(client, Q_SEED, since="2019-01-01")
    assert seed_id not in {c["doc_id"] for c in after["citations"]}
    before = ask(client, "How many civilians were killed in Aleppo?", until="2018-12-31")
    assert english_id not in {c["doc_id"] for c in before["citations"]}
    wire = ask(client, "How many people were wounded?", sources=["Test Wire"])
    assert {c["doc_id"] for c in wire["citations"]} == {english_id}
    only_seed = ask(client, Q_SEED, doc_ids=seed_id)  # a comma-separated string works too
    assert {c["doc_id"] for c in only_seed["citations"]} == {seed_id}


def test_bad_date_filter_is_a_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="since"):
        client.predict(question=Q_SEED, since="2019-13-01", api_name="/ask")


def test_upload_ask_then_remove(app, client, tmp_path):
    from gradio_client import handle_file

    backend, _ = app
    f = tmp_path / "homs_update.txt"
    f.write_text("Homs update\n\nOn 3 April 2020, 7 fighters were captured near Homs "
                 "by local militias.\n", encoding="utf-8")
    before = n_reports(client)
    msg = client.predict(files=[handle_file(str(f))], api_name="/upload")
    assert msg.startswith("added 1")  # the job's outcome, after its progress lines
    assert n_reports(client) == before + 1
    ans = ask(client, "How many fighters were captured near Homs?")
    assert "7" in ans["short_answer"]
    assert ans["citations"][0]["path"] == "homs_update.txt"
    assert "removed 1" in client.predict("homs_update.txt", api_name="/remove")
    assert n_reports(client) == before
    again = ask(client, "How many fighters were captured near Homs?")
    assert "homs_update.txt" not in {c["path"] for c in again["citations"]}
    assert "nothing indexed" in client.predict("homs_update.txt", api_name="/remove")


def test_bad_uploads_change_nothing(client, tmp_path, capfd):
    from gradio_client import handle_file

    capfd.readouterr()
    before = n_reports(client)
    binary = tmp_path / "looks_like_text.txt"
    binary.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50)
    good = tmp_path / "fine.txt"
    good.write_text("A fine report about 3 convoys near Idlib.\n", encoding="utf-8")
    msg = client.predict(files=[handle_file(str(good)), handle_file(str(binary))],
                         api_name="/upload")
    assert "Nothing was added" in msg and "looks_like_text.txt" in msg
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00" * 10)
    msg = client.predict(files=[handle_file(str(exe))], api_name="/upload")
    assert "Nothing was added" in msg and "tool.exe: type .exe is not accepted" in msg
    big = tmp_path / "big.txt"
    big.write_text("word " * 50_000, encoding="utf-8")  # 250 kB > the 200 kB test limit
    with pytest.raises(ValueError, match="maximum file size"):  # Gradio's limit = ours
        client.predict(files=[handle_file(str(big))], api_name="/upload")
    assert "upload limit" in check_upload(big, big.name, 200_000)  # ours, behind Gradio's
    assert "binary" in check_upload(binary, binary.name, 200_000)
    assert "not accepted" in check_upload(exe, exe.name, 200_000)
    assert n_reports(client) == before
    assert "Traceback" not in capfd.readouterr().err  # ordinary bad input: no tracebacks


# -- pure helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\Windows\\evil.TXT", "evil.txt"),
    ("تقرير حلب.md", "تقرير حلب.md"),
    ("a<b>|c\u202e.txt", "a_b__c.txt"),
    ("..", "upload"),
    (".hidden.csv", "hidden.csv"),
])
def test_safe_filename(name, expected):
    assert render.safe_filename(name) == expected


def test_dates_are_validated():
    assert render.check_date(" 2019-03-12 ", "since") == "2019-03-12"
    assert render.check_date("", "since") is None
    for bad in ("2019-02-30", "12/03/2019", "2019-3-1"):
        with pytest.raises(InputError):
            render.check_date(bad, "until")


def test_report_text_is_escaped_everywhere():
    evil = 'Hello <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>'
    md = render.answer_md(f"**{evil}** [1] [7]", 1, 0, rtl=False)
    assert "<script>" not in md and "<img" not in md
    assert not re.search(r"(?<!\\)\]\(", md)  # no live markdown link: "]" is escaped
    assert md.count('class="isnad-cite"') == 1  # [7] is no citation of this answer
    cite = {"n": 1, "doc_id": "d", "path": "p<b>.txt", "record": None, "title": evil,
            "date": None, "source": "", "url": "javascript:alert(4)", "quote": "<script>",
            "start": 6, "end": 14, "score": 1.0}
    html = render.source_html(cite, evil)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "<mark>&lt;script&gt;</mark>" in html
    assert 'href="javascript' not in html
    assert "<script>" not in render.report_html(evil, evil, 6, 14)
    assert "<script>" not in render.user_message(evil)


def test_arabic_messages_are_rtl_with_isolated_latin():
    msg = render.user_message("كم قتيلاً في Al-Sukkari يوم 2019-03-12؟")
    assert msg.startswith('<div dir="rtl"')
    assert "<bdi>Al\\-Sukkari</bdi>" in msg
    assert render.user_message("How many?").startswith('<div dir="ltr"')


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_upload_ingest_runs_at_lower_priority_and_passes_results_and_errors_on():
    import os
    import threading

    from assistant.ui.reports import at_low_priority

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    here = niceness()
    assert at_low_priority(5, niceness) == min(19, here + 5)
    assert niceness() == here  # the calling (server) thread keeps its priority
    with pytest.raises(InputError, match="bad file"):
        at_low_priority(5, lambda: (_ for _ in ()).throw(InputError("bad file")))


def test_exports_are_named_by_their_content_and_the_oldest_deleted(tmp_path, monkeypatch):
    from assistant.ui import exports

    monkeypatch.setattr(exports, "KEEP", 3)
    first = exports.save_csv(tmp_path, "isnad-x", lambda out: out.write("a,b\r\n"))
    assert first == exports.save_csv(tmp_path, "isnad-x", lambda out: out.write("a,b\r\n"))
    assert first.read_bytes() == b"\xef\xbb\xbfa,b\r\n"  # a BOM: Excel shows Arabic
    for i in range(5):
        exports.save_csv(tmp_path, "isnad-x", lambda out, i=i: out.write(f"{i}\r\n"))
    assert len(list(tmp_path.glob("*.csv"))) == 3 and not first.exists()


def test_reports_table_filters_and_sorts():
    from assistant.ui.reports_tab import ReportFilter, filter_reports

    reps = [{"doc_id": "a", "path": "a.md", "title": "حلب", "date": "2019-03-12",
             "source": "Wire", "chunks": 2},
            {"doc_id": "b", "path": "b.txt", "title": "Homs", "date": None, "source": "",
             "chunks": 9},
            {"doc_id": "c", "path": "c.txt", "title": "Idlib", "date": "2018-04-24",
             "source": "SOHR", "chunks": 7}]
    ids = lambda flt: [r["doc_id"] for r in filter_reports(reps, flt)]  # noqa: E731
    assert ids(ReportFilter()) == ["a", "c", "b"]  # newest first, undated last
    assert ids(ReportFilter(sort="date, oldest first · الأقدم أولاً")) == ["c", "a", "b"]
    assert ids(ReportFilter(sort="passages · المقاطع")) == ["b", "c", "a"]
    assert ids(ReportFilter(since="2019-01-01")) == ["a"]
    assert ids(ReportFilter(until="2018-12-31", sources=("SOHR", "Wire"))) == ["c"]
    assert ids(ReportFilter(words="حلب")) == ["a"] and ids(ReportFilter(words="B.TXT")) == ["b"]
