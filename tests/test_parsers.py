"""Parsers: every format on small documents built here, bad inputs, and the shared corpora."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import SEED
from parser_fixtures import add_zip_bomb, build_docx, build_pdf, visual

from assistant.errors import InputError, UnsupportedFormatError
from assistant.ingest.parsers import SUPPORTED_SUFFIXES, ParseOptions, Skip, parse_file
from assistant.ingest.pdf import fix_visual_line, is_visual_line
from assistant.records import Report

OPTS = ParseOptions()
AR_BODY = "قتل 12 مدنياً في قصف على مدينة حلب في 4 شباط- فبراير 2018 وفق المرصد السوري."


def parse(path: Path, opts: ParseOptions = OPTS) -> list:
    return list(parse_file(path, path.name, opts))


def only(path: Path, opts: ParseOptions = OPTS) -> Report:
    items = parse(path, opts)
    assert len(items) == 1 and isinstance(items[0], Report)
    return items[0]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8", newline="")
    else:
        path.write_bytes(data)
    return path


# --- txt -----------------------------------------------------------------

def test_seed_report_keeps_full_text_and_title_without_number():
    report = only(SEED)
    raw = SEED.read_text(encoding="utf-8")
    first_line, _, rest = raw.partition("\n")
    assert report.text == raw.replace("\r\n", "\n")
    assert report.title == first_line.strip()
    assert "42" not in report.title and rest.lstrip().startswith("42")
    assert report.language == "ar"
    assert report.path == SEED.name and report.record is None
    assert report.doc_id == hashlib.sha1(f"{SEED.name}#".encode()).hexdigest()[:16]


def test_bundled_sample_takes_its_date_and_source_from_its_metadata_file():
    report = only(SEED)  # the text states no date; samples/…txt.meta.json gives it
    assert report.date == "2018-04-24"
    assert report.source == "Syrian Observatory for Human Rights (SOHR)"
    assert report.text == SEED.read_text(encoding="utf-8")  # the report itself is untouched


def test_metadata_file_overrides_what_the_text_says_and_bad_ones_are_refused(tmp_path):
    path = write(tmp_path, "r.md", f"---\ntitle: Old\nsource: Wire\n---\n{AR_BODY}")
    plain = only(path)
    write(tmp_path, "r.md.meta.json", json.dumps({"date": "3 March 2018", "title": "New",
                                                  "url": "https://example.org/r", "x": 1}))
    meta = only(path)
    assert (meta.date, meta.title, meta.source, meta.url) == (
        "2018-03-03", "New", "Wire", "https://example.org/r")
    assert meta.content_hash != plain.content_hash and meta.doc_id == plain.doc_id
    for bad, reason in (("[1, 2]", "not a JSON object"), ("{", "not a JSON object"),
                        ('{"date": "someday"}', "is not a date")):
        write(tmp_path, "r.md.meta.json", bad)
        with pytest.raises(InputError, match=reason):
            only(path)
    write(tmp_path, "rows.csv.meta.json", '{"date": "someday"}')  # rows: no metadata file
    rows = parse(write(tmp_path, "rows.csv", "title,text\nA,Body of A.\n"))
    assert [r.title for r in rows] == ["A"]


def test_identity_and_hash(tmp_path):
    a = only(write(tmp_path, "a.txt", "Title\n\nBody one."))
    b = only(write(tmp_path, "b.txt", "Title\n\nBody two."))
    again = only(tmp_path / "a.txt")
    assert a.content_hash == again.content_hash != b.content_hash
    assert len(a.content_hash) == 64 and a.doc_id != b.doc_id
    assert list(parse_file(tmp_path / "a.txt", "sub/a.txt", OPTS))[0].path == "sub/a.txt"


def test_txt_number_line_first_and_date_from_text(tmp_path):
    report = only(write(tmp_path, "r.txt", "\n١٧\n\nعنوان التقرير\n\n" + AR_BODY))
    assert report.title == "عنوان التقرير"
    assert report.date == "2018-02-04"
    assert report.source == "" and report.language == "ar"
    assert only(tmp_path / "r.txt", ParseOptions(default_source="SOHR")).source == "SOHR"


def test_txt_bom_crlf_and_encodings(tmp_path):
    text = "عنوان\r\n\r\nنص التقرير\r\n"
    bom = only(write(tmp_path, "bom.txt", b"\xef\xbb\xbf" + text.encode()))
    assert bom.text == "عنوان\n\nنص التقرير\n" and bom.title == "عنوان"
    assert only(write(tmp_path, "u16.txt", text.encode("utf-16"))).text == bom.text
    assert only(write(tmp_path, "win.txt", text.encode("cp1256"))).text == bom.text
    latin = only(write(tmp_path, "latin.txt", "Caf\xe9 report\n".encode("latin-1")))
    assert latin.text == "Café report\n"


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\n \t", "empty"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0", "binary"),
    (bytes(range(1, 32)) * 20, "binary"),
])
def test_txt_refuses_empty_and_binary(tmp_path, data, reason):
    with pytest.raises(InputError, match=reason):
        parse(write(tmp_path, "bad.txt", data))


def test_stray_nul_bytes_are_removed(tmp_path):
    report = only(write(tmp_path, "nul.txt", b"Title\x00 line\n\n" + b"word " * 100))
    assert "\x00" not in report.text and report.title == "Title line"


def test_oversized_file_is_refused(tmp_path):
    path = write(tmp_path, "big.txt", "x" * 100)
    with pytest.raises(InputError, match="over the limit"):
        parse(path, ParseOptions(max_file_bytes=50))
    assert only(path, ParseOptions(max_file_bytes=100)).text == "x" * 100


def test_bidi_controls_stripped_from_title_not_from_text(tmp_path):
    raw = "\u202eevil\u202c\u200f title\x07\n\nbody"
    report = only(write(tmp_path, "rlo.txt", raw))
    assert report.title == "evil title"
    assert report.text == raw


def test_unreadable_path_is_an_input_error(tmp_path):
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(InputError, match="cannot read"):
        parse(tmp_path / "folder.txt")


def test_unsupported_suffix(tmp_path):
    with pytest.raises(UnsupportedFormatError, match=r"\.exe"):
        parse(write(tmp_path, "x.exe", "text"))
    assert {".txt", ".md", ".html", ".htm", ".pdf", ".docx", ".csv", ".jsonl"} <= SUPPORTED_SUFFIXES


# --- md ------------------------------------------------------------------

def test_md_front_matter(tmp_path):
    body = "\n## الموقع\n\n- التاريخ: 4 شباط- فبراير 2018\n" + AR_BODY + "\n"
    raw = ('---\ntitle: "قصف المشفى الوطني"\ndate: 2018-02-19T00:06:18.055Z\n'
           'desc: "مرافق صحية"\nimage: a.jpg\n---\n' + body)
    report = only(write(tmp_path, "x_ar.md", raw), ParseOptions(default_source="Syrian Archive"))
    assert report.text == body
    assert report.title == "قصف المشفى الوطني"
    assert report.date == "2018-02-19"
    assert report.source == "Syrian Archive" and report.language == "ar"
    sourced = only(write(tmp_path, "s.md", "---\nsource: SNHR\ndate: 3/4/2019\n---\nText."))
    assert sourced.source == "SNHR" and sourced.date == "2019-04-03"


def test_md_without_front_matter_and_malformed(tmp_path):
    report = only(write(tmp_path, "plain.md", "# Heading here\n\nSome *markdown* text.\n"))
    assert report.title == "Heading here" and report.text.startswith("# Heading")
    with pytest.raises(InputError, match="front matter"):
        parse(write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\nbody\n"))
    with pytest.raises(InputError, match="no text"):
        parse(write(tmp_path, "hollow.md", "---\ntitle: t\n---\n\n"))


@pytest.mark.shared
def test_syrian_archive_markdown(shared_data):
    files = sorted((shared_data / "syrianarchive").rglob("*.md"))
    reports = [only(f) for f in files]
    arabic = [r for r in reports if r.path.endswith("_ar.md")]
    assert len(reports) == len(files) > 100
    # index_ar.md is MDX imports under an Arabic title: English-looking text is right there.
    assert sum(r.language == "ar" for r in arabic) >= len(arabic) - 1 > 10
    assert sum(1 for r in reports if r.date) / len(reports) > 0.9
    assert all(r.title and not r.text.startswith("---") for r in reports)


# --- html ----------------------------------------------------------------

def test_html_main_text_without_scripts(tmp_path):
    paragraph = ("The Syrian Observatory for Human Rights said 25 civilians were killed in "
                 "air strikes on the town on Tuesday, including seven women and a child. ")
    html = f"""<html><head><title>Air strikes kill 25</title>
      <meta property="article:published_time" content="2014-09-16">
      <script>var secret = "SCRIPTTEXT";</script></head>
      <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
      <article><h1>Air strikes kill 25</h1><p>{paragraph * 3}</p><p>{paragraph}</p></article>
      <footer>Copyright 2014 Example News</footer></body></html>"""
    report = only(write(tmp_path, "page.html", html))
    assert "seven women" in report.text and "SCRIPTTEXT" not in report.text
    assert report.title == "Air strikes kill 25"
    assert report.date == "2014-09-16"


def test_html_tiny_page_falls_back_to_visible_text(tmp_path):
    report = only(write(tmp_path, "tiny.htm",
                        "<html><body><p>Short note.</p><script>var x = 'JS';</script></body></html>"))
    assert "Short note." in report.text and "JS" not in report.text
    with pytest.raises(InputError):
        parse(write(tmp_path, "blank.html", "<html><body><script>x()</script></body></html>"))


# --- pdf -----------------------------------------------------------------

def test_visual_order_fix_unit():
    logical = "قتل 25 مدنياً في الريف الشمالي لمدينة حلب"
    assert is_visual_line(visual(logical)) and not is_visual_line(logical)
    assert fix_visual_line(visual(logical)) == logical
    assert fix_visual_line(logical) == logical
    assert fix_visual_line("Human Rights Watch said 25") == "Human Rights Watch said 25"
    # Presentation forms stored visually: "حلب سوريا" (final form first, initial last).
    forms = "\ufe8e\ufef3\ufead\ufeee\ufeb3 \ufe90\ufee0\ufea3"
    assert fix_visual_line(forms) == "حلب سوريا"
    # The lam-alef ligature expands after reversal: "سلام", not "سالم".
    assert fix_visual_line("\ufee1\ufefc\ufeb3") == "سلام"


def test_pdf_english_and_arabic(tmp_path):
    english = build_pdf(tmp_path / "en.pdf", ["Daily report", "On 5 April 2017 at least 70 died."],
                        title="Khan Sheikhoun")
    report = only(english)
    assert report.title == "Khan Sheikhoun" and report.date == "2017-04-05"
    assert "at least 70 died" in report.text and report.language == "en"
    lines = ["قتل 25 مدنياً في الريف الشمالي لمدينة حلب", "وثق المرصد السوري مقتل 3 أطفال"]
    assert only(build_pdf(tmp_path / "ar.pdf", lines)).text == "\n".join(lines)
    fixed = only(build_pdf(tmp_path / "vis.pdf", [visual(x) for x in lines]))
    assert fixed.text == "\n".join(lines) and fixed.language == "ar"


def test_pdf_bad_inputs(tmp_path):
    with pytest.raises(InputError, match="encrypted"):
        parse(build_pdf(tmp_path / "enc.pdf", ["secret text"], password="pw"))
    with pytest.raises(InputError, match="malformed PDF"):
        parse(write(tmp_path, "broken.pdf", b"%PDF-1.4\n garbage without objects"))
    with pytest.raises(InputError, match="no text layer"):
        parse(build_pdf(tmp_path / "blank.pdf", []))


# --- docx ----------------------------------------------------------------

def test_docx_paragraphs_and_table(tmp_path):
    path = build_docx(tmp_path / "r.docx", ["تقرير يومي", AR_BODY],
                      table=[["المدينة", "القتلى"], ["حلب", "12"]], title="تقرير")
    report = only(path)
    assert report.text == f"تقرير يومي\n{AR_BODY}\nالمدينة\tالقتلى\nحلب\t12\nEnd of report."
    assert report.title == "تقرير" and report.date == "2018-02-04" and report.language == "ar"
    untitled = only(build_docx(tmp_path / "u.docx", ["First line", "Second"]))
    assert untitled.title == "First line"


def test_docx_zip_bomb_and_not_a_zip(tmp_path):
    bomb = add_zip_bomb(build_docx(tmp_path / "bomb.docx", ["harmless"]))
    with pytest.raises(InputError, match="zip bomb"):
        parse(bomb)
    with pytest.raises(InputError, match="not a valid"):
        parse(write(tmp_path, "fake.docx", "just text"))


# --- csv -----------------------------------------------------------------

def test_csv_odd_columns_duplicates_and_skips(tmp_path):
    rows = ["Headline;Body Text;Published;Outlet;UID;Link",
            'Strike;"Ten killed;\nmany hurt.";13/05/2017;SANA;7;http://a/1',
            "Again;Twelve killed.;02/05/2017;SANA;7;",
            "Empty;;01/05/2017;x;9;",
            "No id;Three hurt.;;;;"]
    items = parse(write(tmp_path, "t.csv", "\n".join(rows) + "\n"))
    reports = [i for i in items if isinstance(i, Report)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert [r.record for r in reports] == ["7", "7~2", "4"]
    assert reports[0].text == "Ten killed;\nmany hurt." and reports[0].title == "Strike"
    assert reports[0].date == "2017-05-13" and reports[1].date == "2017-05-02"
    assert reports[0].source == "SANA" and reports[0].url == "http://a/1"
    assert reports[2].title == "No id" and reports[2].date is None
    assert skips == [Skip("t.csv", "9", "empty text")]
    assert len({r.doc_id for r in reports}) == 3


def test_csv_flags_override_and_missing_columns(tmp_path):
    path = write(tmp_path, "f.csv", "a,b,c\nkey1,Some words here,2019-01-02\n")
    with pytest.raises(InputError, match="no text column"):
        parse(path)
    opts = ParseOptions(text_col="b", id_col="a", date_col="c", default_source="Desk")
    report = only(path, opts)
    assert (report.text, report.record, report.date, report.source) == (
        "Some words here", "key1", "2019-01-02", "Desk")
    with pytest.raises(InputError, match="no column 'zz'"):
        parse(path, ParseOptions(text_col="zz"))


def test_csv_giant_cell_is_a_skipped_row(tmp_path):
    path = write(tmp_path, "g.csv", f"id,text\n1,{'w' * 5000}\n2,fine row\n")
    items = parse(path, ParseOptions(max_cell_chars=1000))
    assert isinstance(items[0], Skip) and items[0].record == "1" and "5,000" in items[0].reason
    assert isinstance(items[1], Report) and items[1].text == "fine row"


def test_csv_million_columns_refused(tmp_path):
    path = write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(10**6)) + "\n1,2\n")
    with pytest.raises(InputError, match="1,000,000 columns"):
        parse(path)


def test_csv_nul_bytes_in_cells(tmp_path):
    report = only(write(tmp_path, "n.csv", b"text\nclean\x00 text " + b"word " * 50 + b"\n"))
    assert "\x00" not in report.text and report.text.startswith("clean text")
    with pytest.raises(InputError, match="binary"):
        parse(write(tmp_path, "b.csv", b"text\n" + b"a\x00" * 50))


# --- jsonl ---------------------------------------------------------------

def test_jsonl_rows_and_bad_lines(tmp_path):
    lines = [json.dumps({"uid": 7, "content": "أول تقرير عن حلب", "published": "2020-03-01",
                         "site": "SOHR", "link": "http://x/7"}, ensure_ascii=False),
             "{not json",
             "[1, 2]",
             json.dumps({"uid": 8, "other": "no text key"}),
             "",
             json.dumps({"content": {"nested": 1}}),
             json.dumps({"content": "second\r\nreport"})]
    items = parse(write(tmp_path, "a.jsonl", "\n".join(lines)))
    first, *rest = items
    assert (first.record, first.date, first.source, first.url, first.language) == (
        "7", "2020-03-01", "SOHR", "http://x/7", "ar")
    assert [type(i).__name__ for i in rest] == ["Skip", "Skip", "Skip", "Skip", "Report"]
    assert rest[0].record == "2" and "invalid JSON" in rest[0].reason
    assert "not a JSON object" in rest[1].reason and "no text column" in rest[2].reason
    # No id: the line number, 7, which the first row's id already took.
    assert rest[4].record == "7~2" and rest[4].text == "second\nreport"


def test_jsonl_flags(tmp_path):
    path = write(tmp_path, "b.jsonl", json.dumps({"k": "a1", "msg_body": "Body words"}) + "\n")
    report = only(path, ParseOptions(text_col="msg_body", id_col="k"))
    assert report.record == "a1" and report.title == "Body words"


# --- shared corpora ------------------------------------------------------

@pytest.mark.shared
def test_fakes_csv_parses_fully(shared_data):
    path = shared_data / "fakes" / "FA-KES-Dataset.csv"
    items = parse(path)
    assert len(items) == 804 and all(isinstance(i, Report) for i in items)
    assert len({i.doc_id for i in items}) == 804
    first = items[0]
    assert first.record == "1914947530" and first.date == "2017-04-05"
    assert first.title.startswith("Syria attack symptoms") and first.language == "en"
    assert all(i.date for i in items) and all(i.source for i in items)


@pytest.mark.shared
def test_unifiedfc_jsonl_parses_fully(shared_data):
    path = shared_data / "unifiedfc" / "articles.jsonl"
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    items = parse(path)
    assert len(items) == 2897 and all(isinstance(i, Report) for i in items)
    assert [i.record for i in items] == ids
    assert all(i.url.startswith("http") for i in items)
    assert sum(i.language == "ar" for i in items) > 2800
