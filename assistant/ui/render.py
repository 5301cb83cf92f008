"""Pure rendering for the Gradio UI: answers, sources and reports as safe HTML/markdown.

Every piece of report text, question or file name that goes into HTML is escaped
here (``html.escape``), and text that goes into chat markdown also has its
markdown specials neutralised, so a report containing ``<script>`` or
``[x](javascript:…)`` shows as text. Arabic messages get ``dir="rtl"`` and their
Latin runs (names, dates with letters) are wrapped in ``<bdi>`` so the bidi
algorithm does not reorder them. This module does no I/O and imports no Gradio.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import PurePosixPath, PureWindowsPath

from assistant.errors import InputError
from assistant.text.arabic import is_arabic

CONTEXT_CHARS = 300
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9'’.\-]*(?:[ ,:/]+[A-Za-z0-9][A-Za-z0-9'’.\-]*)*")
_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_MARKER = re.compile(r"(\[\d{1,3}\])")
_LINE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*(?:[-*+][ \t]+|\d{1,3}\.[ \t]+)?")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                   "\u2066\u2067\u2068\u2069"))

LABELS = {
    "ar": {"sources": "المصادر", "checks": "تحقق لم ينجح",
           "not_found": "لم تذكر التقارير ذلك."},
    "en": {"sources": "Sources", "checks": "Failed checks",
           "not_found": "The reports do not say."},
}


def esc(text: object) -> str:
    """HTML-escape any value (None becomes the empty string)."""
    return html.escape("" if text is None else str(text), quote=True)


def _md_escape(text: str) -> str:
    """Plain text made inert in markdown: punctuation backslash-escaped, &<> escaped."""
    return html.escape(_MD_SPECIALS.sub(r"\\\1", text), quote=False)


def _isolate(text: str, rtl: bool, escape) -> str:
    """Escape ``text``; inside RTL text wrap Latin runs in <bdi> so they keep their order."""
    if not rtl:
        return escape(text)
    out, pos = [], 0
    for m in _LATIN_RUN.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(f"<bdi>{escape(m.group())}</bdi>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def ltr(html_text: str, whole: bool = False) -> str:
    """Already-escaped text isolated left to right (a date, a path, a number): in an
    Arabic line "(2018-01-01)" would otherwise show as "(01-01-2018)". ``whole`` keeps
    it on one line (a date is not broken at its hyphens)."""
    keep = ' class="isnad-nowrap"' if whole else ""
    return f'<bdi dir="ltr"{keep}>{html_text}</bdi>'


def md_text(text: str, rtl: bool = False) -> str:
    """Untrusted plain text (a question, a quote) ready to put into chat markdown."""
    return _isolate(text or "", rtl, _md_escape)


def cite_link(turn: int, n: int) -> str:
    """The clickable ``[n]`` marker of answer ``turn`` (the page script opens its source)."""
    return f'<a href="#isnad-cite-{turn}-{n}" class="isnad-cite">[{n}]</a>'


def answer_md(answer: str, n_citations: int, turn: int, rtl: bool) -> str:
    """An answer's markdown kept as markdown, with HTML and link syntax made inert.

    The answer quotes reports, so raw HTML, ``[text](url)`` links and reference
    definitions are neutralised; ``[n]`` markers of real citations become links.
    """
    def escape(part: str) -> str:
        part = html.escape(part, quote=False)
        return part.replace("[", "\\[").replace("]", "\\]")

    lines = []
    for line in (answer or "").split("\n"):
        prefix = _LINE_PREFIX.match(line).group()  # blockquote / list markers stay markdown
        out = [prefix]
        for part in _MARKER.split(line[len(prefix):]):
            n = int(part[1:-1]) if _MARKER.fullmatch(part) else 0
            out.append(cite_link(turn, n) if 1 <= n <= n_citations
                       else _isolate(part, rtl, escape))
        lines.append("".join(out))
    return "\n".join(lines)


def wrap_message(body: str, rtl: bool) -> str:
    """A chat message body in a direction-setting block (blank lines keep markdown alive)."""
    return f'<div dir="{"rtl" if rtl else "ltr"}" class="isnad-msg">\n\n{body}\n\n</div>'


def user_message(question: str) -> str:
    rtl = is_arabic(question)
    return wrap_message(md_text(question, rtl), rtl)


def answer_stages(ans: Mapping, turn: int) -> list[str]:
    """Successive chat contents of an answer: short answer, cited answer, sources, checks.

    The first stage is the short answer alone; the cited answer (whose first
    paragraph restates it with its marker) then replaces it paragraph by paragraph.
    """
    # The bubble reads in the language of the question (its labels are in it too); each
    # paragraph then takes its own direction (CSS unicode-bidi: plaintext, assets.CSS).
    rtl = is_arabic(ans.get("question") or ans.get("answer") or "")
    lab = LABELS["ar" if rtl else "en"]
    cites = ans.get("citations") or []
    stages = []
    if ans.get("short_answer"):
        stages.append(wrap_message(f"**{md_text(str(ans['short_answer']), rtl)}**", rtl))
    parts: list[str] = []
    for para in [p for p in (ans.get("answer") or lab["not_found"]).split("\n\n") if p.strip()]:
        parts.append(answer_md(para, len(cites), turn, rtl))
        stages.append(wrap_message("\n\n".join(parts), rtl))
    if cites:
        parts.append(f"**{lab['sources']}:** " + " · ".join(
            f"{cite_link(turn, c['n'])} <bdi>{md_text(c.get('title') or c.get('path') or '')}"
            "</bdi>" + (f" {ltr(md_text('(' + c['date'] + ')'), True)}" if c.get("date") else "")
            for c in cites))
        stages.append(wrap_message("\n\n".join(parts), rtl))
    failed = [c for c in ans.get("checks") or [] if not c.get("ok")]
    if failed:
        parts.append(f"**{lab['checks']}:**\n\n" + "\n".join(
            f"- {md_text(c.get('claim', ''), rtl)}: {md_text(c.get('detail', ''), rtl)}"
            for c in failed))
        stages.append(wrap_message("\n\n".join(parts), rtl))
    return stages


def draft_message(text: str) -> str:
    """An LLM answer still being written (escaped; marked as not yet verified)."""
    rtl = is_arabic(text)
    label = "مسودة، قيد التحقق…" if rtl else "draft, being verified…"
    return wrap_message(f"*{label}*\n\n{md_text(text, rtl)}", rtl)


def error_message(text: str) -> str:
    rtl = is_arabic(text)
    return wrap_message(f"**{'تنبيه' if rtl else 'Note'}:** {md_text(text, rtl)}", rtl)


# -- sources panel ---------------------------------------------------------------------------
def _safe_url(url: str) -> str:
    """A link for http(s) URLs only; anything else is shown as text."""
    if re.match(r"^https?://", url or "", re.I):
        return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)


def _meta_line(c: Mapping) -> str:
    items = [ltr(esc(c.get('date') or '—'), True)]
    if c.get("source"):
        items.append(f"<bdi>{esc(c['source'])}</bdi>")
    items.append(ltr(esc(_where(c))))
    items.append(ltr(f"chars {int(c['start'])}–{int(c['end'])}", True))
    if c.get("url"):
        items.append(_safe_url(c["url"]))
    return '<div class="isnad-meta">' + " · ".join(items) + "</div>"


def _where(c: Mapping) -> str:
    """The report's path, with its record for a csv/jsonl row."""
    return (c.get("path") or "") + (f"#{c['record']}" if c.get("record") else "")


