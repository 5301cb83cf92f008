"""The figures table over a small real index: look-ups, ``isnad figures`` CSV/JSON,
count questions read as figures, and the revision sentence a count answer gains
when a later report raises the toll (seed: 52 in 6 days; later report: 60 in 8 days)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from figure_fixtures import LATER_DATE, build_index, lexical_assistant, write_reports

from assistant.answer.evidence import answer_evidence
from assistant.cli import main
from assistant.figures.table import COLUMNS, FigureFilter, format_date, question_figure
from assistant.records import Filters

Q52 = "كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام من المعارك في جنوب دمشق؟"


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, seed_path: Path) -> Path:
    return build_index(tmp_path_factory.mktemp("figs2"), seed_path)


@pytest.fixture(scope="module")
def seed_only(tmp_path_factory, seed_path: Path) -> Path:
    return build_index(tmp_path_factory.mktemp("figs1"), seed_path, later=False)


def test_figures_quote_their_report_text(two_reports: Path) -> None:
    asst = lexical_assistant(two_reports)
    figs = asst.figures()
    assert {f.value for f in figs} >= {52, 60, 35, 41, 11, 9}
    for f in figs:
        assert asst.get_text(f.doc_id)[f.start:f.end] == f.quote
        assert str(f.value).rstrip("0").rstrip(".") in f.quote or f.qualifier


def test_filters(two_reports: Path) -> None:
    asst = lexical_assistant(two_reports)
    regime = asst.figures(category="killed", group="قوات النظام")
    assert sorted(f.value for f in regime) == [11, 52, 60]
    assert regime == asst.figures(FigureFilter(category="killed", group="regime"))
    assert [f.value for f in asst.figures(group="regime", place="مخيم اليرموك")] == [11]
    later = asst.figures(since="2018-04-25")
    assert later and {f.date for f in later} == {LATER_DATE}
    assert {f.value for f in asst.figures(until="2018-04-24", group="is")} == {35}
    doc = later[0].doc_id
    assert {f.doc_id for f in asst.figures(doc_ids=(doc,))} == {doc}
    assert asst.figures(sources=("nobody",)) == []
    assert asst.figures(group="no such group at all") == []
    assert all("tens" not in f.qualifier for f in asst.figures(exact=True))
    assert any("tens" in f.qualifier for f in asst.figures())  # "عشرات الجرحى" in the seed


def test_cli_figures_csv_has_bom_header_and_real_rows(tmp_path: Path, seed_path: Path,
                                                      capsysbinary) -> None:
    docs, idx = write_reports(tmp_path / "docs", seed_path), str(tmp_path / "idx")
    assert main(["--index", idx, "ingest", "--no-embed", str(docs)]) == 0
    capsysbinary.readouterr()
    assert main(["--index", idx, "figures", "--csv", "--category", "killed"]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows the Arabic
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert tuple(rows[0]) == COLUMNS
    by_value = {r["value"]: r for r in rows}
    assert by_value["52"]["group"] == "regime" and by_value["52"]["path"] == "seed.md"
    assert by_value["60"]["date"] == LATER_DATE and by_value["60"]["path"] == "later.md"
    body = (docs / "later.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    r = by_value["60"]
    assert body[int(r["start"]):int(r["end"])] == r["quote"]
    assert all(r["category"] == "killed" for r in rows)

    assert main(["--index", idx, "figures", "--json", "--group", "is"]) == 0
    out = json.loads(capsysbinary.readouterr().out.decode("utf-8"))
    assert sorted(x["value"] for x in out) == [35, 41] and set(out[0]) == set(COLUMNS)


def test_question_figure_reads_what_is_counted() -> None:
    t = question_figure(Q52)
    assert (t.category, t.group) == ("killed", "regime") and "Damascus" in t.place
    en = question_figure("How many Islamic State members were killed?")
    assert (en.category, en.group) == ("killed", "is")
    assert question_figure("من أين جاءت التعزيزات العسكرية لقوات النظام؟") is None


def test_count_answer_names_the_revision(two_reports: Path) -> None:
    asst = lexical_assistant(two_reports)
    ans = asst.ask(Q52)
    assert ans.found and "52" in (ans.short_answer or "")  # the evidence answer's figure stays
    line = ans.answer.splitlines()[-1]
    m = re.fullmatch(r"عبر الزمن: 52 في تقرير (.+?) \[(\d+)\]، ثم ارتفع إلى 60 في تقرير (.+?) "
                     r"\[(\d+)\]\.", line)
    assert m, line
    assert m.group(1) == format_date("2018-04-23", "ar") and m.group(3) == format_date(LATER_DATE, "ar")
    by_n = {c.n: c for c in ans.citations}
    assert "52" in by_n[int(m.group(2))].quote and "60" in by_n[int(m.group(4))].quote
    assert by_n[int(m.group(4))].date == LATER_DATE
    for c in ans.citations:
        assert asst.get_text(c.doc_id)[c.start:c.end] == c.quote
    assert ans.checks and all(c.ok for c in ans.checks), [c for c in ans.checks if not c.ok]


def test_single_report_answer_is_the_evidence_answer(seed_only: Path) -> None:
    asst = lexical_assistant(seed_only)
    ans = asst.ask(Q52)
    hits = asst.retriever.search(Q52, 10, Filters())
    plain = answer_evidence(Q52, hits, asst.get_text, min_confidence=asst.cfg.min_confidence)
    assert ans.answer == plain.answer and ans.short_answer == plain.short_answer


def test_other_questions_are_not_enriched(two_reports: Path) -> None:
    asst = lexical_assistant(two_reports)
    q = "من أين جاءت التعزيزات العسكرية لقوات النظام؟"
    assert "عبر الزمن" not in asst.ask(q).answer


def test_ui_tabs_figures_and_check(two_reports: Path) -> None:
    """The Figures and Check tabs' endpoints through gradio_client on a served app."""
    import socket

    from gradio_client import Client

    from assistant.config import Config
    from assistant.ui.app import Backend, build_app
    from assistant.ui.assets import CSS

    backend = Backend(Config(index_dir=two_reports), assistant=lexical_assistant(two_reports))
    backend.phase = "ready"
    backend.ready.set()  # already open: no seeding or embedder warm-up
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    demo = build_app(backend)
    demo.queue().launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                        quiet=True, css=CSS)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        table, points, bars, note, csv_file = client.predict("", "regime", "killed", "", "",
                                                             [], api_name="/figures")
        assert note == "3 figures"
        assert sorted(row[0] for row in table["data"]) == ["11", "52", "60"]
        # south Damascus has two dates (52, revised to 60): a line over dates; the Yarmouk
        # series has one point, which is drawn and labelled too
        assert points["visible"] is True
        series = {}
        for _, value, name in points["value"]["data"]:
            series.setdefault(name, []).append(value)
        assert sorted(series.values()) == [[11.0], [52.0, 60.0]]
        rows = list(csv.DictReader(io.StringIO(Path(csv_file).read_text(encoding="utf-8-sig"))))
        assert sorted(r["value"] for r in rows) == ["11", "52", "60"]  # the export: all of them
        html = client.predict("قُتل 52 من عناصر قوات النظام خلال 6 أيام من المعارك في جنوب دمشق",
                              api_name="/check")
        assert "supported" in html and "<mark>" in html and "52" in html
        bad = client.predict("", "", "", "not-a-date", "", [], api_name="/figures")
        assert "YYYY-MM-DD" in bad[3]
    finally:
        demo.close()


