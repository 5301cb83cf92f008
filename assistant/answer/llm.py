"""LLM answers through llama-index clients (OpenAI-compatible servers, Ollama).

What it does: builds the client from ``Config`` (``make_llm``), loads the
prompt templates in ``prompts/`` (``load_prompt``), numbers the retrieved
passages within a token budget (``format_sources``), rewrites follow-up
questions (``condense_question``), streams the answer (``stream_answer``) and
turns the finished text into an ``Answer`` whose citations are the [n] markers
the model actually used, verified by ``assistant.cite.verify`` (``llm_answer``).

What it does not do: retrieval, evidence answers, figure checking (``cite``),
or the fallback decision.
Endpoint failures raise ``LLMError``; a finished answer whose checks fail is
still returned (mode "llm", failing ``checks``) and the caller falls back to
the evidence answer when ``passes_checks(answer)`` is False.

``Config.llm_url`` forms:
- ``http://host:8000/v1``: any OpenAI-compatible server (vLLM, llama.cpp
  server, LM Studio, OpenAI); a URL without a path gets ``/v1`` appended.
- ``ollama:``, ``ollama:host:11434`` or ``ollama:http://host:11434``: Ollama
  (default ``http://localhost:11434``).
The LLM is always passed explicitly; llama-index global ``Settings`` is never used.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.llms import LLM
from llama_index.core.prompts import PromptTemplate

from assistant.answer.verify import verify
from assistant.config import Config
from assistant.errors import ConfigError, LLMError, StoreError
from assistant.records import Answer, Check, Citation, Hit
from assistant.text.arabic import detect_language, normalize, normalize_digits

# prompts/ of the repository, installed as the package data assistant.prompts
PROMPTS_DIR = Path(str(files("assistant.prompts")))
# The fixed sentences the prompts require when the sources do not answer.
NOT_FOUND = {"en": "The reports do not say.", "ar": "لا تذكر التقارير ذلك."}
# A history turn: ("user" | "assistant", text) or a chat message dict {"role", "content"}.
Turn = tuple[str, str] | Mapping[str, str]

_PLACEHOLDERS = {"answer": {"sources", "question", "history"},
                 "condense": {"question", "history"}}
_CHARS_PER_TOKEN = {"en": 4.0, "ar": 3.0}
_MARKER = re.compile(r"\[\s*([0-9٠-٩]+(?:\s*[,،]\s*[0-9٠-٩]+)*)\s*\]")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)
_NO_HISTORY = {"en": "(none)", "ar": "(لا يوجد)"}
_ROLE_LABELS = {"en": ("User", "Assistant"), "ar": ("المستخدم", "المساعد")}
_HISTORY_TURNS = 6
_HISTORY_CHARS = 600  # long earlier answers are cut: the question matters, not their detail
_OLLAMA_DEFAULT = "http://localhost:11434"
_OLLAMA_CONTEXT = 8192  # Ollama's small default num_ctx would cut the sources
_MAX_ANSWER_TOKENS = 1024


def load_prompt(name: str, prompts_dir: Path | None = None) -> PromptTemplate:
    """The template ``<prompts_dir>/<name>.txt`` (e.g. "answer_ar"), placeholders checked."""
    path = (prompts_dir or PROMPTS_DIR) / f"{name}.txt"
    if not path.is_file():
        raise ConfigError(f"prompt template not found: {path}")
    template = PromptTemplate(path.read_text(encoding="utf-8"))
    expected = _PLACEHOLDERS.get(name.rsplit("_", 1)[0])
    if expected is not None and set(template.template_vars) != expected:
        raise ConfigError(f"{path} has placeholders {sorted(template.template_vars)}, "
                          f"expected {sorted(expected)}")
    return template


def make_llm(cfg: Config) -> LLM | None:
    """The configured llama-index LLM client, or None when no URL is configured."""
    url = (cfg.llm_url or "").strip()
    if not url:
        return None
    if not cfg.llm_model:
        raise ConfigError("ISNAD_LLM_MODEL must be set when ISNAD_LLM_URL is set")
    if url.startswith("ollama:"):
        return _ollama(cfg, url[len("ollama:"):].strip())
    return _openai_like(cfg, url)


def _ollama(cfg: Config, host: str) -> LLM:
    from llama_index.llms.ollama import Ollama

    base = host or _OLLAMA_DEFAULT
    if "://" not in base:
        base = "http://" + base
    return Ollama(model=cfg.llm_model, base_url=base.rstrip("/"), temperature=0.0,
                  request_timeout=cfg.llm_timeout_s, context_window=_OLLAMA_CONTEXT)


def _openai_like(cfg: Config, url: str) -> LLM:
    from llama_index.llms.openai_like import OpenAILike

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"ISNAD_LLM_URL must be http(s)://host[:port][/v1] or ollama:host, "
                          f"got {url!r}")
    if parts.path in ("", "/"):
        url = url.rstrip("/") + "/v1"
    # max_retries=0: fail fast, the caller falls back to the evidence answer.
    # An explicit key keeps OPENAI_API_KEY from leaking to a local server.
    return OpenAILike(model=cfg.llm_model, api_base=url, api_key=cfg.llm_api_key or "none",
                      is_chat_model=True, is_function_calling_model=False, temperature=0.0,
                      max_tokens=_MAX_ANSWER_TOKENS, timeout=cfg.llm_timeout_s, max_retries=0)


def _source_block(n: int, hit: Hit) -> str:
    title = hit.title.strip() or hit.path
    return f"[{n}] {title} | {hit.date or '-'}\n{hit.text.strip()}"


def _tokens(text: str) -> int:
    return math.ceil(len(text) / _CHARS_PER_TOKEN[detect_language(text)])


def select_hits(hits: Sequence[Hit], max_tokens: int) -> list[Hit]:
    """The leading hits whose source blocks fit ``max_tokens`` (the first is always kept)."""
    kept: list[Hit] = []
    used = 0
    for hit in hits:
        cost = _tokens(_source_block(len(kept) + 1, hit))
        if kept and used + cost > max_tokens:
            break  # stop at the first misfit so numbering follows the ranking
        kept.append(hit)
        used += cost
    return kept


def format_sources(hits: Sequence[Hit], max_tokens: int = Config.context_tokens) -> str:
    """Numbered source blocks "[n] title | date\\ntext" for ``select_hits(hits, max_tokens)``."""
    return "\n\n".join(_source_block(n, hit)
                       for n, hit in enumerate(select_hits(hits, max_tokens), start=1))


def _turn(turn: Turn) -> tuple[str, str]:
    if isinstance(turn, Mapping):
        return str(turn.get("role", "")), str(turn.get("content", ""))
    role, text = turn
    return role, text


def format_history(history: Sequence[Turn] | None, lang: str) -> str:
    """The last turns as "User: ..." lines (old [n] markers removed: they meant other sources)."""
    turns = [_turn(t) for t in (history or [])][-_HISTORY_TURNS:]
    if not turns:
        return _NO_HISTORY[lang]
    user, assistant = _ROLE_LABELS[lang]
    lines = []
    for role, text in turns:
        text = " ".join(_MARKER.sub("", text).split())[:_HISTORY_CHARS]
        lines.append(f"{user if role == 'user' else assistant}: {text}")
    return "\n".join(lines)


def _endpoint_errors() -> tuple[type[BaseException], ...]:
    import httpx
    import ollama
    import openai

    return (openai.APIError, httpx.HTTPError, ollama.ResponseError, ConnectionError,
            TimeoutError)


def _describe(llm: LLM, exc: BaseException) -> str:
    where = getattr(llm, "api_base", None) or getattr(llm, "base_url", None) or "?"
    model = getattr(llm, "model", "?")
    return f"LLM endpoint {where} (model {model}) failed: {type(exc).__name__}: {exc}"


def _stream(llm: LLM, prompt: str) -> Iterator[str]:
    errors = _endpoint_errors()
    try:
        for chunk in llm.stream_chat([ChatMessage(role="user", content=prompt)]):
            if chunk.delta:
                yield chunk.delta
    except errors as exc:
        raise LLMError(_describe(llm, exc)) from exc


def condense_question(llm: LLM, question: str, history: Sequence[Turn] | None,
                      lang: str | None = None) -> str:
    """A standalone rewrite of a follow-up ``question``; unchanged when there is no history."""
    if not history:
        return question
    lang = lang or detect_language(question)
    prompt = load_prompt(f"condense_{lang}").format(
        history=format_history(history, lang), question=question)
    text = _THINK.sub("", "".join(_stream(llm, prompt)))
    lines = [line.strip().strip("\"'«»“”") for line in text.splitlines() if line.strip()]
    if not lines:
        raise LLMError("the LLM returned an empty rewrite of the follow-up question")
    return lines[0]


def stream_answer(llm: LLM, question: str, hits: Sequence[Hit],
                  history: Sequence[Turn] | None = None, lang: str | None = None,
                  *, max_tokens: int = Config.context_tokens) -> Iterator[str]:
    """Text deltas of the LLM's answer from the numbered sources (raises LLMError)."""
    lang = lang or detect_language(question)
    prompt = load_prompt(f"answer_{lang}").format(
        sources=format_sources(hits, max_tokens),
        history=format_history(history, lang), question=question)
    yield from _stream(llm, prompt)


