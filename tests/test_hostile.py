"""Hostile input through the public paths (``Assistant.ingest``, ``ask``, ``search``).

Each bad file must be refused with a clear reason in ``summary.skipped`` and
leave the index exactly as it was; files that are usable but carry hostile
parts (scripts, bidi overrides, NULs, a corrupt byte) are ingested without them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from parser_fixtures import add_zip_bomb, build_docx, build_pdf

from assistant.answer.question import MAX_QUESTION_CHARS
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import InputError
from assistant.store.folder import FolderStore
from assistant.ui.access import safe_upload_name

BODY = "قتل 12 مدنياً في قصف على مدينة حلب في 4 شباط 2018 وفق المرصد السوري."


@pytest.fixture
def asst(tmp_path: Path) -> Assistant:
    """A lexical index holding two ordinary reports."""
    corpus = tmp_path / "base"
    corpus.mkdir()
    (corpus / "a.txt").write_text(f"تقرير أول\n\n{BODY}\n", encoding="utf-8")
    (corpus / "b.md").write_text("---\ntitle: Second report\n---\nShelling hit Idlib market.\n",
                                 encoding="utf-8")
    store = FolderStore(tmp_path / "idx", "none", 8)
    assistant = Assistant(Config(index_dir=store.dir), store, None)
    assert assistant.ingest([corpus], embed=False).added == 2
    return assistant


def state(asst: Assistant) -> tuple:
    """Everything an ingest could change: reports, chunk spans, lexical rows, figures."""
    con = asst.store.conn()
    return (sorted(con.execute("SELECT doc_id, content_hash, title FROM reports")),
            sorted(con.execute("SELECT doc_id, start, end, text FROM chunks")),
            con.execute("SELECT COUNT(*) FROM chunks_fts").fetchone()[0],
            sorted(con.execute("SELECT doc_id, value, start, end FROM figures")))


def refused(asst: Assistant, path: Path, reason: str) -> str:
    """Ingest ``path``; it must be skipped for ``reason`` with the index unchanged."""
    before = state(asst)
    summary = asst.ingest([path], embed=False)
    assert (summary.added, summary.updated) == (0, 0)
    assert len(summary.skipped) == 1, summary.skipped
    where, why = summary.skipped[0]
    assert where == path.name and reason in why, why
    assert state(asst) == before
    assert asst.store.verify().ok
    return why


def accepted(asst: Assistant, path: Path):
    """Ingest ``path``; exactly one report is added and the index stays valid."""
    summary = asst.ingest([path], embed=False)
    assert (summary.added, summary.skipped) == (1, []), summary.skipped
    assert asst.store.verify().ok
    return asst.report(summary.doc_ids[0])


def test_oversized_file_is_refused_before_reading(tmp_path: Path, asst: Assistant) -> None:
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:  # sparse: no 60 MB of real disk or memory
        fh.truncate(asst.cfg.max_file_bytes + 1)
    refused(asst, big, "over the limit")


def test_zip_bomb_docx(tmp_path: Path, asst: Assistant) -> None:
    bomb = add_zip_bomb(build_docx(tmp_path / "bomb.docx", ["harmless text"]))
    refused(asst, bomb, "zip bomb")


def test_docx_that_is_not_a_zip(tmp_path: Path, asst: Assistant) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_text("just text pretending to be Word", encoding="utf-8")
    refused(asst, fake, "not a valid .docx")


def test_malformed_pdf(tmp_path: Path, asst: Assistant) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer<<>>\n%%EOF")
    refused(asst, bad, "malformed PDF")


def test_truncated_pdf(tmp_path: Path, asst: Assistant) -> None:
    good = build_pdf(tmp_path / "whole.pdf", ["Shelling hit the market of Saraqib."])
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(good.read_bytes()[:400])
    refused(asst, cut, "PDF")


def test_encrypted_pdf(tmp_path: Path, asst: Assistant) -> None:
    locked = build_pdf(tmp_path / "locked.pdf", ["Secret report text."], password="pw")
    refused(asst, locked, "encrypted")


def test_html_scripts_styles_and_handlers_never_indexed(tmp_path: Path,
                                                        asst: Assistant) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Market strike</title><script>var SCRIPTTOKEN = 1;</script>"
        "<style>.STYLETOKEN{color:red}</style></head><body onload=\"HANDLERTOKEN()\">"
        "<p>Warplanes struck the vegetable market in Maarat al-Numan on Monday, killing "
        "several civilians and wounding dozens, local medics said.</p>"
        "<img src=x onerror=\"ONERRORTOKEN()\"><noscript>NOSCRIPTTOKEN</noscript>"
        "<script type=\"module\">import('SCRIPTTOKEN2')</script></body></html>",
        encoding="utf-8")
    report = accepted(asst, page)
    assert "vegetable market" in report.text
    for token in ("SCRIPTTOKEN", "STYLETOKEN", "HANDLERTOKEN", "ONERRORTOKEN",
                  "NOSCRIPTTOKEN", "SCRIPTTOKEN2"):
        assert token.lower() not in report.text.lower()
        assert asst.search(token, mode="lexical") == []
    assert asst.search("vegetable market", mode="lexical")[0].doc_id == report.doc_id


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\windows\\win.ini",
                                  "/abs/path/report.pdf", "..", ".hidden.txt",
                                  "evil\u202egpj.exe.txt", "nul\x00byte.txt",
                                  "a" * 500 + ".docx", "  .  ", "con:stream.csv"])
def test_upload_names_cannot_escape_the_upload_folder(tmp_path: Path, name: str) -> None:
    safe = safe_upload_name(name)
    assert safe and "/" not in safe and "\\" not in safe and "\x00" not in safe
    assert not safe.startswith(".") and "\u202e" not in safe and len(safe) <= 120
    target = (tmp_path / safe).resolve()
    assert target.parent == tmp_path.resolve()


def test_upload_name_keeps_an_ordinary_name() -> None:
    assert safe_upload_name("تقرير حلب 2018.PDF") == "تقرير_حلب_2018.pdf"
    assert safe_upload_name("../../etc/passwd.txt") == "passwd.txt"


def test_path_traversal_name_ingests_inside_the_folder(tmp_path: Path,
                                                       asst: Assistant) -> None:
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    path = uploads / safe_upload_name("../../etc/passwd.txt")
    path.write_text("Uploaded note\n\nShelling hit Saraqib.\n", encoding="utf-8")
    report = accepted(asst, path)
    assert report.path == "passwd.txt"


def test_csv_with_a_million_columns(tmp_path: Path, asst: Assistant) -> None:
    wide = tmp_path / "wide.csv"
    with open(wide, "w", encoding="utf-8") as fh:
        fh.write("text," + ",".join(f"c{i}" for i in range(1_000_000)) + "\n")
        fh.write("Shelling," + "," * 999_999 + "\n")
    refused(asst, wide, "1,000,001 columns")


def test_csv_with_a_100_mb_cell(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "giant.csv"
    with open(path, "w", encoding="utf-8") as fh:  # written in pieces: memory stays small
        fh.write('title,text\nGiant,"')
        for _ in range(100):
            fh.write("x" * 1_000_000)
        fh.write('"\n')
    refused(asst, path, "over the limit")


def test_csv_cell_over_the_cell_limit_is_a_skipped_row(tmp_path: Path,
                                                       asst: Assistant) -> None:
    path = tmp_path / "cells.csv"
    cell = "y" * (asst.cfg.max_cell_chars + 1)
    path.write_text(f'title,text\nGiant,"{cell}"\nSmall,"Shelling hit Saraqib."\n',
                    encoding="utf-8")
    summary = asst.ingest([path], embed=False)
    assert summary.added == 1 and len(summary.skipped) == 1
    where, why = summary.skipped[0]
    assert where == "cells.csv#1" and "a cell has" in why
    assert asst.store.verify().ok


def test_invalid_utf8_byte_keeps_the_text(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "corrupt.txt"
    path.write_bytes("عنوان التقرير\n\n".encode() + BODY.encode()[:20] + b"\xff\xfe"
                     + BODY.encode()[20:])
    report = accepted(asst, path)
    assert report.title == "عنوان التقرير" and "المرصد السوري" in report.text
    assert "\ufffd" in report.text and report.language == "ar"


def test_random_bytes_are_refused_as_binary(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(8000)))
    refused(asst, path, "binary")


def test_many_nul_bytes_are_refused(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "nuls.txt"
    path.write_bytes(b"Report\n\n" + b"word\x00 " * 400)
    refused(asst, path, "NUL")


def test_a_few_nul_bytes_are_dropped(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "fewnul.txt"
    path.write_bytes(b"Report\x00 title\n\n" + b"Shelling hit Saraqib market. " * 20)
    report = accepted(asst, path)
    assert "\x00" not in report.text and "\x00" not in report.title


def test_bidi_overrides_and_controls_leave_titles(tmp_path: Path, asst: Assistant) -> None:
    md = tmp_path / "rlo.md"
    md.write_text("---\ntitle: \"\u202etxt.exe\u202c report\\a on \u2066Aleppo\u2069\"\n"
                  "---\nShelling hit Aleppo.\n", encoding="utf-8")
    report = accepted(asst, md)
    assert report.title == "txt.exe report on Aleppo"
    stored = asst.store.conn().execute("SELECT title FROM reports WHERE doc_id = ?",
                                       (report.doc_id,)).fetchone()[0]
    assert not any(c in stored for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069\x07")


def test_deeply_nested_json_row_is_skipped(tmp_path: Path, asst: Assistant) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
                    '{"text": "Shelling hit Saraqib."}\n', encoding="utf-8")
    summary = asst.ingest([path], embed=False)
    assert summary.added == 1 and summary.skipped == [("deep.jsonl#1",
                                                       "JSON nested too deeply")]


def test_yaml_alias_bomb_in_front_matter(tmp_path: Path, asst: Assistant) -> None:
    levels = ["a: &a [x,x,x,x,x,x,x,x,x]"] + [
        f"{b}: &{b} [{','.join(['*' + a] * 9)}]" for a, b in zip("abcdefg", "bcdefgh",
                                                                 strict=True)]
    path = tmp_path / "bomb.md"
    path.write_text("---\n" + "\n".join(levels) + "\ntitle: Alias bomb\n---\nBody text.\n",
                    encoding="utf-8")
    report = accepted(asst, path)
    assert report.title == "Alias bomb"


def test_unsupported_and_unreadable_files(tmp_path: Path, asst: Assistant) -> None:
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ" + bytes(100))
    refused(asst, exe, "unsupported file type")
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", encoding="utf-8")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything: nothing to test then
        pytest.skip("running as root")
    refused(asst, locked, "cannot read")


# -- questions -------------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "reason"), [
    ("", "empty"), ("   \n\t ", "empty"),
    ("x" * 100_000, f"limit is {MAX_QUESTION_CHARS}"),
    ("how many\x00 killed?", "control characters"),
    ("كم قتيلا\x1b[31m؟", "control characters"),
    ("who\x7f?", "control characters"),
])
def test_bad_questions_get_clear_errors(asst: Assistant, question: str, reason: str) -> None:
    for call in (asst.ask, asst.search):
        with pytest.raises(InputError, match=reason):
            call(question)


@pytest.mark.parametrize("question", ['"Idlib" OR market*', "NEAR(a b) AND -c ^d",
                                      "market); DROP TABLE reports; --", "'\"()*:"])
def test_query_syntax_is_data_not_code(asst: Assistant, question: str) -> None:
    hits = asst.search(question, mode="lexical")
    assert all(h.text in asst.get_text(h.doc_id) for h in hits)
    assert asst.store.counts()["reports"] == 2
    con = sqlite3.connect(asst.store.dir / "isnad.sqlite")
    assert con.execute("SELECT COUNT(*) FROM reports").fetchone()[0] == 2