def _plot(out: dict) -> list:
    """The rows of a plot output (a plain value, or an update that shows the plot)."""
    value = out.get("value", out) if out.get("__type__") == "update" else out
    return value["data"]


def test_chart_is_bars_for_one_date_a_series_and_points_over_dates_otherwise() -> None:
    import pandas as pd

    from assistant.ui.figures import charts

    one = pd.DataFrame({"date": pd.to_datetime(["2018-04-23", "2018-04-23"]),
                        "value": [52.0, 9.0], "series": ["killed / regime", "killed / hts"]})
    points, bars = charts(one)
    assert points == {"__type__": "update", "visible": False}
    assert bars["visible"] and list(bars["value"]["label"]) == ["2018-04-23 · killed / regime",
                                                                "2018-04-23 · killed / hts"]
    two = pd.concat([one, pd.DataFrame({"date": pd.to_datetime(["2018-04-27"]),
                                        "value": [60.0], "series": ["killed / regime"]})])
    points, bars = charts(two)
    assert points["visible"] and len(points["value"]) == 3 and bars["visible"] is False


def test_ui_builders_escape_report_text() -> None:
    from assistant.ui.figures import claim_html, table_rows

    row = {"value": 3.0, "qualifier": "", "category": "killed", "group": "civilians",
           "place": "<b>x</b>", "period": "", "date": "2020-01-02", "doc_id": "d", "path": "p.md",
           "record": None, "quote": "<script>alert(1)</script> 3 killed", "start": 0, "end": 35}
    cells = table_rows([row])[0]
    assert cells[0] == "3" and cells[3] == "civilians" and cells[-1].startswith("<script>")
    result = {"verdict": "supported", "evidence": [
        {**row, "n": 1, "title": "<img src=x>", "source": "", "url": "javascript:x",
         "score": 1.0, "stance": "supports"}]}
    html = claim_html(result, {"d": row["quote"]})
    assert "<script>" not in html and "&lt;script&gt;" in html and "<img" not in html
    assert 'href="javascript' not in html