def canonical_markers(text: str) -> str:
    """Markers as ASCII "[n]" each: "[١، 3]" -> "[1][3]" (the form ``cite.verify`` reads)."""
    def one(match: re.Match[str]) -> str:
        parts = re.split(r"[,،]", normalize_digits(match.group(1)))
        return "".join(f"[{int(p)}]" for p in parts)
    return _MARKER.sub(one, text)


def cited_numbers(text: str) -> list[int]:
    """Source numbers of the [n], [n, m] markers in ``text``, in order of first use."""
    found = re.findall(r"\[(\d+)\]", canonical_markers(text))
    return list(dict.fromkeys(int(n) for n in found))


def _first_sentence(text: str) -> str:
    """The first sentence without its markers: the short answer shown above the details."""
    first = re.split(r"(?<=[.!?؟])\s+|\n+", text.strip(), maxsplit=1)[0]
    return " ".join(_MARKER.sub("", first).split()).replace(" .", ".")


def says_not_found(text: str) -> bool:
    """True when ``text`` contains one of the fixed NOT_FOUND sentences."""
    flat = normalize(" ".join(text.split()))
    return any(normalize(s).rstrip(".") in flat for s in NOT_FOUND.values())


def llm_answer(llm: LLM, question: str, hits: Sequence[Hit], get_text: Callable[[str], str],
               history: Sequence[Turn] | None = None, *, lang: str | None = None,
               max_tokens: int = Config.context_tokens,
               on_delta: Callable[[str], None] | None = None) -> Answer:
    """Stream (``on_delta`` sees each delta), collect and check the LLM's answer.

    ``get_text(doc_id)`` returns a report's text (quotes are sliced from it).
    Raises LLMError when the endpoint fails; see ``passes_checks`` for fallback.
    """
    lang = lang or detect_language(question)
    start = time.perf_counter()
    first_ms: float | None = None
    parts: list[str] = []
    for delta in stream_answer(llm, question, hits, history, lang, max_tokens=max_tokens):
        if first_ms is None:
            first_ms = (time.perf_counter() - start) * 1000
        parts.append(delta)
        if on_delta is not None:
            on_delta(delta)
    timings = {"llm_first_token": first_ms or 0.0, "llm": (time.perf_counter() - start) * 1000}
    text = _THINK.sub("", "".join(parts)).strip()
    return build_answer(question, text, select_hits(hits, max_tokens), get_text, timings)


