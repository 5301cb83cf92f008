"""Follow-up questions in a chat: when a question leans on the previous one, and the
standalone question it stands for (pure functions, no LLM).

A follow-up starts with a conjunction ("and the Islamic State?", «وكم منهم أطفال؟»),
asks "what about …", points back ("of them", «منهم», "that", «ذلك»), or names nothing
of its own ("When?", «وأين؟»). A question with a subject of its own («من أين جاءت
التعزيزات؟», "How many IS fighters were killed?") stands alone, however short.
``resolve_followup`` rewrites the previous (itself resolved) question: what the follow-up
names — the counted group, the actor, the place, the date, the source it cites, the
question word — replaces the matching part, everything else is carried forward, and the
names keep the previous question's language («تنظيم الدولة الإسلامية» for "the Islamic
State" after an Arabic question). This module does not look at reports.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.answer.entities import Entity
from assistant.answer.question import Parse, parse
from assistant.answer.terms import concept_of
from assistant.lexicon import CONCEPTS, MONTHS
from assistant.lexicon.actors import actor_name
from assistant.lexicon.phrases import words
from assistant.lexicon.places import place
from assistant.text.arabic import normalize, tokenize

_CONJ = r"^\s*(?:and|but|also|so|then|plus|و|ف)\s*"
# A question that leans on the previous one whatever else it says: it starts with "and",
# asks "what about", cites a source only, or points back with a pronoun.
_LEANS = re.compile(
    _CONJ + r"|^\s*(?:what|how) about\b|^\s*(?:و)?ماذا عن|^\s*(?:و)?ما(?:ذا)? بالنسبه"
    r"|^\s*(?:according to|as per|per|و?بحسب|و?حسب|و?وفق|و?وفقا)\b"
    r"|(?<!\w)(?:منهم|منهن|منها|بينهم|بينهن|عنه|عنها|ذلك|تلك|هذا|هذه|هولاء|اولءك|لهم|فيه|فيها)(?!\w)"
    r"|\b(?:of them|among them|of those|them|they|it|its|that|those|these|there|this one"
    r"|the same|he|she|his|her)\b")
# ... or with a definite word for what was just discussed, when it names nothing of its own
# ("How many women were among the dead?", "When exactly did the strike hit?").
_BACK_NOUNS = re.compile(
    r"\bthe\s+(?:dead|killed|victims|wounded|injured|casualties|attack|attacks|strike|strikes"
    r"|raid|raids|airstrikes?|bombing|shelling|blast|explosion|incident|massacre|hospital|report"
    r"|toll)\b|(?<!\w)(?:القتلي|الضحايا|المصابين|الجرحي|الهجوم|الغاره|الغارات|الضربه|القصف"
    r"|المجزره|الانفجار|الحادثه|المستشفي|التقرير|الحصيله)(?!\w)")
_NEXT_DAY = re.compile(r"next day|following day|day after|اليوم التالي|اليوم الذي يليه|في الغد")
_PREV_DAY = re.compile(r"day before|previous day|اليوم السابق|اليوم الذي سبقه|قبله بيوم")
_QWORDS = frozenset(tokenize("""كم عدد بأي ما متى أين اين من أي اي هل كيف لماذا ماذا وماذا
    how many much what when where who whom which whose why did does do was were is are the
    a an and about exactly بالضبط عن"""))
MAX_HISTORY = 6


def is_elliptic(text: str) -> bool:
    """Does ``text`` lean on the previous question? (see the module docstring)"""
    norm = normalize(text)
    content = [t for t in tokenize(text) if t not in _QWORDS]
    if _NEXT_DAY.search(norm) or _PREV_DAY.search(norm):
        return len(content) <= 4  # "what about the next day?", not a full question naming it
    if _LEANS.search(norm):
        return len(content) <= 8  # a long question that starts with "and" is its own
    q = parse(text).question
    own = bool(q.entities or q.dates or q.places)
    return not content and not own or bool(_BACK_NOUNS.search(norm)) and not own


def is_underspecified(text: str) -> bool:
    """A short question naming no place, actor, date or figure of its own ("Who was
    blamed?", «من أين جاءت التعزيزات؟»): in a chat, most likely about the last answer."""
    q = parse(text).question
    content = [t for t in tokenize(text) if t not in _QWORDS]
    return len(content) <= 3 and not (q.entities or q.dates or q.numbers or q.places)


def resolve_followup(text: str, history: list[tuple[str, str]] | None) -> str:
    """A standalone version of ``text`` given earlier ``(question, answer)`` pairs;
    standalone questions come back unchanged."""
    if not history or not text.strip() or not is_elliptic(text):
        return text
    history = history[-MAX_HISTORY:]
    prev = resolve_followup(history[-1][0], history[:-1])
    return _merge(parse(prev), parse(_strip_and(text)), text)


def _part_of(original: str) -> bool:
    """"How many of them …", «كم منهم …»: a part of what was counted, not another event."""
    return bool(_BACK.search(original))


# Words pointing back at the previous question's subject: they carry nothing to put in.
_BACK = re.compile(r"\b(?:of|among)\s+(?:them|those)\b|(?<!\w)(?:منهم|منهن|بينهم|بينهن)(?!\w)",
                   re.I)


def _strip_and(text: str) -> str:
    out = re.sub(r"^\s*(?:and|but|also|so|then|plus)\b\s*|^\s*(?:what|how) about\s*", "",
                 text, flags=re.I)
    out = _BACK.sub(" ", re.sub(r"^\s*(?:و|ف)(?=\S)", "", out))
    return re.sub(r"\s+", " ", out).strip()


def _merge(prev: Parse, new: Parse, original: str) -> str:
    """The previous question with the parts the follow-up states put in."""
    text = prev.question.text.rstrip(" ?؟")
    lang = prev.question.lang
    edits: list[tuple[tuple[int, int] | None, str]] = []
    ntext = new.question.text
    if new.cue and new.question.qtype != prev.question.qtype:
        return _asked_about(prev, new)
    event = None if _part_of(original) else _event_edit(prev, new)
    if event:  # "and how many were wounded?" after "… killed …": another event
        edits.append(event)
    groups = {concept_of(t) for t in new.question.target_terms} - \
        {concept_of(t) for t in new.question.event_terms}
    if new.target and new.question.qtype == "count" and (groups or not event):
        counted = ntext[new.target[0]:new.target[1]]
        if event:  # the event word was put in place already: count only the group
            counted = " ".join(w for w in counted.split() if concept_of(
                (tokenize(w) or [""])[0]) in groups) or counted
        if new.question.lang != lang:
            counted = _in_language(counted, lang)
        edits.append((_counted_span(prev, new), counted))
    elif not new.cue and prev.question.qtype == "count" and _words_of(new) and not (
            _NEXT_DAY.search(normalize(original)) or _PREV_DAY.search(normalize(original))):
        # "And teachers?" after "how many children …": a new group to count
        edits.append((_counted_span(prev, new), _in_language(_words_of(new), lang)))
    edits += _entity_edits(prev, new, lang)
    if new.dates:
        edits.append((prev.dates[0] if prev.dates else None, ntext[new.dates[0][0]:new.dates[0][1]]))
    else:
        edits.extend(_relative_day(prev, original))
    if new.source:
        edits.append((prev.source, ntext[new.source[0]:new.source[1]].strip(" ?؟.,،")))
    if not edits:  # nothing to put in place of: the follow-up's words go along
        edits.append((None, ntext.strip(" ?؟")))
    for span, value in sorted(_disjoint(edits), key=lambda e: -(e[0] or (len(text), 0))[0]):
        text = _apply(text, span, value, lang)
    return text.strip() + ("؟" if lang == "ar" else "?")


# Who a count names that no armed actor's members are: asking for them after "how many
# regime soldiers" drops the actor too ("and how many civilians?").
_UNARMED = frozenset({"civilians", "children", "women", "people", "patients", "doctors",
                      "staff"})


def _event_edit(prev: Parse, new: Parse) -> tuple[tuple[int, int], str] | None:
    """When the follow-up counts only another event ("and how many were wounded?"): the
    previous question's event word, and the new one in the previous language."""
    new_events = {concept_of(t) for t in new.question.event_terms}
    old_events = {concept_of(t) for t in prev.question.event_terms}
    if not new_events or not old_events or new_events == old_events:
        return None
    span = next(((s, e) for w, s, e in words(prev.question.text)
                 if concept_of(tokenize(w)[0] if tokenize(w) else "") in old_events), None)
    word = next((w for w, _, _ in words(new.question.text)
                 if concept_of(tokenize(w)[0] if tokenize(w) else "") in new_events), None)
    if span is None or word is None:
        return None
    text = prev.question.text
    end = span[1]
    while end < len(text) and "\u064b" <= text[end] <= "\u065f":  # tanween after the word
        end += 1
    return (span[0], end), _in_language(word, prev.question.lang)


def _asked_about(prev: Parse, new: Parse) -> str:
    """Another kind of question about the same thing ("ومن أين نزحوا؟" after "how many
    …"): the new question, then the previous one without its question word."""
    text = prev.question.text.rstrip(" ?؟")
    if prev.cue:
        text = text[:prev.cue[0]] + text[prev.cue[1]:]
    own = new.question.text.rstrip(" ?؟")
    end = "؟" if new.question.lang == "ar" else "?"
    return re.sub(r"\s+", " ", f"{own} {text}").strip() + end


def _words_of(new: Parse) -> str:
    """The follow-up's own words, without the entities, dates and source it names."""
    text = new.question.text
    spans = [(e.start, e.end) for e in new.question.entities] + list(new.dates) + \
        ([new.source] if new.source else [])
    for s, e in sorted(spans, key=lambda x: -x[0]):
        text = text[:s] + text[e:]
    return " ".join(text.strip(" ?؟.,،").split())


def _counted_span(prev: Parse, new: Parse) -> tuple[int, int] | None:
    """What the follow-up's counted group replaces: the previous one, and the actor right
    after it when the new group is not anyone's fighters."""
    span = prev.target or _after(prev.cue)
    new_groups = {concept_of(t) for t in new.question.target_terms}
    actor = next((e for e in prev.question.entities if e.kind == "actor"), None)
    if span and actor and new_groups & _UNARMED and span[0] <= actor.start <= span[1] + 6:
        return span[0], max(span[1], actor.end)
    return span


def _entity_edits(prev: Parse, new: Parse, lang: str) -> list[tuple[tuple[int, int] | None, str]]:
    """Each actor / place the follow-up names replaces the previous question's first one
    of that kind, written in the previous question's language."""
    edits: list[tuple[tuple[int, int] | None, str]] = []
    for kind in ("actor", "place"):
        named = [e for e in new.question.entities if e.kind == kind]
        if not named:
            if kind == "place" and new.places:  # a place the gazetteer does not know
                s, e = new.places[0]
                old = next((x for x in prev.question.entities if x.kind == "place"), None)
                span = (old.start, old.end) if old else (prev.places[0] if prev.places else None)
                edits.append((span, new.question.text[s:e]))
            continue
        old = next((e for e in prev.question.entities if e.kind == kind), None)
        name = _name(named[0], new.question.text, lang)
        if old is None and kind == "place" and lang == "ar":
            name = "في " + name
        edits.append(((old.start, old.end) if old else None, name))
    return edits


def _in_language(words: str, lang: str) -> str:
    """A counted phrase in the other language, word by word through the concept words
    («أطفال» → "children"); a word with no known translation is kept."""
    out = []
    for word in words.split():
        name = concept_of(tokenize(word)[0]) if tokenize(word) else None
        forms = CONCEPTS.get(name or "", [])
        other = [f for f in forms if bool(re.search("[\u0600-\u06ff]", f)) == (lang == "ar")]
        out.append(other[0] if other else word)
    return " ".join(out)


def _name(entity: Entity, text: str, lang: str) -> str:
    """The entity as written, or its name in ``lang`` when the follow-up is in another."""
    written = text[entity.start:entity.end]
    if bool(re.search("[\u0600-\u06ff]", written)) == (lang == "ar"):
        return written
    key = sorted(entity.ids)[0]
    if entity.kind == "actor":
        return actor_name(key, lang) or written
    p = place(key)
    return (p.name_ar if lang == "ar" else p.name_en) or written


def _disjoint(edits: list[tuple[tuple[int, int] | None, str]]
              ) -> list[tuple[tuple[int, int] | None, str]]:
    """Edits whose spans do not overlap an earlier edit's (the first one wins)."""
    out: list[tuple[tuple[int, int] | None, str]] = []
    for span, value in edits:
        if span is None or not any(s and s[0] < span[1] and span[0] < s[1] for s, _ in out):
            out.append((span, value))
    return out


def _after(span: tuple[int, int] | None) -> tuple[int, int] | None:
    return (span[1] + 1, span[1] + 1) if span else None


# A question word in the previous question's language, when the follow-up's is another.
_CUES = {("date", "ar"): "متى", ("date", "en"): "When", ("place", "ar"): "أين",
         ("place", "en"): "Where", ("time", "ar"): "في أي ساعة", ("time", "en"): "At what time",
         ("actor", "ar"): "من", ("actor", "en"): "Who", ("weapon", "ar"): "بأي سلاح",
         ("weapon", "en"): "With what weapon", ("count", "ar"): "كم", ("count", "en"): "How many"}


def _apply(text: str, span: tuple[int, int] | None, value: str, lang: str) -> str:
    if span is None:
        if lang == "ar":
            return f"{text} {value}"
        return f"{text} {value}" if value.lower().startswith(("in ", "on ", "the ", "at ")) \
            or not value[:1].isupper() else f"{text} in {value}"
    start, end = span
    return re.sub(r" {2,}", " ", f"{text[:start]} {value} {text[end:]}").replace(" ؟", "؟")


def _relative_day(prev: Parse, original: str) -> list[tuple[tuple[int, int] | None, str]]:
    norm = normalize(original)
    shift = 1 if _NEXT_DAY.search(norm) else -1 if _PREV_DAY.search(norm) else 0
    if not shift:
        return []
    lang = prev.question.lang
    full = [(span, d) for span, d in zip(prev.dates, prev.question.dates, strict=False) if len(d) == 10]
    if full:
        span, iso = full[0]
        return [(span, _format_date(iso, shift, lang))]
    words = {("ar", 1): "في اليوم التالي", ("ar", -1): "في اليوم السابق",
             ("en", 1): "on the next day", ("en", -1): "on the day before"}
    return [(None, words[(lang, shift)])]


def _format_date(iso: str, shift: int, lang: str) -> str:
    day = date.fromisoformat(iso) + timedelta(days=shift)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"
