"""Parallel versions of one report, and finding a quote's counterpart in the other version.

Collections such as the Syrian Archive publish each report twice, ``X.md`` in
English and ``X_ar.md`` in Arabic. Isnad cites the version in the collection's
language of record (``Config.record_language``, Arabic by default) first and
the version the answer was found in next to it, so a journalist checks the
figure in the report of record and reads it in the question's language.

``twin_paths`` names the paths a report's other version would have,
``same_report`` tells two versions of one report apart from two reports;
``counterpart`` finds, in the other version's text, the clause that states
the same answer (same figure, date or time key, found by the same typed
extraction the answer used) at about the same relative place in the report.
Pure functions; reading the store is the caller's job. This module does not
translate and does not align free text: an answer without a typed key (a place,
a name) keeps its single citation.
"""

from __future__ import annotations

import re

from assistant.answer import extract
from assistant.answer.extract import Found
from assistant.answer.question import Question

# X_ar.md, X.ar.md, X-ar.md (and X_en.md …): a language code before the extension
_SUFFIX = re.compile(r"^(?P<stem>.+?)[._-](?P<lang>ar|en|fr|de|es|tr|ku)(?P<ext>\.[^./]+)?$",
                     re.I)
_SEPARATORS = ("_", ".", "-")
MAX_SHIFT = 0.3  # the counterpart lies within this share of the report from the original's place
KEYED = ("count", "date", "time", "measure")  # answer types whose key is the same in every language


def twin_paths(path: str, lang: str) -> list[str]:
    """Paths of the ``lang`` version of the report at ``path``; none if it is that version."""
    folder, stem, ext, marked = _parts(path)
    if marked == lang:
        return []
    prefix = f"{folder}/" if folder else ""
    names = [f"{stem}{sep}{lang}{ext}" for sep in _SEPARATORS]
    if marked and lang == "en":
        names.insert(0, f"{stem}{ext}")  # the unmarked file is the English one
    return [prefix + n for n in names]


def same_report(path_a: str, path_b: str) -> bool:
    """Are two paths versions of one report (``X.md`` / ``X_ar.md``)?"""
    return path_a != path_b and _parts(path_a.lower())[:3] == _parts(path_b.lower())[:3]


def _parts(path: str) -> tuple[str, str, str, str | None]:
    """(folder, stem, extension, the language code that marks the name or None)."""
    folder, _, name = path.rpartition("/")
    m = _SUFFIX.match(name)
    if m:
        return folder, m["stem"], m["ext"] or "", m["lang"].lower()
    stem, dot, ext = name.rpartition(".")
    return (folder, stem, f".{ext}", None) if dot and stem else (folder, name, "", None)


def counterpart(q: Question, found: Found, rel: float, text: str,
                spans: list[tuple[int, int]]) -> tuple[tuple[int, int], Found] | None:
    """The span (clause) of ``text`` stating ``found`` (same key), nearest to relative place
    ``rel``; the caller quotes it with its sentence, as any clause.

    ``rel`` is where the middle of the original quote sits in its report (0 = start, 1 = end).
    A parallel version keeps the order of its sections, so among the spans
    giving the same figure the one at the same relative place is the translation
    of the quoted one; none within ``MAX_SHIFT`` means no safe counterpart.
    """
    if q.qtype not in KEYED or not text or not spans:
        return None
    best: tuple[float, tuple[int, int], Found] | None = None
    for s, e in spans:
        shift = abs((s + e) / 2 / len(text) - rel)
        if shift > MAX_SHIFT or best is not None and shift >= best[0]:
            continue
        same = [f for f in extract.typed_answers(q, text, s, e) if f.key == found.key]
        if same:
            best = (shift, (s, e), same[0])
    return (best[1], best[2]) if best else None