def build_answer(question: str, text: str, hits: Sequence[Hit], get_text: Callable[[str], str],
                 timings_ms: dict[str, float] | None = None) -> Answer:
    """The Answer for the LLM's finished ``text`` over the numbered ``hits`` it was shown."""
    if not text:
        raise LLMError("the LLM returned an empty answer")
    text = canonical_markers(text)
    numbers = cited_numbers(text)
    if says_not_found(text) and not numbers:
        return Answer(question, False, text, None, "llm", timings_ms=timings_ms or {})
    citations = [_citation(n, hits[n - 1], get_text) for n in sorted(numbers)
                 if 1 <= n <= len(hits)]
    checks = [] if numbers else [Check("citations", False, "the answer cites no source")]
    if not re.search(r"\w{2,}", _MARKER.sub(" ", text)):
        checks.append(Check("content", False, "the answer is only citation markers"))
    checks += verify(text, citations)
    return Answer(question, True, text, _first_sentence(text), "llm", citations, checks,
                  timings_ms or {})


def passes_checks(answer: Answer) -> bool:
    """True when every check passed; False means: show the evidence answer instead.

    Stricter than ``cite.main_figure_ok``: any unverified figure, date, time,
    place or citation marker fails, because a fact-checker cannot tell which
    sentence of an LLM answer is the one that matters.
    """
    return all(check.ok for check in answer.checks)


def _citation(n: int, hit: Hit, get_text: Callable[[str], str]) -> Citation:
    quote = get_text(hit.doc_id)[hit.start:hit.end]
    if quote != hit.text:
        raise StoreError(f"chunk {hit.chunk_id} of {hit.doc_id} no longer matches its report "
                         "text; re-ingest the report")
    return Citation(n=n, doc_id=hit.doc_id, path=hit.path, record=hit.record, title=hit.title,
                    date=hit.date, source=hit.source, url=hit.url, quote=quote,
                    start=hit.start, end=hit.end, score=hit.score)
