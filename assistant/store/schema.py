"""The index database's schema (SQLite): tables, indexes and triggers, all ``IF NOT EXISTS``
so that opening an index made by an earlier Isnad adds what it lacks.

``figures_pending`` lists the reports whose figures are still to be extracted (the ingest
commits a report's text, chunks and lexical rows first, then its figures). ``vector_log``
records every change to the set of (chunk, vector) pairs FAISS must hold:
a vector stored for a text (its chunks gain it), a chunk stored whose text already has a
vector, and removals. ``vectors.VectorIndex`` catches up from it instead of comparing every
chunk id, and trims it once a written FAISS base holds its rows. No Python logic here.
"""

from __future__ import annotations

import re

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS reports(
    doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, record TEXT, title TEXT, date TEXT,
    source TEXT, url TEXT, language TEXT, text TEXT NOT NULL, content_hash TEXT NOT NULL,
    added_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS reports_path ON reports(path);
CREATE INDEX IF NOT EXISTS reports_date ON reports(date);
CREATE TABLE IF NOT EXISTS chunks(
    chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES reports(doc_id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL, text TEXT NOT NULL, text_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(tokens, tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS vectors(text_hash TEXT PRIMARY KEY, vec BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS figures(
    figure_id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL REFERENCES reports(doc_id) ON DELETE CASCADE,
    value REAL NOT NULL, qualifier TEXT, category TEXT, grp TEXT, place TEXT, period TEXT,
    date TEXT, start INTEGER NOT NULL, end INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS figures_doc ON figures(doc_id);
CREATE INDEX IF NOT EXISTS figures_cat ON figures(category, grp);
CREATE TRIGGER IF NOT EXISTS chunks_fts_del AFTER DELETE ON chunks BEGIN
    DELETE FROM chunks_fts WHERE rowid = old.chunk_id; END;
CREATE TABLE IF NOT EXISTS figures_pending(
    doc_id TEXT PRIMARY KEY REFERENCES reports(doc_id) ON DELETE CASCADE) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_log(
    seq INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id INTEGER NOT NULL, added INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS vector_log_vec_add AFTER INSERT ON vectors BEGIN
    INSERT INTO vector_log(chunk_id, added)
    SELECT chunk_id, 1 FROM chunks WHERE text_hash = new.text_hash; END;
CREATE TRIGGER IF NOT EXISTS vector_log_vec_del AFTER DELETE ON vectors BEGIN
    INSERT INTO vector_log(chunk_id, added)
    SELECT chunk_id, 0 FROM chunks WHERE text_hash = old.text_hash; END;
CREATE TRIGGER IF NOT EXISTS vector_log_chunk_add AFTER INSERT ON chunks
    WHEN EXISTS (SELECT 1 FROM vectors WHERE text_hash = new.text_hash) BEGIN
    INSERT INTO vector_log(chunk_id, added) VALUES (new.chunk_id, 1); END;
CREATE TRIGGER IF NOT EXISTS vector_log_chunk_del AFTER DELETE ON chunks BEGIN
    INSERT INTO vector_log(chunk_id, added) VALUES (old.chunk_id, 0); END;
"""

SCHEMA_NAMES = re.findall(r"IF NOT EXISTS (\w+)", SCHEMA)
