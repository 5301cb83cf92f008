"""An app process for the Milvus tests: one Assistant on a store URI (lexical only, no
model), answering JSON lines on stdin with JSON lines on stdout, as an app server's
backend would. ``python tests/milvus_app.py URI MODEL_ID DIM``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.errors import IsnadError
from assistant.store.milvus.store import MilvusStore


def handle(asst: Assistant, cmd: dict) -> dict:
    op = cmd["op"]
    if op == "ask":
        ans = asst.ask(cmd["q"])
        return {"found": ans.found, "answer": ans.answer,
                "cited": [c.path for c in ans.citations]}
    if op == "search":
        return {"paths": [h.path for h in asst.search(cmd["q"], k=10, mode="lexical")]}
    if op == "ingest":
        summary = asst.ingest([Path(p) for p in cmd["paths"]], embed=False, wait=60)
        return summary.to_dict()
    if op == "remove":
        return {"removed": asst.remove(cmd["key"], wait=60)}
    if op == "counts":
        return asst.store.counts()
    raise ValueError(op)


def main(uri: str, model_id: str, dim: str) -> None:
    asst = Assistant(Config(store_uri=uri), MilvusStore(uri, model_id, int(dim)), None)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            out = handle(asst, json.loads(line))
        except IsnadError as exc:
            out = {"error": str(exc)}
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
