"""The chat's streaming of an LLM answer: deltas arrive before the verified answer,
and a draft whose figure fails verification ends as the evidence answer."""

from __future__ import annotations

from pathlib import Path

from fake_openai import FakeOpenAI, prompt_of
from test_ask import Q52, _source_with

from assistant.answer.llm import make_llm
from assistant.assistant import Assistant
from assistant.config import Config
from assistant.store.folder import FolderStore
from assistant.ui import render
from assistant.ui.backend import Backend, ask_events


def _backend(tmp_path: Path, seed_path: Path, url: str) -> Backend:
    d = tmp_path / "idx"
    cfg = Config(index_dir=d, llm_url=url, llm_model="fake")
    asst = Assistant(cfg, FolderStore(d, "none", 8), None, llm=make_llm(cfg))
    asst.ingest([seed_path], embed=False)
    backend = Backend(cfg, assistant=asst)
    backend.ready.set()
    return backend


def _run(backend: Backend) -> tuple[list[str], dict]:
    deltas, final = [], None
    for kind, value in ask_events(backend, Q52, "", "", None, None, []):
        if kind == "delta":
            deltas.append(value)
        else:
            assert kind == "answer", value
            final = value
    return deltas, final


def test_llm_deltas_stream_before_the_answer(tmp_path: Path, seed_path: Path) -> None:
    def reply(body: dict) -> str:
        n = _source_with(prompt_of(body), "ارتفع إلى 52")
        return f"قُتل 52 على الأقل من عناصر قوات النظام خلال 6 أيام [{n}]."

    with FakeOpenAI(reply, piece_chars=5) as fake:
        deltas, final = _run(_backend(tmp_path, seed_path, fake.url))
    assert len(deltas) > 3 and "".join(deltas).startswith("قُتل 52")
    assert final["mode"] == "llm" and final["found"]
    draft = render.draft_message("".join(deltas[:2]) + "<script>")
    assert 'dir="rtl"' in draft and "<script>" not in draft


def test_unverified_draft_ends_as_evidence(tmp_path: Path, seed_path: Path) -> None:
    def reply(body: dict) -> str:
        n = _source_with(prompt_of(body), "ارتفع إلى 52")
        return f"قُتل 54 من عناصر قوات النظام [{n}]."

    with FakeOpenAI(reply) as fake:
        deltas, final = _run(_backend(tmp_path, seed_path, fake.url))
    assert "54" in "".join(deltas)
    assert final["mode"] == "evidence" and "52" in final["short_answer"]
    assert any("54" in c["detail"] for c in final["checks"] if not c["ok"])
