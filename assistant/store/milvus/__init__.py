"""Isnad's index on a Milvus server (``isnad[milvus]``): the store protocols of
``store/base.py`` over Milvus collections, for newsrooms that share one archive between
several app servers.

Modules: ``client`` (connection, retries, errors), ``schema`` (collections), ``rows``
(records as rows, filters as expressions), ``bm25`` (FTS5's ranking, recomputed),
``stats`` (term statistics), ``lock`` (the writer lock record), ``reads``, ``search``,
``writes``, ``upkeep`` (manifest, verify, repair) and ``store`` (``MilvusStore``). Only
this package imports ``pymilvus``; ``store.uri`` imports it when a URI names Milvus.
"""
