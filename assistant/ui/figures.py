"""The "Figures" and "Check a claim" tabs of the Gradio app.

``figures_tab(backend)`` builds a filterable table of the figures table (place,
group, category, report date range, source): selecting a row shows its quote
highlighted in its paragraph (``render.source_html``, escaped), a chart shows the
filtered figures over report dates (points; bars, one per series, when no series has
two dated figures, since a line of one point draws nothing) and "Export CSV" gives
every filtered figure. ``check_tab(backend)`` checks a claim (``Assistant.check``)
and shows the verdict and the evidence quotes. Row, chart and HTML builders are pure
functions; report text is escaped by ``render`` and table cells are plain text
(Gradio's "str" datatype).
IsnadError becomes a message here, at the edge; nothing else is caught.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import gradio as gr
import pandas as pd

from assistant.errors import IsnadError
from assistant.figures.extract import group_name
from assistant.figures.table import FigureFilter, figure_rows, write_csv
from assistant.figures.vocab import EVENTS, GROUPS, OBJECTS
from assistant.ui import render
from assistant.ui.exports import save_csv

TABLE_COLUMNS = ["value", "qualifier", "category", "group", "place", "period", "date", "report",
                 "quote"]
MAX_ROWS = 2000  # rows sent to the browser; the CLI and the CSV export give them all
WIDTHS = ["6%", "9%", "8%", "13%", "9%", "7%", "9%", "12%", "27%"]
# Badges drawn by CSS around a character of the default fonts (no emoji font needed).
_VERDICTS = {"supported": ("✓", "supported · تؤيده التقارير"),
             "contradicted": ("✗", "contradicted · تناقضه التقارير"),
             "not_found": ("?", "not found · لم تذكره التقارير")}
X_DATE, X_SERIES, Y_VALUE = "Report date · تاريخ التقرير", "Series · السلسلة", "Figure · الرقم"
_STANCES = {"supports": "supports · يؤيد", "contradicts": "contradicts · يناقض",
            "mentions": "closest passage · أقرب مقطع"}


# -- pure builders ---------------------------------------------------------------------------
def table_rows(rows: Sequence[Mapping]) -> list[list]:
    """Table cells of figure rows (``figure_store.figure_rows``)."""
    out = []
    for r in rows:
        where = r["path"] + (f"#{r['record']}" if r.get("record") else "")
        quote = " ".join(str(r["quote"]).split())
        out.append([f"{r['value']:g}", r["qualifier"] or "", r["category"],
                    group_name(r["group"]) if r["group"] else "", r["place"] or "",
                    r["period"] or "", r["date"] or "", where,
                    quote[:160] + ("…" if len(quote) > 160 else "")])
    return out


def chart_frame(rows: Sequence[Mapping]) -> pd.DataFrame:
    """Dated exact figures as (date, value, series), series = category / group / place."""
    data = [{"date": pd.Timestamp(r["date"][:10]), "value": float(r["value"]),
             "series": " / ".join(x for x in (r["category"], r["group"], r["place"]) if x)}
            for r in rows if r.get("date") and len(r["date"]) >= 10
            and not {"tens", "dozens", "hundreds", "thousands"} & set(r["qualifier"].split(","))]
    return pd.DataFrame(data, columns=["date", "value", "series"]).sort_values("date")


def charts(frame: pd.DataFrame) -> tuple[dict, dict]:
    """Updates of the (points over dates, bars) charts: bars when no series has figures
    of two dates (a bar a series and date, labelled with both; the highest figure of the
    day when a report gives several), points over the dates otherwise."""
    bars = not frame.empty and int(frame.groupby("series")["date"].nunique().max()) < 2
    if not bars:
        return gr.update(value=frame, visible=True), gr.update(visible=False)
    # the date first: a long label is cut at its end, and the colour names the series
    frame = frame.assign(label=[f"{d:%Y-%m-%d} · {s}" for s, d in zip(frame["series"],
                                                                       frame["date"], strict=True)])
    return gr.update(visible=False), gr.update(value=frame, visible=True)


def export_csv(figures: list, folder: Path) -> str:
    """Every figure of a look-up as a UTF-8 CSV with a BOM (as ``isnad figures --csv``)."""
    return str(save_csv(folder, "isnad-figures", lambda out: write_csv(figures, out)))


def figure_cite(row: Mapping, n: int, title: str, source: str, url: str) -> dict:
    """A figure row as the citation mapping ``ui_render.source_html`` shows."""
    return {"n": n, "doc_id": row["doc_id"], "path": row["path"], "record": row["record"],
            "title": title, "date": row["date"], "source": source, "url": url,
            "quote": row["quote"], "start": row["start"], "end": row["end"]}


def claim_html(result: Mapping, texts: Mapping[str, str | None]) -> str:
    """Verdict line and evidence quotes (each in its paragraph, escaped) of a claim check."""
    verdict = result["verdict"]
    mark, words = _VERDICTS.get(verdict, ("?", verdict))
    parts = [f'<p class="isnad-verdict" data-verdict="{render.esc(verdict)}">'
             f'<span class="isnad-badge isnad-badge-{render.esc(verdict)}" aria-hidden="true">'
             f"{mark}</span><strong>{render.esc(words)}</strong></p>"]
    for e in result["evidence"]:
        parts.append(f'<p class="isnad-stance"><bdi>[{int(e["n"])}]</bdi> '
                     f'{render.esc(_STANCES.get(e["stance"], e["stance"]))}</p>')
        parts.append(render.source_html(e, texts.get(e["doc_id"])))
    if not result["evidence"]:
        parts.append("<p>No report found. / لم يُعثر على تقرير.</p>")
    return "".join(parts)


# -- handlers --------------------------------------------------------------------------------
def load_table(backend, place: str, group: str, category: str, since: str, until: str,
               sources: list | None):
    """Rows (state), table cells, chart and a count line for the current filters."""
    flt = FigureFilter(place=(place or "").strip() or None, group=group or None,
                       category=category or None, since=render.check_date(since, "since"),
                       until=render.check_date(until, "until"),
                       sources=tuple(sources) if sources else None)
    figs = backend.get().figures(flt)
    rows = figure_rows(figs)
    shown = rows[:MAX_ROWS]
    note = f"{len(rows)} figures" + (f" (first {MAX_ROWS} shown; the CSV has all)"
                                     if len(rows) > MAX_ROWS else "")
    points, bars = charts(chart_frame(rows))
    return (shown, table_rows(shown), points, bars, note,
            export_csv(figs, backend.upload_dir / "exports"))


def show_figure(backend, rows: list, evt: gr.SelectData) -> str:
    """The selected row's quote highlighted in its report paragraph."""
    index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
    if not rows or index is None or not 0 <= int(index) < len(rows):
        return ""
    row = rows[int(index)]
    try:
        rep = backend.get().report(row["doc_id"])
    except IsnadError as exc:
        return f"<p>{render.esc(exc)}</p>"
    return render.source_html(figure_cite(row, int(index) + 1, rep.title or rep.path, rep.source,
                                     rep.url), rep.text)


