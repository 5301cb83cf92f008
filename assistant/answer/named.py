"""Place, actor and weapon answers inside one clause (pure functions).

A fact-sheet line answers by its label («الموقع: …», "Weapons used: …"); otherwise the
places, actors and weapons the gazetteer and the actor / weapon tables find in the clause
(``mentions``: the report's entities; weapons are looked up here), then, for places the
gazetteer does not know, a name after "in / from / to" («من منطقة …», "from X"). What the
question itself names is not its answer ("where did the Idlib strike hit?" is not
"Idlib"). Choosing between clauses is ``evidence.py``'s job.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answer.clause_tokens import Found
from assistant.answer.entities import Entity, agree
from assistant.answer.question import Question
from assistant.lexicon import ACTOR_TYPES, ANSWER_LABELS, PLACE_TYPES
from assistant.lexicon.actors import find_weapons
from assistant.text.arabic import normalize

_NOT_AVAILABLE = re.compile(r"غير متوفر|غير معروف|not available|unknown|n/a", re.I)
_STOP_AR = r"(?:في|من|على|إلى|الى|التي|الذي|بعد|قبل|حيث|مع|بالتزامن|وسط|خلال|عند|منذ|لحين|للاتفاق)"
_AR_PREP = r"(?:^|(?<=\s))(?:{p})\s+"
_NAME_AR = r"((?:{types})?\s*[^\s،,.؛:]+(?:\s+(?!{stop}\s)[^\s،,.؛:]+){{0,4}})"
_NAME_EN = r"((?:the\s+)?[A-Z][\w'’-]+(?:\s+(?:al-|el-|de\s)?[A-Z][\w'’-]+){0,3})"
KNOWN, UNKNOWN, OWN = 0.8, 0.35, 0.2  # a name the tables know / do not know / the question's
UNTYPED = 0.15  # an Arabic word after a preposition, no place type before it: not shown
OTHER_PREPOSITION = 0.6  # "from where?" answered by a place after "in", not "from"
_FROM = re.compile(r"(?:\bمن|\bfrom)\s*(?:\S+\s+)?$", re.I)
_TO = re.compile(r"(?:\bالى|\bإلى|\bنحو|\bto|\binto|\btowards)\s*(?:\S+\s+)?$", re.I)


def _wanted_prepositions(q: Question) -> re.Pattern | None:
    """What a place answering ``q`` follows: "from" for "from where?", "to" for "where
    to?", nothing in particular for "where?"."""
    norm_q = normalize(q.text)
    if re.search(r"من اين|from where|come from|came from|\bfrom\b", norm_q):
        return _FROM
    if re.search(r"الي اين|to where|where to", norm_q):
        return _TO
    return None


def named_answers(q: Question, text: str, start: int, end: int,
                  mentions: tuple[Entity, ...] = ()) -> list[Found]:
    """The ``q.qtype`` ("place", "actor" or "weapon") answers of ``text[start:end]``."""
    out = _labelled(q.qtype, text, start, end)
    if q.qtype == "weapon":
        clause = text[start:end]
        table = [Found(clause[m.start:m.end], start + m.start, start + m.end, 0.7,
                       "weapon:" + m.keys[0]) for m in find_weapons(clause)]
        return out + _specific_weapons(q, table + _weapon_models(text, start, end))
    wanted = _wanted_prepositions(q) if q.qtype == "place" else None
    for m in mentions:
        if m.kind == q.qtype and start <= m.start and m.end <= end:
            own = any(agree(x, m) or agree(m, x) for x in q.entities if x.kind == m.kind)
            score = OWN if own else KNOWN
            if wanted is not None:  # "from where?": a place after "from" («من»)
                before = text[max(start, m.start - 12):m.start]
                score *= 1.0 if wanted.search(before) else OTHER_PREPOSITION
            out.append(Found(text[m.start:m.end], m.start, m.end, score,
                             f"{m.kind}:{min(m.ids)}"))
    if q.qtype == "place":
        out += _after_preposition(q, text, start, end, out)
    elif q.qtype == "actor":
        out += _between(text, start, end)
        out += _actor_names(q, text, start, end, out)
    return [f for f in out if f.score > 0]


