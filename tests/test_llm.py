"""LLM answers against a local fake OpenAI-compatible server, over the real seed report."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, prompt_of

from assistant.answer.llm import (
    NOT_FOUND,
    canonical_markers,
    cited_numbers,
    condense_question,
    format_sources,
    llm_answer,
    load_prompt,
    make_llm,
    passes_checks,
    select_hits,
    stream_answer,
)
from assistant.config import Config
from assistant.errors import ConfigError, LLMError
from assistant.records import Hit
from assistant.text.arabic import segment

SEED = Path(__file__).resolve().parents[1] / "samples" / "000_9c31ee48a94572c0.txt"
DOC_ID = "9c31ee48a94572c0"
QUESTION_AR = "كم عدد عناصر قوات النظام الذين قتلوا خلال 6 أيام من المعارك جنوب دمشق؟"


@pytest.fixture(scope="module")
def report_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def hits(report_text: str) -> list[Hit]:
    """Sentence-aligned ~700-char chunks of the seed report; the one with "52" ranked first."""
    spans: list[tuple[int, int]] = []
    for start, end in segment(report_text)[1:]:  # the title line is metadata, not a chunk
        if spans and end - spans[-1][0] <= 700:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    title = report_text.splitlines()[0]
    chunks = sorted(spans, key=lambda s: " 52 " not in report_text[s[0]:s[1]])
    return [Hit(rank=i + 1, doc_id=DOC_ID, path=SEED.name, record=None, title=title,
                date="2018-05-02", source="SOHR", url="", text=report_text[s:e], start=s, end=e,
                score=1.0 / (i + 1), chunk_id=i, language="ar")
            for i, (s, e) in enumerate(chunks)]


def source_text(prompt: str, n: int) -> str:
    """What the prompt shows as source [n] (the fake model reads its sources like a model)."""
    match = re.search(rf"^\[{n}\] [^\n]*\n(.*?)(?:\n\n|\Z)", prompt, re.S | re.M)
    assert match, f"source [{n}] not in prompt"
    return match.group(1)


def figure_reply(offset: int = 0, marker: str = "[1]"):
    """A model that restates the 'at least' figure of source [1] (shifted by ``offset``)."""
    def reply(body: dict) -> str:
        figure = int(re.search(r"(\d+) على الأقل", source_text(prompt_of(body), 1)).group(1))
        return (f"ارتفع إلى {figure + offset} على الأقل عدد عناصر قوات النظام والمسلحين الموالين "
                f"لها ممن قتلوا خلال 6 أيام من المعارك {marker}.")
    return reply


def llm_for(fake: FakeOpenAI, **kw: object):
    return make_llm(Config(llm_url=fake.url, llm_model="fake-model", llm_api_key="k-test", **kw))


def get_text_of(report_text: str):
    return lambda doc_id: {DOC_ID: report_text}[doc_id]


# ------------------------------------------------------------------ prompts
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_answer_prompt_fills_placeholders(lang: str, hits: list[Hit]) -> None:
    template = load_prompt(f"answer_{lang}")
    assert set(template.template_vars) == {"sources", "question", "history"}
    text = template.format(sources=format_sources(hits[:2]), question=QUESTION_AR,
                           history="(none)")
    assert QUESTION_AR in text and hits[0].text.strip() in text and "[2] " in text
    assert NOT_FOUND[lang] in text  # the sentence the code detects is the one the prompt asks for
    assert not re.search(r"\{\w+\}", text)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_condense_prompt_fills_placeholders(lang: str) -> None:
    template = load_prompt(f"condense_{lang}")
    assert set(template.template_vars) == {"question", "history"}
    text = template.format(question="وماذا عن التنظيم؟", history="User: كم قتيلاً؟")
    assert "وماذا عن التنظيم؟" in text and "User: كم قتيلاً؟" in text
    assert not re.search(r"\{\w+\}", text)


def test_load_prompt_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_prompt("answer_fr")
    (tmp_path / "answer_en.txt").write_text("Sources: {sources}\nQ: {question}\n")
    with pytest.raises(ConfigError, match="placeholders"):
        load_prompt("answer_en", tmp_path)


# ------------------------------------------------------------------ clients
def test_make_llm_forms() -> None:
    assert make_llm(Config()) is None
    with pytest.raises(ConfigError, match="MODEL"):
        make_llm(Config(llm_url="http://127.0.0.1:8000/v1"))
    with pytest.raises(ConfigError, match="ISNAD_LLM_URL"):
        make_llm(Config(llm_url="localhost:8000", llm_model="m"))
    assert make_llm(Config(llm_url="http://127.0.0.1:8000", llm_model="m")).api_base \
        == "http://127.0.0.1:8000/v1"
    assert make_llm(Config(llm_url="http://h:1/api/v1", llm_model="m")).api_base \
        == "http://h:1/api/v1"
    for url, base in [("ollama:", "http://localhost:11434"), ("ollama:gpu:11434", "http://gpu:11434"),
                      ("ollama:https://o.example/", "https://o.example")]:
        llm = make_llm(Config(llm_url=url, llm_model="qwen2.5"))
        assert type(llm).__name__ == "Ollama" and llm.base_url == base and llm.model == "qwen2.5"


# ------------------------------------------------------------------ sources
def test_format_sources_numbers_and_budget(hits: list[Hit]) -> None:
    assert len(hits) >= 4
    block = format_sources(hits, max_tokens=10_000)
    for n, hit in enumerate(hits, start=1):
        assert f"[{n}] {hit.title} | 2018-05-02\n{hit.text.strip()}" in block
    small = select_hits(hits, max_tokens=len(hits[0].text) // 3 + 60)
    assert 1 <= len(small) < len(hits) and small == hits[:len(small)]
    assert select_hits(hits, max_tokens=1) == hits[:1]  # the best passage is always sent
    assert f"[{len(small) + 1}]" not in format_sources(hits, len(hits[0].text) // 3 + 60)


def test_cited_numbers_forms() -> None:
    assert cited_numbers("أ [2]. ب [١، 3] ج [2][4].") == [2, 1, 3, 4]
    assert canonical_markers("أ [١، 3]. ب [2 , 4].") == "أ [1][3]. ب [2][4]."
    assert cited_numbers("no markers [a] here") == []


# ------------------------------------------------------------------ streaming
def test_stream_deltas_arrive_in_order(hits: list[Hit]) -> None:
    with FakeOpenAI(figure_reply()) as fake:
        deltas = list(stream_answer(llm_for(fake), QUESTION_AR, hits, lang="ar"))
    body = fake.requests[0]
    assert body["stream"] is True and body["model"] == "fake-model"
    assert fake.headers[0]["Authorization"] == "Bearer k-test"
    assert QUESTION_AR in prompt_of(body) and "المصادر:" in prompt_of(body)
    assert len(deltas) > 3 and deltas == fake.pieces(fake.reply(body))


def test_llm_answer_cites_used_sources(hits: list[Hit], report_text: str) -> None:
    seen: list[str] = []
    with FakeOpenAI(figure_reply(marker="[1][3]")) as fake:
        answer = llm_answer(llm_for(fake), QUESTION_AR, hits, get_text_of(report_text),
                            on_delta=seen.append)
    assert answer.found and answer.mode == "llm" and "52 على الأقل" in answer.answer
    assert "".join(seen).strip() == answer.answer
    assert [c.n for c in answer.citations] == [1, 3]
    for citation, hit in zip(answer.citations, [hits[0], hits[2]], strict=True):
        assert citation.quote == report_text[citation.start:citation.end] == hit.text
        assert (citation.doc_id, citation.date, citation.title) == (DOC_ID, hit.date, hit.title)
    assert answer.checks and passes_checks(answer), answer.checks
    assert answer.short_answer == answer.answer.replace(" [1][3]", "")


def test_wrong_figure_is_caught(hits: list[Hit], report_text: str) -> None:
    with FakeOpenAI(figure_reply(offset=2)) as fake:
        answer = llm_answer(llm_for(fake), QUESTION_AR, hits, get_text_of(report_text))
    assert "54 على الأقل" in answer.answer and " 54 " not in report_text
    assert not passes_checks(answer)
    assert any(not c.ok and "54" in c.claim + c.detail for c in answer.checks), answer.checks


def test_uncited_or_unknown_sources_fail_checks(hits: list[Hit], report_text: str) -> None:
    for marker in ["", "[40]"]:
        with FakeOpenAI(figure_reply(marker=marker)) as fake:
            answer = llm_answer(llm_for(fake), QUESTION_AR, hits, get_text_of(report_text))
        assert answer.found and answer.citations == [] and not passes_checks(answer)
        assert any(not c.ok for c in answer.checks), answer.checks


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_not_found_sentence(lang: str, hits: list[Hit], report_text: str) -> None:
    with FakeOpenAI(lambda body: f" {NOT_FOUND[lang]}\n") as fake:
        answer = llm_answer(llm_for(fake), "ما هو عدد سكان حلب؟", hits,
                            get_text_of(report_text), lang=lang)
    assert not answer.found and answer.citations == [] and answer.answer == NOT_FOUND[lang]
    assert NOT_FOUND[lang] in prompt_of(fake.requests[0])


# ------------------------------------------------------------------ follow-ups
def test_condense_question(hits: list[Hit]) -> None:
    rewrite = "كم عدد قتلى تنظيم الدولة الإسلامية خلال 6 أيام جنوب دمشق؟"
    with FakeOpenAI(lambda body: f"  «{rewrite}»\n") as fake:
        llm = llm_for(fake)
        assert condense_question(llm, "وماذا عن التنظيم؟", []) == "وماذا عن التنظيم؟"
        assert fake.requests == []  # no history: no call
        history = [("user", QUESTION_AR),
                   {"role": "assistant", "content": "ارتفع إلى 52 على الأقل [1]."}]
        assert condense_question(llm, "وماذا عن التنظيم؟", history) == rewrite
    prompt = prompt_of(fake.requests[0])
    assert "المساعد: ارتفع إلى 52 على الأقل ." in prompt and "[1]" not in prompt


# ------------------------------------------------------------------ failures
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_endpoint_down_raises_llm_error(hits: list[Hit]) -> None:
    llm = make_llm(Config(llm_url=f"http://127.0.0.1:{free_port()}/v1", llm_model="m"))
    with pytest.raises(LLMError, match="127.0.0.1"):
        list(stream_answer(llm, QUESTION_AR, hits))


def test_server_error_and_timeout_raise_llm_error(hits: list[Hit], report_text: str) -> None:
    with FakeOpenAI(figure_reply(), status=500) as fake, pytest.raises(LLMError, match="500"):
        llm_answer(llm_for(fake), QUESTION_AR, hits, get_text_of(report_text))
    with FakeOpenAI(figure_reply(), delay_s=2.0) as fake, \
            pytest.raises(LLMError, match="(?i)timeout|timed out"):
        llm_answer(llm_for(fake, llm_timeout_s=0.3), QUESTION_AR, hits, get_text_of(report_text))