def check(backend, claim: str) -> str:
    claim = (claim or "").strip()
    if not claim:
        return "<p>Type a claim. / اكتب ادعاءً.</p>"
    asst = backend.get()
    result = asst.check(claim).to_dict()
    texts: dict[str, str | None] = {}
    for e in result["evidence"]:
        try:
            texts[e["doc_id"]] = asst.get_text(e["doc_id"])
        except IsnadError:  # removed meanwhile: source_html says so
            texts[e["doc_id"]] = None
    return claim_html(result, texts)


def _guard(fn, n_out: int, at: int = -1):
    """Run ``fn``; an IsnadError becomes an escaped message in output ``at``."""
    def run(*args):
        try:
            return fn(*args)
        except IsnadError as exc:
            msg = f"<p>Error / خطأ: {render.esc(exc)}</p>"
            if n_out == 1:
                return msg
            out = [gr.skip()] * n_out
            out[at] = msg
            return tuple(out)
    return run


def _source_choices(backend) -> dict:
    try:
        reps = backend.get(timeout=1).reports()
    except IsnadError:  # still loading: keep the choices
        return gr.skip()
    return gr.update(choices=sorted({r["source"] for r in reps if r.get("source")}))


# -- tabs ------------------------------------------------------------------------------------
def figures_tab(backend) -> None:
    """The Figures tab (call inside ``gr.Tab``)."""
    with gr.Row():
        place = gr.Textbox(label="Place · المكان", elem_id="isnad-fig-place")
        group = gr.Dropdown([("any · الكل", "")] + [(v[0], k) for k, v in GROUPS.items()],
                            value="", label="Group · الفئة", elem_id="isnad-fig-group")
        category = gr.Dropdown([("any · الكل", "")] + [(c, c) for c in [*EVENTS, *OBJECTS]],
                               value="", label="Counts · ما يُعدّ", elem_id="isnad-fig-cat")
    with gr.Row():
        since = gr.Textbox(label="Since · من تاريخ (YYYY-MM-DD)", elem_id="isnad-fig-since")
        until = gr.Textbox(label="Until · إلى تاريخ (YYYY-MM-DD)", elem_id="isnad-fig-until")
        sources = gr.Dropdown([], multiselect=True, label="Sources · المصادر",
                              elem_id="isnad-fig-sources")
    with gr.Row():
        show = gr.Button("Show figures · اعرض الأرقام", variant="primary",
                         elem_id="isnad-fig-show", scale=3)
        export = gr.DownloadButton("Export CSV · تصدير", elem_id="isnad-fig-csv", scale=1)
    note = gr.Markdown(elem_id="isnad-fig-note")
    rows = gr.State([])
    table = gr.Dataframe(headers=TABLE_COLUMNS, interactive=False, wrap=True,
                         elem_id="isnad-fig-table", datatype="str", column_widths=WIDTHS)
    quote = gr.HTML("", elem_id="isnad-fig-quote")
    title = "Figures by report date · الأرقام حسب تاريخ التقرير"
    points = gr.ScatterPlot(x="date", y="value", color="series", title=title, x_title=X_DATE,
                            y_title=Y_VALUE, color_title=X_SERIES, tooltip="all", height=320,
                            elem_id="isnad-fig-chart")
    bars = gr.BarPlot(x="label", y="value", color="series", title=title, x_title=X_SERIES,
                      y_title=Y_VALUE, color_title=X_SERIES, tooltip="all", x_label_angle=-30,
                      y_aggregate="max", height=380, visible=False, sort="x",
                      elem_id="isnad-fig-bars")
    show.click(_guard(lambda *a: load_table(backend, *a), 6, at=4),
               [place, group, category, since, until, sources],
               [rows, table, points, bars, note, export], api_name="figures")
    def select(rows_: list, evt: gr.SelectData) -> str:
        return show_figure(backend, rows_, evt)

    table.select(select, rows, quote, api_visibility="private")
    sources.focus(lambda: _source_choices(backend), None, sources, api_visibility="private")


def check_tab(backend) -> None:
    """The "Check a claim" tab (call inside ``gr.Tab``)."""
    claim = gr.Textbox(label="Claim · الادعاء", lines=2, elem_id="isnad-claim",
                       placeholder="52 regime soldiers were killed in six days in south Damascus")
    run = gr.Button("Check · تحقّق", variant="primary", elem_id="isnad-check")
    out = gr.HTML("", elem_id="isnad-check-out")
    handler = _guard(lambda c: check(backend, c), 1)
    run.click(handler, claim, out, api_name="check")
    claim.submit(handler, claim, out, api_visibility="private")
