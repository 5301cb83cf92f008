"""Writing an evidence answer: citations with exact spans, the markdown, the refusal.

``citation`` quotes a chosen clause (with its whole sentence when segmentation
cut a sentence of readable length), ``markdown`` writes the short answer, the
quote of record, its translation and the other reports' quotes with [n]
markers, ``refusal`` says the reports do not state it and shows the closest
passages. Choosing what to quote is ``answer.py``'s job; nothing here scores.
"""

from __future__ import annotations

import re

from assistant.answer.question import Question
from assistant.answer.state import Cand, Docs
from assistant.records import Answer, Citation

MAX_SENTENCE = 450  # chars: a clause split off a sentence up to this long is quoted whole


def citation(n: int, c: Cand, docs: Docs) -> Citation:
    text, base = docs.text(c.hit)
    start, end = sentence_span(c, docs)
    quote = text[start - base:end - base]
    h = c.hit
    return Citation(n=n, doc_id=h.doc_id, path=h.path, record=h.record, title=h.title, date=h.date,
                    source=h.source, url=h.url, quote=quote, start=start, end=end,
                    score=round(c.score, 4))


def sentence_span(c: Cand, docs: Docs) -> tuple[int, int]:
    """The whole sentence of the clause when segmentation split a sentence of readable length.

    ``segment`` cuts sentences over 300 characters into clauses; the answer may
    sit in the clause next to the one that matched the question best.
    """
    start, end = next(((s, e) for s, e in docs.sentences(c.hit) if s <= c.start and c.end <= e),
                      (c.start, c.end))
    return (start, end) if end - start <= MAX_SENTENCE else (c.start, c.end)


_WORDS = {
    "ar": {"same": "تقرير آخر يذكر الرقم نفسه", "conflict": "تقرير آخر يذكر رقماً مختلفاً",
           "none": "لا تذكر التقارير المتاحة ذلك.", "closest": "أقرب المقاطع:",
           "version": "المقطع نفسه في النسخة {lang} من التقرير"},
    "en": {"same": "Another report gives the same answer", "conflict": "Another report gives a different answer",
           "none": "The reports do not state this.", "closest": "Closest passages:",
           "version": "The same passage in the {lang} version of the report"},
}


_LANGUAGES = {"en": {"en": "English", "ar": "الإنجليزية"}, "ar": {"en": "Arabic", "ar": "العربية"}}


def markdown(q: Question, lead: list[Cand], others: list[tuple[Cand, str]],
             cites: list[Citation]) -> str:
    lang = q.lang if q.lang in _WORDS else "en"
    words, best = _WORDS[lang], lead[-1]
    lines = []
    if best.found:
        marks = " ".join(f"[{c.n}]" for c in cites[:len(lead)])
        lines += [f"**{plain(best.found.text)}** {marks}", ""]
    lines.append(f"> {_flat(cites[0].quote)} [1]")
    if len(lead) > 1:  # the quote's translation: the version the answer was found in
        code = best.hit.language
        name = _LANGUAGES.get(code, {}).get(lang, code)
        lines += ["", words["version"].format(lang=name) + ": [2]", f"> {_flat(cites[1].quote)} [2]"]
    for (c, kind), cite in zip(others, cites[len(lead):], strict=True):
        note = words[kind] + (f" ({_flat(c.found.text)})" if c.found else "")
        lines += ["", f"{note}: [{cite.n}]", f"> {_flat(cite.quote)} [{cite.n}]"]
    return "\n".join(lines)


def _flat(text: str) -> str:
    return " ".join(text.split())


def plain(text: str) -> str:
    """A short answer without the report's markdown marks ("**212**", "1561[ مقطع")."""
    return _flat(re.sub(r"[*_\[\]`]+", " ", text))


def refusal(q: Question, cands: list[Cand], docs: Docs) -> Answer:
    words = _WORDS[q.lang if q.lang in _WORDS else "en"]
    closest, seen = [], set()
    for c in cands:  # as ranked: the best-scoring clause first
        if (c.hit.doc_id, c.start) not in seen and len(closest) < 3:
            seen.add((c.hit.doc_id, c.start))
            closest.append(c)
    cites = [citation(i + 1, c, docs) for i, c in enumerate(closest)]
    lines = [words["none"]]
    if cites:
        lines += ["", words["closest"]] + [f"> {_flat(ci.quote)} [{ci.n}]" for ci in cites]
    return Answer(question=q.text, found=False, answer="\n".join(lines), short_answer=None,
                  mode="evidence", citations=cites, checks=[])
