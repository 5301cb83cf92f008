"""`isnad eval`: answer quality over a questions file in the dev_qa.jsonl format.

Each line: ``{"id", "lang", "question", "answers": [...] | null, "doc", "evidence",
"type"}``, optionally ``"chain"`` and ``"turn"`` (a follow-up asked in the same chat after
the chain's earlier turns, with Isnad's own earlier answers as the history); ``doc`` is a
path relative to the corpus folder it was ingested from, ``fakes:<record>`` for a CSV row
or ``seed:<file>``; type ``unanswerable`` means the reports do not say. Metrics:
short-answer accuracy (an accepted answer matches after normalisation), cited-report
accuracy (the first citation is the gold report, or a report that holds the gold
evidence verbatim: a reprint), evidence accuracy (its span overlaps the gold evidence),
refusal accuracy on unanswerable items, false answers (a wrong answer shown: a short
answer that is not an accepted one, or any answer to an unanswerable question, over all
questions; a quote shown without a short answer is not counted),
wrong figures (count questions answered with another number), follow-up accuracy
(short answer right, or a refusal where the reports do not say, on turns after the
first), latency p50/p95. Pure scoring functions plus one loop that calls the ``ask``
callable; no I/O beyond the file read.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer.twins import same_report
from assistant.records import Answer, Citation
from assistant.text.arabic import normalize
from assistant.text.numbers import find_dates, find_numbers, number_equal

COUNT_TYPES = ("count", "count_total", "count_sub")


@dataclass
class EvalResult:
    """Per-question outcomes and the aggregate metrics."""

    rows: list[dict] = field(default_factory=list)

    def metrics(self) -> dict[str, float]:
        ans = [r for r in self.rows if r["type"] != "unanswerable"]
        una = [r for r in self.rows if r["type"] == "unanswerable"]
        counts = [r for r in ans if r["type"] in COUNT_TYPES]
        follow = [r for r in self.rows if r.get("turn", 1) > 1]
        lat = [r["ms"] for r in self.rows]
        return {
            "questions": len(self.rows),
            "short_answer_acc": _mean(r["short_ok"] for r in ans),
            "cited_doc_acc": _mean(r["doc_ok"] for r in ans),
            "evidence_acc": _mean(r["evidence_ok"] for r in ans),
            "refusal_acc": _mean(not r["found"] for r in una),
            "false_answer_rate": _mean(_false(r) for r in self.rows),
            "wrong_figure_rate": _mean(r["found"] and r["short"] is not None
                                       and not r["short_ok"] for r in counts),
            "followup_acc": _mean(_turn_ok(r) for r in follow),
            "latency_p50_ms": float(np.percentile(lat, 50)) if lat else float("nan"),
            "latency_p95_ms": float(np.percentile(lat, 95)) if lat else float("nan"),
        }


def _false(row: dict) -> bool:
    """A wrong answer shown: any answer where the reports do not say, or a short answer
    that is not an accepted one (a quote shown without a short answer is not counted)."""
    if row["type"] == "unanswerable":
        return row["found"]
    return row["found"] and row["short"] is not None and not row["short_ok"]


def _turn_ok(row: dict) -> bool:
    return not row["found"] if row["type"] == "unanswerable" else row["short_ok"]


def _mean(values) -> float:
    values = list(values)
    return sum(map(bool, values)) / len(values) if values else float("nan")


def short_answer_ok(short: str | None, accepted: list[str]) -> bool:
    """An accepted answer matches the short answer: same number, or contained text."""
    if not short:
        return False
    norm = normalize(short)
    days = {d.iso for d in find_dates(short) if d.iso}
    for gold in accepted:
        gold_days = {d.iso for d in find_dates(gold) if d.iso}
        if gold_days and gold_days <= days:  # "18 كانون الثاني - يناير 2018" is the day asked
            return True
        if find_numbers(gold, skip_dates=True) and number_equal(gold, short):
            return True
        g = normalize(gold)
        if g and (g in norm or (len(norm) >= 3 and norm in g)):
            return True
    return False


def doc_matches(cite: Citation, doc: str) -> bool:
    """Whether a citation points at the gold document (see the module docstring); a
    report's other-language version (``X.md`` / ``X_ar.md``) is the same report."""
    if doc.startswith("fakes:"):
        return (cite.record or "").split("~")[0] == doc.split(":", 1)[1]
    if doc.startswith("seed:"):
        return cite.path == doc.split(":", 1)[1]
    return cite.path == doc or same_report(cite.path, doc)


def evidence_overlaps(cite: Citation, report_text: str, evidence: str) -> bool:
    """Whether the citation's span overlaps the gold evidence located in the report."""
    probe = evidence.strip()[:60]
    pos = report_text.find(probe) if probe else -1
    if pos < 0:
        return False
    end = pos + len(evidence.strip())
    return cite.start < end and pos < cite.end


def load_questions(path: Path) -> list[dict]:
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


Ask = Callable[..., Answer]  # ask(question, history=[(question, answer), ...])


def evaluate(ask: Ask, get_text: Callable[[str], str], questions: list[dict]) -> EvalResult:
    """Ask every question (a chain's turns in order, each with the chain's earlier
    questions and Isnad's answers as history) and score the answers."""
    result = EvalResult()
    history: dict[str, list[tuple[str, str]]] = {}
    for q in sorted(questions, key=lambda q: (q.get("chain") or q["id"], q.get("turn", 1))):
        chain = q.get("chain")
        t0 = time.perf_counter()
        ans = ask(q["question"], history=list(history.get(chain, []))) if chain \
            else ask(q["question"])
        ms = (time.perf_counter() - t0) * 1e3
        if chain:
            history.setdefault(chain, []).append((q["question"], ans.answer))
        result.rows.append(score(q, ans, get_text, ms))
    return result


def score(q: dict, ans: Answer, get_text: Callable[[str], str], ms: float = 0.0) -> dict:
    """One question's outcome (the row ``EvalResult.metrics`` aggregates)."""
    first = ans.citations[0] if ans.citations and ans.found else None
    evidence = (q.get("evidence") or "").strip()
    text = get_text(first.doc_id) if first else ""
    doc_ok = bool(first and (doc_matches(first, q.get("doc") or "")
                             or (len(evidence) >= 20 and evidence in text)))
    return {"id": q["id"], "type": q.get("type", ""), "lang": q.get("lang", ""),
            "turn": q.get("turn", 1), "found": ans.found, "ms": ms,
            "score": ans.citations[0].score if ans.citations else 0.0,
            "short": ans.short_answer,
            "short_ok": ans.found and short_answer_ok(ans.short_answer, q.get("answers") or []),
            "doc_ok": doc_ok,
            "evidence_ok": bool(doc_ok and evidence_overlaps(first, text, evidence))}
