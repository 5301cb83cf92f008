"""The scale benchmark's outputs: the markdown table and the PNG plot (matplotlib)."""

from __future__ import annotations

from pathlib import Path


def _ms(pair: list[float] | tuple[float, float]) -> str:
    return f"{pair[0]:.0f} / {pair[1]:.0f}"


def table_rows(rows: list[dict]) -> list[tuple[str, list[str]]]:
    """(label, one cell per size) for the table, in order."""
    def each(fn) -> list[str]:
        return [fn(r) for r in rows]

    return [
        ("chunks / reports", each(lambda r: f"{r['chunks']:,} / {r['reports']:,}")),
        ("vector index", each(lambda r: _plan(r["describe"].get("vector_index", {})))),
        ("lexical plan", each(lambda r: _plan(r["describe"].get("lexical_index", {})))),
        ("ingest, lexical (chunks/s; per CPU s)", each(
            lambda r: f"{r['lexical_s']:.0f} s ({r['lexical_chunks_per_s']:,.0f}/s; "
                      f"{r['lexical_chunks_per_cpu_s']:,.0f}/CPU s)")),
        ("ingest, figures", each(lambda r: f"{r.get('figures_s', 0):.0f} s")),
        ("vectors stored / FAISS built", each(lambda r: f"{r['vectors_s']:.0f} s / "
                                              f"{r['faiss_s']:.0f} s")),
        # measured when opened (the build's own figure missed the postings segments' folder)
        ("index on disk", each(lambda r: f"{r['describe'].get('disk_mb', 0) / 1e3:.2f} GB")),
        ("open (ready to answer)", each(lambda r: f"{r['open_s']:.2f} s")),
        ("model load", each(lambda r: f"{r['model_load_s']:.1f} s")),
        ("RSS open / idle", each(lambda r: f"{r['rss_open_mb']:,.0f} / "
                                 f"{r['rss_idle_mb']:,.0f} MB")),
        ("RSS answering (peak) / after", each(lambda r: f"{r['rss_peak_mb']:,.0f} / "
                                              f"{r['rss_after_mb']:,.0f} MB")),
        ("search p50 / p95 ms", each(lambda r: _ms(r["search_ms"]))),
        ("ask p50 / p95 ms", each(lambda r: _ms(r["ask_ms"]))),
        ("vector recall@10 vs exact", each(lambda r: f"{r['recall_at_10']:.3f}")),
        ("dev_qa short / doc / evidence", each(lambda r: "{short_answer_acc:.3f} / "
                                               "{cited_doc_acc:.3f} / {evidence_acc:.3f}"
                                               .format(**r["devqa"]))),
        ("dev_qa answers = its own small index", each(
            lambda r: f"{r['devqa_same']} / {len(r.get('devqa_answers', {}))}")),
    ]


def _plan(plan: dict) -> str:
    """The choice and its parameters (not the file names and counts ``isnad stats`` adds)."""
    shown = {k: v for k, v in plan.items()
             if k not in ("file", "delta", "removed", "trained_on", "segments", "postings_min")}
    return " ".join(f"{k}={v}" for k, v in shown.items()) or "-"


def print_table(rows: list[dict], small: dict) -> None:
    sizes = [f"{r['size']:,}" for r in rows]
    print(f"\n### Scale: {rows[0]['n_questions']} questions (dev_qa + UnifiedFC claims), "
          f"vectors {rows[0]['vectors_mode']}; dev_qa alone: "
          "{short_answer_acc:.3f} / {cited_doc_acc:.3f} / {evidence_acc:.3f}\n"
          .format(**small["devqa"]))
    print("| size | " + " | ".join(sizes) + " |")
    print("| --- " * (len(sizes) + 1) + "|")
    for label, cells in table_rows(rows):
        print(f"| {label} | " + " | ".join(cells) + " |")


def write_plot(rows: list[dict], path: Path) -> None:
    """Latency (search, ask: p50 and p95) and memory (idle, peak) against chunks."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [r["chunks"] for r in rows]
    fig, (lat, mem) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, name in (("search_ms", "search"), ("ask_ms", "ask")):
        lat.plot(x, [r[key][0] for r in rows], "o-", label=f"{name} p50")
        lat.plot(x, [r[key][1] for r in rows], "o--", label=f"{name} p95")
    lat.set(xscale="log", xlabel="chunks", ylabel="ms", title="latency (one process, 2 cores)")
    lat.legend()
    mem.plot(x, [r["rss_idle_mb"] / 1024 for r in rows], "o-", label="RSS open, idle")
    mem.plot(x, [r["rss_peak_mb"] / 1024 for r in rows], "o--", label="RSS peak, answering")
    mem.plot(x, [r["open_s"] for r in rows], "s:", label="open (s)")
    mem.set(xscale="log", xlabel="chunks", ylabel="GB (s for open)", title="memory and open")
    mem.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
