"""The Milvus collections of one Isnad namespace, created when missing and loaded.

- ``chunks``: one row per chunk: text, offsets, its report's metadata (doc id, path,
  record, title, date, source, url, language; denormalised so a hit needs no second
  read), the analysed tokens (BM25 input: a ``BM25`` function fills ``sparse``), the
  dense vector (zeros and ``embedded`` false until embedded) and the report's length.
- ``reports``: each report's original text in parts of <= 60,000 bytes, with metadata and
  the keys of its chunks and figures (read by key, not searched for).
- ``figures``: the figures table, with each figure's quote.
- ``vectors``: each distinct chunk text's vector by text hash (as the folder keeps them:
  boilerplate is embedded once, and a copy or a re-ingest finds it by key).
- ``terms``: document frequencies of the analysed terms (``stats``).
- ``meta``: small JSON records: the manifest, the generation, the statistics' totals and
  the writer lock.

Milvus wants a vector field in every collection: the scalar ones carry a 2-d ``vec`` of
zeros (FLAT index, never searched). milvus-lite has no whitespace tokenizer: its
``standard`` one (``\\w+``, lower case) splits Isnad's engine-spelled tokens exactly as
whitespace would (see ``rows.engine_tokens``); a real Milvus gets ``whitespace``.
"""

from __future__ import annotations

import time

from pymilvus import DataType, Function, FunctionType, MilvusClient

from assistant.errors import StoreError
from assistant.store.milvus.client import Connection

KINDS = ("meta", "terms", "reports", "figures", "vectors", "chunks")
BM25_PARAMS = {"bm25_k1": 1.2, "bm25_b": 0.75}  # FTS5's
HNSW_PARAMS = {"M": 16, "efConstruction": 200}
_S = DataType.VARCHAR


def _params(conn: Connection, params: dict) -> dict:
    # pymilvus 3.0.2 sends index params as flat key/values, which milvus-lite 3.2.2 ignores
    # (it reads a JSON "params" entry); a real Milvus reads the flat ones.
    return {"params": params} if conn.lite else params


def _scalar_schema(pk: tuple[str, DataType, dict], fields: list[tuple]) -> object:
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field(pk[0], pk[1], is_primary=True, **pk[2])
    for name, dtype, extra in fields:
        schema.add_field(name, dtype, **extra)
    schema.add_field("vec", DataType.FLOAT_VECTOR, dim=2)
    return schema


def _text(n: int, nullable: bool = False) -> dict:
    return {"max_length": n, "nullable": True} if nullable else {"max_length": n}


_REPORT_META = [("path", _S, _text(4096)), ("record", _S, _text(1024, True)),
                ("title", _S, _text(8192)), ("date", _S, _text(64, True)),
                ("source", _S, _text(1024)), ("url", _S, _text(8192)),
                ("language", _S, _text(16))]


def _meta() -> tuple:
    return _scalar_schema(("key", _S, _text(256)), [("value", _S, _text(65535))]), []


def _terms() -> tuple:
    return _scalar_schema(("term", _S, _text(512)), [("df", DataType.INT64, {})]), []


def _reports() -> tuple:
    fields = [("doc_id", _S, _text(256)), ("part", DataType.INT64, {}),
              ("n_parts", DataType.INT64, {}), ("text", _S, _text(65535)), *_REPORT_META,
              ("content_hash", _S, _text(128)), ("added_at", DataType.DOUBLE, {}),
              ("n_chunks", DataType.INT64, {}), ("length", DataType.INT64, {}),
              ("chunk_ids", _S, _text(65535)), ("n_figures", DataType.INT64, {}),
              ("tokens", _S, _text(65535, True))]
    return _scalar_schema(("part_id", DataType.INT64, {}), fields), ["doc_id", "path"]


def _figures() -> tuple:
    fields = [("doc_id", _S, _text(256)), ("seq", DataType.INT64, {}),
              ("value", DataType.DOUBLE, {}), ("qualifier", _S, _text(256)),
              ("category", _S, _text(128)), ("grp", _S, _text(256)),
              ("place", _S, _text(1024)), ("period", _S, _text(256)),
              ("date", _S, _text(64, True)), ("start", DataType.INT64, {}),
              ("end", DataType.INT64, {}), ("quote", _S, _text(65535)),
              ("path", _S, _text(4096)), ("record", _S, _text(1024, True)),
              ("source", _S, _text(1024))]
    return _scalar_schema(("figure_id", DataType.INT64, {}), fields), ["doc_id", "category"]


