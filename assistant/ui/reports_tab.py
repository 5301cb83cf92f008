"""The Reports tab: uploads with their progress, the reports table (filtered by date,
source and words, sorted, exported as CSV) and removal.

``reports_tab(backend)`` builds the tab (call inside ``gr.Tab``). The table lists
at most ``MAX_ROWS`` reports (the CSV export holds every report the filters keep).
Uploads run as background jobs (``ui.jobs``): the panel of uploads is refreshed
every 2 s while the tab is open or a job runs. Row builders are pure functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import gradio as gr

from assistant.errors import IsnadError
from assistant.ui import render
from assistant.ui.backend import Backend
from assistant.ui.exports import rows_csv, save_csv
from assistant.ui.jobs import jobs_html
from assistant.ui.reports import UPLOAD_SUFFIXES, guarded, remove, upload_guarded

MAX_ROWS = 2000
CSV_COLUMNS = ("doc_id", "path", "record", "title", "date", "source", "language", "chunks")
SORTS = {"date, newest first · الأحدث أولاً": ("date", True),
         "date, oldest first · الأقدم أولاً": ("date", False),
         "title · العنوان": ("title", False), "source · المصدر": ("source", False),
         "passages · المقاطع": ("chunks", True)}
WIDTHS = ["10%", "17%", "33%", "9%", "17%", "6%", "8%"]


@dataclass(frozen=True)
class ReportFilter:
    """Which reports the table shows and in what order (every field optional)."""

    since: str | None = None
    until: str | None = None
    sources: tuple[str, ...] = ()
    words: str = ""
    sort: str = next(iter(SORTS))


def filter_reports(reports: Sequence[Mapping], flt: ReportFilter) -> list[Mapping]:
    """The reports ``flt`` keeps, sorted; a report without a date never passes a date
    bound and sorts last whichever the direction."""
    words = flt.words.casefold().split()
    keep = []
    for r in reports:
        date = r.get("date") or ""
        if (flt.since or flt.until) and not date:
            continue
        if (flt.since and date < flt.since) or (flt.until and date[:len(flt.until)] > flt.until):
            continue
        if flt.sources and r.get("source") not in flt.sources:
            continue
        hay = f"{r.get('title') or ''} {r['path']} {r['doc_id']}".casefold()
        if any(w not in hay for w in words):
            continue
        keep.append(r)
    key, descending = SORTS.get(flt.sort, ("date", True))
    present = [r for r in keep if r.get(key) not in (None, "")]
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + [r for r in keep if r.get(key) in (None, "")]


def write_reports_csv(reports: Sequence[Mapping], folder: Path) -> Path:
    """A UTF-8 CSV (with a BOM, so Excel shows Arabic) of ``reports``; its path."""
    return save_csv(folder, "isnad-reports", lambda out: out.write(rows_csv(
        CSV_COLUMNS, ([r.get(k) for k in CSV_COLUMNS] for r in reports))))


def listing(backend: Backend, since: str = "", until: str = "", sources: list | None = None,
            words: str = "", sort: str = ""):
    """Reports table, counts line, CSV file, fresh choices for the filter dropdowns and
    the status line."""
    flt = ReportFilter(render.check_date(since, "since"), render.check_date(until, "until"),
                       tuple(sources or ()), words or "", sort or next(iter(SORTS)))
    reps = backend.get().reports()
    shown = filter_reports(reps, flt)
    choices = sorted({r["source"] for r in reps if r.get("source")})
    docs = [(f"{(r.get('title') or r['path'])[:80]} · {r['doc_id']}", r["doc_id"]) for r in reps]
    counts = (f"{len(shown):,} of {len(reps):,} reports · "
              f"{sum(r['chunks'] or 0 for r in shown):,} passages"
              + (f" (first {MAX_ROWS:,} shown; the CSV has all)" if len(shown) > MAX_ROWS else ""))
    csv_path = write_reports_csv(shown, backend.upload_dir / "exports")
    return (render.report_rows(shown[:MAX_ROWS]), counts, str(csv_path),
            gr.update(choices=choices), gr.update(choices=docs), gr.update(choices=choices),
            backend.status())


def _tick(backend: Backend, seen: int, on_tab: bool, *filters):
    """The uploads panel, and the listing again when a job finished since the last tick."""
    finished = backend.jobs.finished_count()
    keep_ticking = gr.Timer(active=on_tab or backend.jobs.active())
    fresh = guarded_listing(backend)(*filters) if finished != seen else (gr.skip(),) * 7
    return (jobs_html(backend.jobs.listing()), finished, keep_ticking, *fresh)


def _upload_area():
    # No file_types: Gradio's own check of them prints a traceback for every wrong file;
    # ours (reports.check_upload) refuses the upload with one clear line instead.
    files = gr.File(file_count="multiple",
                    label="Upload reports · رفع تقارير (" + " ".join(UPLOAD_SUFFIXES) + ")",
                    elem_id="isnad-files")
    add = gr.Button("Add to the index · أضف إلى الفهرس", variant="primary", elem_id="isnad-add")
    up_msg = gr.Textbox(label="Upload result · نتيجة الرفع", interactive=False, lines=2,
                        elem_id="isnad-upload-msg")
    gr.Markdown("#### Uploads · التقارير المرفوعة")
    jobs = gr.HTML(jobs_html([]), elem_id="isnad-jobs")
    return files, add, up_msg, jobs


def _table_area():
    gr.Markdown("#### Reports in the index · التقارير في الفهرس")
    with gr.Row():
        since = gr.Textbox("", label="Since · من تاريخ (YYYY-MM-DD)", elem_id="isnad-rep-since")
        until = gr.Textbox("", label="Until · إلى تاريخ (YYYY-MM-DD)", elem_id="isnad-rep-until")
        sources = gr.Dropdown([], value=[], multiselect=True, label="Sources · المصادر",
                              elem_id="isnad-rep-sources")
    with gr.Row():
        words = gr.Textbox("", label="Title or path contains · يحتوي العنوان أو المسار",
                           elem_id="isnad-rep-words")
        sort = gr.Dropdown(list(SORTS), value=next(iter(SORTS)), label="Sort by · الترتيب",
                           elem_id="isnad-rep-sort")
    with gr.Row():
        show = gr.Button("Show · اعرض", variant="primary", elem_id="isnad-rep-show", scale=3)
        export = gr.DownloadButton("Export CSV · تصدير", elem_id="isnad-rep-csv", scale=1)
    counts = gr.Markdown(elem_id="isnad-counts")
    table = gr.Dataframe(headers=render.REPORT_COLUMNS, interactive=False, wrap=True,
                         elem_id="isnad-reports", datatype="str", column_widths=WIDTHS)
    return since, until, sources, words, sort, show, export, counts, table


@dataclass
class ReportsParts:
    """What the app wires to the tabs: the tab is open (``on_tab``), the uploads timer."""

    on_tab: gr.State
    timer: gr.Timer

    def follow(self, tab: gr.Tab, others: list[gr.Tab]) -> None:
        """Refresh the uploads panel while ``tab`` is open (or an upload runs)."""
        tab.select(lambda: (True, gr.Timer(active=True)), None, [self.on_tab, self.timer],
                   api_visibility="private")
        for other in others:
            other.select(lambda: False, None, self.on_tab, api_visibility="private")


def reports_tab(backend: Backend, chat_filters: list, status: gr.Markdown,
                demo: gr.Blocks) -> ReportsParts:
    """The Reports tab (call inside ``gr.Tab``); ``chat_filters`` are the chat's (sources,
    docs) dropdowns, refreshed with the listing."""
    files, add, up_msg, jobs = _upload_area()
    since, until, sources, words, sort, show, export, counts, table = _table_area()
    with gr.Row():
        rm_key = gr.Textbox(label="Remove by doc_id or path · حذف بالمعرّف أو المسار",
                            elem_id="isnad-rm-key")
        rm = gr.Button("Remove · احذف", variant="stop", elem_id="isnad-rm")
    rm_msg = gr.Textbox(label="Removal result · نتيجة الحذف", interactive=False,
                        elem_id="isnad-rm-msg")
    timer, seen, on_tab = gr.Timer(2.0, active=False), gr.State(0), gr.State(False)
    filters = [since, until, sources, words, sort]
    listed = [table, counts, export, sources, *chat_filters, status]
    refresh = dict(fn=guarded_listing(backend), inputs=filters, outputs=listed)
    demo.load(**refresh, api_name="reports")
    show.click(**refresh, api_visibility="private")
    add.click(lambda: gr.Timer(active=True), None, timer, api_visibility="private")
    add.click(partial(upload_guarded, backend), files, up_msg, api_name="upload",
              concurrency_id="uploads", concurrency_limit=8).then(**refresh,
                                                                  api_visibility="private")
    rm.click(guarded(lambda k: remove(backend, k)), rm_key, rm_msg,
             api_name="remove").then(**refresh, api_visibility="private")
    timer.tick(partial(_tick, backend), [seen, on_tab, *filters], [jobs, seen, timer, *listed],
               api_visibility="private", concurrency_limit=None)
    return ReportsParts(on_tab, timer)


def guarded_listing(backend: Backend):
    """``listing``; a bad date in the filters becomes the counts line's message."""
    def run(since: str = "", until: str = "", sources: list | None = None, words: str = "",
            sort: str = ""):
        try:
            return listing(backend, since, until, sources, words, sort)
        except IsnadError as exc:
            return (gr.skip(), f"Error / خطأ: {render.esc(exc)}", *[gr.skip()] * 5)
    return run
