"""Start the Isnad chat: ``python app.py [--index DIR] [--host 127.0.0.1] [--port 7860]``.

The same as ``isnad serve`` (see ``isnad serve --help`` for login, read-only mode and
listening beyond 127.0.0.1). Defaults come from ``Config.from_env`` (ISNAD_INDEX,
ISNAD_HOST, ISNAD_PORT, ISNAD_AUTH_FILE). An empty index is first seeded with the bundled
report(s) in ``samples/``; the page shows the loading status meanwhile.
"""

from __future__ import annotations

import sys

from assistant.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
