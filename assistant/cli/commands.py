"""The ``isnad`` subcommands: each reads its parsed arguments, calls the ``Assistant``
and prints text or JSON. Parsing is in ``parser.py``; errors become messages in
``cli.main``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from dataclasses import replace

from assistant.answer.evaluate import evaluate, load_questions
from assistant.assistant import Assistant
from assistant.cli.progress import IngestProgress
from assistant.config import Config
from assistant.errors import ConfigError, InputError, StoreError
from assistant.figures.table import FigureFilter, figure_rows, write_csv
from assistant.ingest.common import ParseOptions
from assistant.records import to_dict
from assistant.store.migrate import migrate
from assistant.store.uri import identity, open_store
from assistant.ui.access import set_password
from assistant.ui.obs import setup_logging


def _config(args: argparse.Namespace, **more: object) -> Config:
    """Defaults, ISNAD_* variables, then the index options given on the command line."""
    return Config.from_env(index_dir=getattr(args, "index", None),
                           store_uri=getattr(args, "store", None),
                           embedder=getattr(args, "embedder", None), **more)


def _open(args: argparse.Namespace, create: bool = False) -> Assistant:
    return Assistant.open(cfg=_config(args, llm_url=getattr(args, "llm", None)), create=create)


def cmd_ingest(args: argparse.Namespace) -> int:
    opts = ParseOptions(text_col=args.text_col, title_col=args.title_col,
                        date_col=args.date_col, url_col=args.url_col, id_col=args.id_col,
                        source_col=args.source_col, default_source=args.source or "")
    if args.nice:
        # Batch work yields the CPU to a server answering on the same machine (no effect
        # when nothing else runs); the priority cannot be raised back, so only ever lowered.
        os.nice(args.nice)
    progress = None if args.quiet else IngestProgress()  # on stderr from the first second
    try:
        asst = _open(args, create=True)
        summary = asst.ingest(args.paths, opts, progress=progress, wait=args.wait,
                              embed=not args.no_embed)
    finally:
        if progress is not None:
            progress.close()
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"added {summary.added}, updated {summary.updated}, unchanged "
              f"{summary.unchanged}, skipped {len(summary.skipped)}; {summary.chunks} chunks, "
              f"{summary.embedded} embedded in {summary.seconds:.1f}s")
        for path, reason in summary.skipped:
            print(f"  skipped {path}: {reason}")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    asst = _open(args)
    hits = asst.search(args.query, k=args.k, since=args.since, until=args.until,
                       sources=args.source, doc_ids=args.doc, mode=args.mode)
    if args.json:
        keys = ("rank", "doc_id", "path", "record", "title", "date", "source", "url", "text",
                "start", "end", "score")
        out = {"query": args.query, "hits": [{k: to_dict(h)[k] for k in keys} for h in hits]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    for h in hits:
        where = f"{h.path}#{h.record}" if h.record else h.path
        print(f"[{h.rank}] {h.score:.4f} {h.title[:60]} ({h.date or '-'}) {where} "
              f"{h.start}-{h.end}\n    {h.text[:300]}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    asst = _open(args)
    ans = asst.ask(args.question, since=args.since, until=args.until, sources=args.source,
                   doc_ids=args.doc)
    if args.json:
        print(json.dumps(to_dict(ans), ensure_ascii=False, indent=2))
        return 0
    print(ans.answer)
    for c in ans.citations:
        print(f"[{c.n}] {c.title} ({c.date or '-'}) {c.path} {c.start}-{c.end}")
    for chk in ans.checks:
        if not chk.ok:
            print(f"! {chk.claim}: {chk.detail}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    asst = _open(args)
    for key in args.keys:
        ids = asst.remove(key, wait=args.wait)
        print(f"removed {len(ids)} report(s) for {key}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy an index folder into a Milvus namespace or back (nothing is re-embedded)."""
    cfg = _config(args)
    found = identity(cfg, args.source)
    if found is None:
        raise StoreError(f"no index at {args.source}")
    model_id, dim = found
    source = open_store(replace(cfg, store_uri=args.source), model_id, dim, create=False)
    target = open_store(replace(cfg, store_uri=args.target), model_id, dim, create=True)
    progress = IngestProgress(label="isnad migrate")
    try:
        summary = migrate(source, target, wait=args.wait, progress=progress)
    finally:
        progress.close()
        source.close()
        target.close()
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(f"copied {args.source} -> {args.target}: added {summary.added}, updated "
              f"{summary.updated}, unchanged {summary.unchanged} reports; {summary.vectors} "
              f"vectors in {summary.seconds:.1f}s"
              + (f"; {summary.only_in_target} reports were already only in the target"
                 if summary.only_in_target else ""))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    stats = _open(args).stats()
    print(json.dumps(stats, ensure_ascii=False, indent=2))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    report = _open(args).store.verify()
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