def _vectors(dim: int) -> tuple:
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("text_hash", _S, is_primary=True, max_length=128)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    return schema, []


def _chunks(conn: Connection, dim: int) -> tuple:
    analyzer = {"tokenizer": "standard"} if conn.lite else {"tokenizer": "whitespace"}
    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("chunk_id", DataType.INT64, is_primary=True)
    schema.add_field("doc_id", _S, max_length=256)
    for name, dtype, extra in _REPORT_META:
        schema.add_field(name, dtype, **extra)
    for name in ("start", "end", "report_length"):
        schema.add_field(name, DataType.INT64)
    schema.add_field("text", _S, max_length=65535)
    schema.add_field("text_hash", _S, max_length=128)
    schema.add_field("tokens", _S, max_length=65535, enable_analyzer=True,
                     analyzer_params=analyzer)
    schema.add_field("embedded", DataType.BOOL)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="tokens_bm25", function_type=FunctionType.BM25,
                                 input_field_names=["tokens"], output_field_names=["sparse"]))
    return schema, ["doc_id", "text_hash", "path", "embedded"]


def _index_params(conn: Connection, kind: str, scalars: list[str]) -> object:
    index = MilvusClient.prepare_index_params()
    if kind == "chunks":
        if conn.address.dense_index == "flat":
            index.add_index("dense", index_type="FLAT", metric_type="IP")
        else:
            index.add_index("dense", index_type="HNSW", metric_type="IP",
                            params=_params(conn, HNSW_PARAMS))
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                        params=_params(conn, BM25_PARAMS))
    elif kind == "vectors":
        index.add_index("dense", index_type="FLAT", metric_type="IP")
    else:
        index.add_index("vec", index_type="FLAT", metric_type="L2")
    for field in scalars:
        index.add_index(field, index_type="INVERTED")
    return index


def ensure_collections(conn: Connection, dim: int, create: bool) -> list[str]:
    """Create the missing collections (when ``create``) and load them all; returns the
    kinds that were missing."""
    missing = [k for k in KINDS if not conn.call(
        "has_collection", lambda c, k=k: c.has_collection(conn.name(k)))]
    if missing and not create:
        return missing
    for kind in missing:
        _create(conn, kind, dim)
    for kind in KINDS:
        name = conn.name(kind)
        conn.call("load_collection", lambda c, n=name: c.load_collection(n))
    return missing


def _create(conn: Connection, kind: str, dim: int) -> None:
    def create(client: MilvusClient) -> None:
        if client.has_collection(name):  # another process created it meanwhile
            return
        builder = {"meta": _meta, "terms": _terms, "reports": _reports,
                   "figures": _figures}.get(kind)
        schema, scalars = (builder() if builder else _vectors(dim) if kind == "vectors"
                           else _chunks(conn, dim))
        client.create_collection(name, schema=schema, consistency_level="Strong")
        # sync=False: pymilvus would poll every index's state with 0.5 s sleeps; an index
        # on an empty collection is ready at once, and loading waits for it anyway.
        client.create_index(name, _index_params(conn, kind, scalars), sync=False)

    name = conn.name(kind)
    try:
        conn.call(f"create_collection {name}", create)
    except StoreError:
        if not conn.call("has_collection", lambda c: c.has_collection(name)):
            raise
        _await_indexes(conn, name)  # another process created it at the same moment


def _await_indexes(conn: Connection, name: str, timeout: float = 30.0) -> None:
    """Wait until the process that created ``name`` has given it its indexes."""
    deadline = time.monotonic() + timeout
    while not conn.call("list_indexes", lambda c: c.list_indexes(name)):
        if time.monotonic() > deadline:
            raise StoreError(f"collection {name} has no index (a creator died?); drop the "
                             "namespace's collections and ingest again")
        time.sleep(0.1)


def drop_collections(conn: Connection) -> None:
    """Drop every collection of the namespace (benchmarks start from an empty one)."""
    for kind in KINDS:
        name = conn.name(kind)
        if conn.call("has_collection", lambda c, n=name: c.has_collection(n)):
            conn.call("drop_collection", lambda c, n=name: c.drop_collection(n))
