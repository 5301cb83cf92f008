"""Assistant.ask end to end over a real (lexical) index of the seed report:
evidence mode, the LLM path through a local OpenAI-protocol server, and the
fall-back to evidence when the LLM's figure fails verification or it is down."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from conftest import STORE_KINDS, open_test_store, reopen_store, store_location
from fake_openai import FakeOpenAI, prompt_of

from assistant.answer.llm import make_llm
from assistant.assistant import Assistant
from assistant.cli import main
from assistant.config import Config
from assistant.errors import InputError

Q52 = "كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام من المعارك في جنوب دمشق؟"


@pytest.fixture(scope="module", params=STORE_KINDS)
def index_dir(request, tmp_path_factory, seed_path: Path) -> str:
    """The seed report, indexed lexically in an index folder and in a Milvus namespace."""
    store = open_test_store(request.param, request, tmp_path_factory.mktemp("ask") / "idx",
                            "none", 8)
    asst = Assistant(Config(), store, None)
    asst.ingest([seed_path], embed=False)
    asst.close()
    return store_location(store)


def _assistant(index_dir: str, llm_url: str | None = None) -> Assistant:
    cfg = Config(llm_url=llm_url, llm_model="fake" if llm_url else None)
    llm = make_llm(cfg) if llm_url else None
    return Assistant(cfg, reopen_store(index_dir, "none", 8), None, llm=llm)


def _source_with(prompt: str, needle: str) -> int:
    """The number of the source block in the prompt that contains ``needle``."""
    blocks = re.split(r"\n(?=\[\d+\] )", prompt)
    for block in blocks:
        m = re.match(r"\[(\d+)\] ", block)
        if m and needle in block:
            return int(m.group(1))
    raise AssertionError(f"{needle!r} is in no source block")


def test_evidence_answer_quotes_the_figure(index_dir: str) -> None:
    ans = _assistant(index_dir).ask(Q52)
    assert ans.found and ans.mode == "evidence"
    assert ans.short_answer and "52" in ans.short_answer
    first = ans.citations[0]
    assert "52" in first.quote and set(ans.timings_ms) >= {"retrieve", "answer"}


def test_llm_answer_is_used_when_it_verifies(index_dir: str) -> None:
    def reply(body: dict) -> str:
        n = _source_with(prompt_of(body), "ارتفع إلى 52")
        return f"قُتل 52 على الأقل من عناصر قوات النظام خلال 6 أيام [{n}]."

    with FakeOpenAI(reply) as fake:
        deltas: list[str] = []
        ans = _assistant(index_dir, fake.url).ask(Q52, on_delta=deltas.append)
    assert ans.mode == "llm" and ans.found
    assert "".join(deltas).strip().startswith("قُتل 52")
    assert all(c.ok for c in ans.checks)
    assert "52" in ans.citations[0].quote


def test_llm_wrong_figure_falls_back_to_evidence(index_dir: str) -> None:
    def reply(body: dict) -> str:
        n = _source_with(prompt_of(body), "ارتفع إلى 52")
        return f"قُتل 54 من عناصر قوات النظام خلال 6 أيام [{n}]."

    with FakeOpenAI(reply) as fake:
        ans = _assistant(index_dir, fake.url).ask(Q52)
    assert ans.mode == "evidence" and "52" in (ans.short_answer or "")
    failed = [c for c in ans.checks if not c.ok]
    assert any("54" in c.detail for c in failed), failed  # shown, never dropped


def test_llm_down_falls_back_with_a_note(index_dir: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ans = _assistant(index_dir, f"http://127.0.0.1:{port}/v1").ask(Q52)
    assert ans.mode == "evidence" and ans.found
    assert any(c.claim == "llm" and not c.ok for c in ans.checks)


def test_an_answer_of_markers_only_is_not_shown(index_dir: str) -> None:
    """A small model sometimes answers with citation markers and nothing else: every
    marker points at a real source, yet the answer says nothing."""
    with FakeOpenAI(lambda body: "[1] [2][3]") as fake:
        ans = _assistant(index_dir, fake.url).ask(Q52)
    assert ans.mode == "evidence" and "52" in (ans.short_answer or "")
    assert any("only citation markers" in c.detail for c in ans.checks if not c.ok)


def test_the_llm_saying_nothing_found_does_not_hide_the_evidence(index_dir: str) -> None:
    with FakeOpenAI(lambda body: "The reports do not state this.") as fake:
        ans = _assistant(index_dir, fake.url).ask(Q52)
    assert ans.found and ans.mode == "evidence" and "52" in (ans.short_answer or "")
    assert any(c.claim == "llm" and not c.ok for c in ans.checks)


def test_the_chat_history_reaches_the_llm(index_dir: str) -> None:
    earlier = "من أين جاءت التعزيزات العسكرية لقوات النظام؟"
    with FakeOpenAI(lambda body: "[1]") as fake:
        _assistant(index_dir, fake.url).ask(Q52, history=[(earlier, "القلمون الشرقي [1]")])
    prompt = prompt_of(fake.requests[-1])
    assert earlier in prompt and "القلمون الشرقي" in prompt


def test_refuses_what_the_reports_do_not_say(index_dir: str) -> None:
    ans = _assistant(index_dir).ask("How many people were killed in Aleppo in 1985?")
    assert not ans.found


@pytest.mark.parametrize("bad,msg", [("", "empty"), ("x" * 100_000, "limit"),
                                     ("كم\x00عدد", "control characters")])
def test_bad_questions_get_clear_messages(index_dir: str, bad: str, msg: str) -> None:
    with pytest.raises(InputError, match=msg):
        _assistant(index_dir).ask(bad)


def test_cli_ask_json_contract(tmp_path: Path, seed_path: Path, capsys) -> None:
    idx = str(tmp_path / "idx")
    assert main(["--index", idx, "ingest", str(seed_path)]) == 0  # real default embedder
    capsys.readouterr()
    assert main(["--index", idx, "ask", Q52, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"question", "found", "answer", "short_answer", "mode", "citations",
                        "checks", "timings_ms"}
    assert out["found"] and "52" in out["short_answer"]
    cite = out["citations"][0]
    assert set(cite) == {"n", "doc_id", "path", "record", "title", "date", "source", "url",
                         "quote", "start", "end", "score"}
    text = seed_path.read_text(encoding="utf-8")
    assert text[cite["start"]:cite["end"]] == cite["quote"]
