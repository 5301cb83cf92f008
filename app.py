"""Start the Isnad chat: ``python app.py [--index DIR] [--host 127.0.0.1] [--port 7860]``.

Defaults come from ``Config.from_env`` (ISNAD_INDEX, ISNAD_HOST, ISNAD_PORT). An
empty index is first seeded with the bundled report(s) in ``samples/``; the
page shows the loading status meanwhile.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from assistant.config import Config


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_serve_args(parser)
    return parser


def add_serve_args(parser: argparse.ArgumentParser) -> None:
    """The options shared with ``isnad serve``."""
    parser.add_argument("--index", type=Path, default=None, help="index folder (ISNAD_INDEX)")
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="port (default 7860, ISNAD_PORT)")
    parser.add_argument("--no-seed", action="store_true",
                        help="do not ingest samples/ into an empty index")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    from assistant.ui import SAMPLES_DIR, serve

    cfg = Config.from_env(index_dir=args.index, host=args.host, port=args.port)
    print(f"Isnad: index {cfg.index_dir}; open http://{cfg.host}:{cfg.port}", flush=True)
    serve(cfg, seed_dir=None if args.no_seed else SAMPLES_DIR, block=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