def cmd_repair(args: argparse.Namespace) -> int:
    report = _open(args).store.repair(wait=args.wait)
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return 0 if report.ok else 1


def cmd_serve(args: argparse.Namespace) -> int:
    """The Gradio chat (also ``python app.py``); seeds an empty index with the sample."""
    from assistant.ui.app import SAMPLES_DIR, serve  # gradio: loaded only to serve

    setup_logging(others=True)
    cfg = _config(args, host=args.host, port=args.port, auth_file=args.auth_file,
                  read_only=True if args.read_only else None)
    print(f"Isnad: index {cfg.store_uri or cfg.index_dir}; open http://{cfg.host}:{cfg.port}"
          f"{' (read-only)' if cfg.read_only else ''}", flush=True)
    serve(cfg, seed_dir=None if args.no_seed else SAMPLES_DIR, block=True,
          allow_remote=args.listen_anywhere)
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Add a user to the users file or change their password (stored as a scrypt hash)."""
    import getpass

    path = args.auth_file or Config.from_env().auth_file
    if path is None:
        raise ConfigError("name the users file: --auth-file PATH or ISNAD_AUTH_FILE")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.user}: ")
        if getpass.getpass("again: ") != password:
            raise InputError("the two passwords differ")
    set_password(path, args.user, password)
    print(f"{args.user}: password saved in {path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    asst = _open(args)
    result = evaluate(asst.ask, asst.get_text, load_questions(args.questions))
    if args.json:
        print(json.dumps({"metrics": result.metrics(), "rows": result.rows},
                         ensure_ascii=False, indent=2))
        return 0
    for row in result.rows:
        mark = "ok " if row["short_ok"] or (row["type"] == "unanswerable" and not row["found"]) \
            else "-- "
        print(f"{mark}{row['id']:<16} {row['type']:<13} {str(row['short'])[:60]}")
    for key, value in result.metrics().items():
        print(f"{key:>20}: {value:.3f}" if isinstance(value, float) else f"{key:>20}: {value}")
    return 0


def cmd_figures(args: argparse.Namespace) -> int:
    """The figures table, filtered; CSV is UTF-8 with a BOM so that Excel shows Arabic."""
    flt = FigureFilter(place=args.place, group=args.group, category=args.category,
                       since=args.since, until=args.until,
                       sources=tuple(args.source) if args.source else None,
                       doc_ids=tuple(args.doc) if args.doc else None, exact=args.exact)
    figs = _open(args).figures(flt)
    if args.csv:
        sys.stdout.flush()  # the CSV goes to the byte stream underneath, in UTF-8 whatever the locale
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8-sig", newline="",
                               write_through=True)
        write_csv(figs, out)
        out.detach()  # leave sys.stdout open
        return 0
    if args.json:
        print(json.dumps(figure_rows(figs), ensure_ascii=False, indent=2))
        return 0
    for f in figs:
        where = f"{f.path}#{f.record}" if f.record else f.path
        print(f"{f.value:g}\t{f.qualifier or '-'}\t{f.category}\t{f.group or '-'}\t"
              f"{f.place or '-'}\t{f.date or '-'}\t{where} {f.start}-{f.end}\t"
              f"{' '.join(f.quote.split())[:120]}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    result = _open(args).check(args.claim)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"verdict: {result.verdict}")
    for c, stance in zip(result.evidence, result.stances, strict=True):
        print(f"[{c.n}] {stance}: {c.title[:60]} ({c.date or '-'}) {c.path} {c.start}-{c.end}\n"
              f"    {' '.join(c.quote.split())[:300]}")
    for line in result.detail:
        print(f"  {line}")
    return 0
