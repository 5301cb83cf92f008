"""The lexical (FTS5) rows of chunks: what the analyser makes of a chunk, and rebuilding
every row from the stored chunks (``store`` does it when an index was analysed by another
analyser version; ``isnad repair`` does it on request).

Pure SQL over one open connection; the caller holds the writer lock and the transaction.
This module does not search (``lexical``) or decide when to rebuild (``store``).
"""

from __future__ import annotations

import sqlite3

from assistant.text.arabic import ANALYSER_VERSION, tokenize


def lexical_tokens(title: str, text: str, first: bool) -> str:
    """The FTS5 row of a chunk: analysed tokens; the first chunk carries the title too."""
    return " ".join(tokenize(f"{title} {text}" if first else text))


def rebuild_lexical(con: sqlite3.Connection) -> int:
    """Re-analyse every chunk into the lexical table and record the analyser version in
    ``meta`` (inside the caller's transaction); returns the number of rows written."""
    con.execute("DELETE FROM chunks_fts")
    rows = con.execute(
        "SELECT c.chunk_id, c.text, r.title, c.start = (SELECT MIN(start) FROM chunks c2 "
        "WHERE c2.doc_id = c.doc_id) FROM chunks c JOIN reports r USING(doc_id)").fetchall()
    con.executemany("INSERT INTO chunks_fts(rowid, tokens) VALUES (?, ?)",
                    [(cid, lexical_tokens(title or "", text, bool(first)))
                     for cid, text, title, first in rows])
    con.execute("INSERT OR REPLACE INTO meta VALUES('analyser', ?)", (str(ANALYSER_VERSION),))
    return len(rows)
