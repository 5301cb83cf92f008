"""The ``isnad`` command line: ingest, search, ask, figures, check, remove, stats and more.

Options go where users type them: after the subcommand (``isnad ask "q" --index DIR
--json``) or, for the index options, before it (``isnad --index DIR ask "q"``). Errors
from the core (``IsnadError``) become one-line messages and exit code 2 here, at the
edge; nothing else is caught. A closed pipe (``isnad figures | head``) ends quietly.
"""

from __future__ import annotations

import os
import sys

from assistant.cli.parser import build_parser
from assistant.errors import IsnadError

__all__ = ["build_parser", "main"]


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
    except BrokenPipeError:
        # The reader went away (``| head``): nothing more to say, and the interpreter's
        # final flush must not fail on the closed pipe either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