def _context_bounds(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """±``width`` characters around the span, widened to the nearest whitespace."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    while lo > 0 and not text[lo - 1].isspace() and start - lo < width + 40:
        lo -= 1
    while hi < len(text) and not text[hi].isspace() and hi - end < width + 40:
        hi += 1
    return lo, hi


def source_html(c: Mapping, text: str | None, width: int = CONTEXT_CHARS) -> str:
    """One citation: title, date, source, url and the quote highlighted in its paragraph."""
    start, end, quote = int(c["start"]), int(c["end"]), c.get("quote") or ""
    rtl = is_arabic(quote or (text or "")[:400])
    head = (f'<h3 class="isnad-src-title"><bdi>[{int(c["n"])}]</bdi> '
            f'{esc(c.get("title") or c.get("path") or "")}</h3>')
    if text is None or text[start:end] != quote:
        note = ('<p class="isnad-warn">The report changed or was removed since this answer; '
                "the quote is shown as cited. / تغيّر التقرير أو حُذف بعد هذا الجواب.</p>")
        body = f"{note}<p><mark>{esc(quote)}</mark></p>"
    else:
        lo, hi = _context_bounds(text, start, end, width)
        body = (f'<p class="isnad-context">{"…" if lo > 0 else ""}{esc(text[lo:start])}'
                f"<mark>{esc(quote)}</mark>{esc(text[end:hi])}{'…' if hi < len(text) else ''}</p>")
    return (f'<div class="isnad-source" dir="{"rtl" if rtl else "ltr"}">{head}'
            f"{_meta_line(c)}{body}</div>")


def report_html(title: str, text: str, start: int, end: int) -> str:
    """A whole report with one span highlighted (``#isnad-mark`` to scroll to)."""
    rtl = is_arabic(text)
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    return (f'<div class="isnad-report" dir="{"rtl" if rtl else "ltr"}"><h3>{esc(title)}</h3>'
            f'<div class="isnad-report-text">{esc(text[:start])}<mark id="isnad-mark">'
            f"{esc(text[start:end])}</mark>{esc(text[end:])}</div></div>")


def citation_text(c: Mapping) -> str:
    """Plain text to paste into an article: title; date · source; url (when known); where
    the quote is (path, doc_id and character span); the verbatim quote in «»."""
    # The locator line stays in Latin letters: an Arabic word before the span would turn
    # "1240–1404" into "1404–1240" in an Arabic paragraph.
    lines = [c.get("title") or c.get("path") or "",
             " · ".join(x for x in (c.get("date"), c.get("source")) if x),
             c.get("url") or "",
             f"{_where(c)} · doc {c.get('doc_id', '')} · characters "
             f"{int(c['start'])}–{int(c['end'])}",
             f"«{c.get('quote', '')}»"]
    return "\n".join(line for line in lines if line)


def sources_list_html(cites: Sequence[Mapping], turn: int) -> str:
    """The clickable list of an answer's sources for the side panel."""
    if not cites:
        return '<p class="isnad-hint">No sources for this answer. / لا مصادر لهذا الجواب.</p>'
    # The title is not isolated: its first letter sets the item's direction (dir=auto
    # skips isolated text); the date is, left to right.
    items = "".join(f'<li dir="auto">{cite_link(turn, int(c["n"]))} '
                    f'{esc(c.get("title") or c.get("path") or "")} '
                    f"{ltr(esc('(' + (c.get('date') or '—') + ')'), True)}</li>" for c in cites)
    return f'<ul class="isnad-cites">{items}</ul>'


# -- forms, listings, status -----------------------------------------------------------------
def check_date(value: str | None, name: str) -> str | None:
    """``YYYY-MM-DD`` or empty; anything else raises InputError naming the field."""
    value = (value or "").strip()
    if not value:
        return None
    if not _DATE.match(value):
        raise InputError(f"{name} must be a date as YYYY-MM-DD (got {value[:20]!r})")
    try:
        date.fromisoformat(value)
    except ValueError as e:
        raise InputError(f"{name}: {value} is not a real date") from e
    return value


def safe_filename(name: str, max_len: int = 120) -> str:
    """The last component of an upload name, with only letters, digits and ``._- `` kept."""
    base = PureWindowsPath(PurePosixPath(str(name)).name).name
    base = unicodedata.normalize("NFC", base).translate(_BIDI_CONTROLS)
    base = "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in base).strip(" .")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[: max_len - len(suffix) - 1] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def report_rows(reports: Sequence[Mapping]) -> list[list]:
    """Rows for the reports table."""
    return [[r["doc_id"], r["path"] + (f"#{r['record']}" if r.get("record") else ""),
             r.get("title") or "", r.get("date") or "", r.get("source") or "",
             r.get("language") or "", r.get("chunks") or 0] for r in reports]


REPORT_COLUMNS = ["doc_id", "path", "title", "date", "source", "language", "chunks"]


def status_markdown(phase: str, stats: Mapping | None, llm: str | None,
                    detail: str = "") -> str:
    """The status line: phase, embedder, LLM or evidence mode, index counts."""
    if phase != "ready":
        return f"**{esc(phase)}** {esc(detail)}"
    stats = stats or {}
    mode = f"LLM `{esc(llm)}`" if llm else "evidence mode / وضع الأدلة (no LLM)"
    return (f"**ready / جاهز** · embedder `{esc(stats.get('model_id'))}` · {mode} · "
            f"{stats.get('reports', 0)} reports / تقارير · {stats.get('chunks', 0)} passages · "
            f"{stats.get('vectors', 0)} vectors" + (f" · {esc(detail)}" if detail else ""))
