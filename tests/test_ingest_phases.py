"""The ingest's phases: a report is committed (text, chunks, lexical rows) before its
figures are extracted; the figures come in a second phase, the same as extracted inline,
and an interrupted ingest leaves the reports searchable with their figures pending."""

from __future__ import annotations

from pathlib import Path

from assistant.ingest.parsers import ParseOptions, parse_file
from assistant.ingest.pipeline import IngestSummary, commit_reports, extract_pending_figures
from assistant.records import NO_FILTERS
from assistant.store.base import FigureQuery
from assistant.store.folder import FolderStore
from assistant.text.arabic import tokenize


def test_figures_follow_the_searchable_text(tmp_path: Path, seed_path: Path) -> None:
    rep = next(parse_file(seed_path, seed_path.name, ParseOptions()))
    later, inline = FolderStore(tmp_path / "later", "m", 8), FolderStore(tmp_path / "inline",
                                                                          "m", 8)
    commit_reports(later, [rep], IngestSummary(), figures=False)
    commit_reports(inline, [rep], IngestSummary())
    terms = tokenize("قتلى قوات النظام جنوب دمشق")
    assert later.lexical_search(terms, 5, NO_FILTERS)  # searchable before its figures
    assert later.figures(FigureQuery()) == [] and later.counts()["pending_figures"] == 1
    assert any("wait for figure extraction" in n for n in later.verify().notes)
    assert extract_pending_figures(later) == 1 and extract_pending_figures(later) == 0
    assert later.figures(FigureQuery()) == inline.figures(FigureQuery()) != []
    assert later.counts()["pending_figures"] == 0 and later.verify().ok
    assert not any("figure extraction" in n for n in later.verify().notes)


def test_a_removed_report_leaves_no_pending_figures(tmp_path: Path, seed_path: Path) -> None:
    rep = next(parse_file(seed_path, seed_path.name, ParseOptions()))
    store = FolderStore(tmp_path / "idx", "m", 8)
    commit_reports(store, [rep], IngestSummary(), figures=False)
    store.remove(rep.doc_id)
    assert store.counts()["pending_figures"] == 0 and extract_pending_figures(store) == 0