# How reports name a weapon the table cannot list (models and designators, the language's
# own noun phrases): a designator (Su-24, BM-30, AGM-114, ZAB-2.5S, KAB-500), the name after
# «من طراز / من نوع» / "model / type", "<Name> missiles", and a munition noun with its
# adjective («صاروخين فراغيين», «الصواريخ الحرارية»).
_DESIGNATOR = re.compile(r"(?<![\w.-])([A-Za-z]{1,6}-\d+(?:\.\d+)?[A-Za-z]?(?:-\d+)?)(?![\w-])")
_MODEL_AR = re.compile(r"(?:من\s+)?(?:طراز|نوع)\s+\[?([^\s،,.؛:()\[\]]+(?:\s+(?!(?:التابع\S*|"
                       + _STOP_AR[3:-1] + r")\s)[^\s،,.؛:()\[\]]+){0,2})")
_MODEL_EN = re.compile(r"\b(?!(?:The|A|An|This|That|These|Those|Its|Their|Such)\s)"
                       r"([A-Z][\w-]+(?:\s+[A-Z\d][\w-]*)?\s+(?:series\s+)?"
                       r"(?:missiles?|rockets?|bombs?|shells?|munitions?))\b")
_MUNITION_AR = re.compile(r"(?:(?<=\s)|^)(?:ب|و)?((?:ال)?(?:صاروخ|صاروخين|صواريخ|قنبلة|قنبلتين|"
                          r"قنابل|قذيفة|قذيفتين|قذائف|برميل|براميل|ذخائر|ذخيرة)\s+"
                          r"(?!(?:التي|الذي|الذين|اللذين|اللتين)(?:\s|$))(?:ال)?\S+?"
                          r"(?:ي|ية|يين|يتين|يات|ين))(?=[\s،,.؛:]|$)")
MODEL_SCORES = ((_DESIGNATOR, 0.8), (_MODEL_AR, 0.75), (_MODEL_EN, 0.7), (_MUNITION_AR, 0.6))


def _weapon_models(text: str, start: int, end: int) -> list[Found]:
    """Weapons named by model, designator or noun phrase in ``text[start:end]``."""
    out = []
    for pattern, score in MODEL_SCORES:
        for m in pattern.finditer(text, start, end):
            a, b = m.span(1)
            out.append(Found(text[a:b], a, b, score, "weapon-model:" + normalize(text[a:b])))
    return out


def _specific_weapons(q: Question, found: list[Found]) -> list[Found]:
    """The most specific name of each weapon: a name inside a longer one found by another
    rule («الصواريخ» in «الصواريخ الحرارية») gives way to it, and a name the question
    itself uses ("what missiles…?" is not answered by "missiles") is hardly an answer."""
    out = []
    for f in found:
        if any(g.start <= f.start and f.end <= g.end and (g.end - g.start) > (f.end - f.start)
               for g in found):
            continue
        out.append(replace(f, score=OWN) if _asked(q, f.text) else f)
    return out


def _asked(q: Question, name: str) -> bool:
    """Every word of ``name`` is in the question (with or without «ال»)."""
    asked = set(re.findall(r"[\w-]+", normalize(q.text)))
    return all(w in asked or w.removeprefix("ال") in asked
               for w in re.findall(r"[\w-]+", normalize(name)))


def _labelled(kind: str, text: str, start: int, end: int) -> list[Found]:
    if kind not in ANSWER_LABELS:
        return []
    pat = re.compile(rf"(?:^|[\n\-_*•]\s*)(?:{ANSWER_LABELS[kind]})\s*[:：]\s*([^\n]+)", re.I)
    out = []
    for m in pat.finditer(text, start, end):
        a, b = m.span(1)
        b = len(text[a:b].rstrip(" _*.")) + a
        if b > a:
            score = 0.2 if _NOT_AVAILABLE.search(text[a:b]) else 1.0
            out.append(Found(text[a:b], a, b, score, normalize(text[a:b])))
    return out


