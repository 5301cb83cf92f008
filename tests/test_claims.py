"""Claim checks over a small real index (lexical only): the seed report supports
"52 regime soldiers killed in six days in south Damascus" (English and Arabic), does
not support 60; a later report giving 60 contradicts 70; unrelated claims are not_found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from figure_fixtures import LATER_DATE, build_index, lexical_assistant, write_reports

from assistant.cli import main
from assistant.errors import InputError

CLAIM_EN = "52 regime soldiers were killed in six days of fighting in south Damascus"
CLAIM_AR = "قُتل 52 من عناصر قوات النظام خلال 6 أيام من المعارك في جنوب دمشق"
CITATION_KEYS = {"n", "doc_id", "path", "record", "title", "date", "source", "url", "quote",
                 "start", "end", "score"}


@pytest.fixture(scope="module")
def seed_only(tmp_path_factory, seed_path: Path) -> Path:
    return build_index(tmp_path_factory.mktemp("claims1"), seed_path, later=False)


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory, seed_path: Path) -> Path:
    return build_index(tmp_path_factory.mktemp("claims2"), seed_path)


@pytest.mark.parametrize("claim", [CLAIM_EN, CLAIM_AR])
def test_seed_supports_the_claim(seed_only: Path, claim: str) -> None:
    asst = lexical_assistant(seed_only)
    res = asst.check(claim)
    assert res.verdict == "supported"
    first = res.evidence[0]
    assert res.stances[0] == "supports" and first.path == "seed.md" and "52" in first.quote
    for c in res.evidence:
        assert asst.get_text(c.doc_id)[c.start:c.end] == c.quote


@pytest.mark.parametrize("claim", [CLAIM_EN.replace("52", "60"), CLAIM_AR.replace("52", "60")])
def test_seed_does_not_support_another_figure(seed_only: Path, claim: str) -> None:
    res = lexical_assistant(seed_only).check(claim)
    assert res.verdict in ("contradicted", "not_found")
    assert "supports" not in res.stances


def test_later_report_contradicts_and_both_are_cited(two_reports: Path) -> None:
    asst = lexical_assistant(two_reports)
    res = asst.check(CLAIM_EN.replace("52", "70"))
    assert res.verdict == "contradicted"
    assert res.stances[0] == "contradicts" and res.evidence[0].date == LATER_DATE
    assert "60" in res.evidence[0].quote
    both = asst.check(CLAIM_AR)
    assert both.verdict == "supported"
    stance = {c.path: s for c, s in zip(both.evidence, both.stances, strict=True)}
    assert stance == {"seed.md": "supports", "later.md": "contradicts"}


@pytest.mark.parametrize("claim", ["15 people were killed in an earthquake in Tokyo",
                                   "The football club won the cup after 3 matches in Madrid",
                                   "فاز المنتخب بثلاث ميداليات ذهبية في الألعاب الأولمبية"])
def test_unrelated_claims_are_not_found(two_reports: Path, claim: str) -> None:
    res = lexical_assistant(two_reports).check(claim)
    assert res.verdict == "not_found" and "supports" not in res.stances


def test_empty_claim_is_an_input_error(two_reports: Path) -> None:
    with pytest.raises(InputError):
        lexical_assistant(two_reports).check("  ")


def test_cli_check_json_contract(tmp_path: Path, seed_path: Path, capsys) -> None:
    docs, idx = write_reports(tmp_path / "docs", seed_path), str(tmp_path / "idx")
    assert main(["--index", idx, "ingest", "--no-embed", str(docs)]) == 0
    capsys.readouterr()
    assert main(["--index", idx, "check", CLAIM_AR, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["claim"] == CLAIM_AR and out["verdict"] == "supported"
    assert out["evidence"] and all(set(e) == CITATION_KEYS | {"stance"} for e in out["evidence"])
    assert out["evidence"][0]["stance"] == "supports" and "52" in out["evidence"][0]["quote"]