def _after_preposition(q: Question, text: str, start: int, end: int,
                       known: list[Found]) -> list[Found]:
    """Names after "in / from / to" that the gazetteer did not find."""
    norm_q = normalize(q.text)
    preps = "من" if re.search(r"من اين|from where|come from|came from|\bfrom\b", norm_q) else \
        "إلى|الى" if re.search(r"الي اين|to where|where to", norm_q) else "في|على|ب"
    types = "|".join(re.escape(t) for t in PLACE_TYPES if not t.isascii())
    pat = re.compile(_AR_PREP.format(p=preps) + _NAME_AR.format(types=f"(?:{types})", stop=_STOP_AR))
    spans = [(m.start(1), m.end(1)) for m in pat.finditer(text, start, end)]
    en = {"من": "from", "إلى|الى": "to|into"}.get(preps, "in|at|near|on")
    spans += [(start + m.start(1), start + m.end(1))
              for m in re.finditer(rf"\b(?:{en})\s+{_NAME_EN}", text[start:end])]
    out = []
    for a, b in sorted(set(spans)):
        if any(f.start <= a < f.end or a <= f.start < b for f in known + out):
            continue  # a gazetteer place there already, or this name from another rule
        name = text[a:b]
        own = any(normalize(p) in normalize(name) for p in q.places) or _asked(q, name)
        typed = normalize(name).split()[:1] and any(
            normalize(t) == normalize(name).split()[0] for t in PLACE_TYPES)
        # an Arabic word after «في / من / على» is most often not a name at all («على
        # التوالي»، «من أجل»): without a place type before it, it is not an answer
        score = OWN if own else KNOWN if typed else UNKNOWN if name.isascii() else UNTYPED
        out.append(Found(name, a, b, score, normalize(name)))
    return out


_ACTOR_AR = re.compile(rf"(?:^|(?<=[\s(«\"]))(?:ل|و|ب)?(?:ال)?(?:{'|'.join(ACTOR_TYPES)})\s+"
                       rf"((?!{_STOP_AR}\s)[^\s،,.؛:()]+(?:\s+(?!{_STOP_AR}\s)(?!و)[^\s،,.؛:()]+)"
                       r"{0,3})")


def _actor_names(q: Question, text: str, start: int, end: int,
                 known: list[Found]) -> list[Found]:
    """Names the actor table does not know, after a kind of organisation or a title
    («منظمة …»، «المحامي …»). (English capitalised names were tried: on the journalist
    tune split they added more wrong answers than right ones.)"""
    spans = [m.span(1) for m in _ACTOR_AR.finditer(text, start, end)]
    out: list[Found] = []
    for a, b in spans:
        if any(f.start < b and a < f.end for f in known + out):
            continue
        name = text[a:b]
        # «محكمة أنتويرب الجنائية» for "which companies did the Antwerp court convict?"
        # is the question's own court: its first word is enough to tell
        own = _asked(q, name.split()[0])
        out.append(Found(name, a, b, OWN if own else UNKNOWN, normalize(name)))
    return out


def _between(text: str, start: int, end: int) -> list[Found]:
    """"between X and Y" («بين X و Y»): the two sides."""
    out = []
    for m in re.finditer(r"(?:بين|between)\s+([^،,.؛\n]+)", text[start:end]):
        a, b = start + m.start(1), start + m.end(1)
        # two sides named, not a period («بين عامي 2014 و2016») nor a long phrase
        if re.search(r"\s(?:و|and)\s*\S", text[a:b]) and b - a < 80 \
                and not re.search(r"\d", text[a:b]):
            out.append(Found(text[a:b], a, b, 0.9, normalize(text[a:b])))
    return out
