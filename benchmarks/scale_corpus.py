"""The scale benchmark's corpus: the real reports of ``../shared/data`` and synthetic reports
made of their sentences, with vectors derived from real embeddings.

Real reports: the seed report, the Syrian Archive, FA-KES and the 2,897 UnifiedFC articles,
read by the ingest parsers exactly as ``isnad ingest`` reads them (same doc ids as the small
indexes of ``answers.py``): every size holds them unchanged.

Synthetic report ``i`` (i = 0, 1, 2 …, the same report in every size, so a smaller corpus is
a prefix of a bigger one): 10 to 22 pieces, each a run of 1 to 3 consecutive sentences (40 to
400 characters each) of a different UnifiedFC article, chosen by a generator seeded with
``i``; 1 to 3 pieces per paragraph. Its id is ``synthetic/YYYY-MM.jsonl#syn-i``, its date
15 March 2011 plus ``i // 24`` days (24 reports a day, as a busy newsroom's archive), its
source one of three newsroom names, its title the first 120 characters of its first
sentence. Sentences repeat across reports (each of the ~99k pool sentences appears in ~40
reports of the 1M corpus), as boilerplate and quoted tolls repeat in a real archive.

Vectors (``derived`` mode): embedding a million chunks on 2 cores takes days, so
- chunks of the seed, Syrian Archive and FA-KES (the dev_qa corpus) get their real e5
  vector (``embedding_text`` of the chunk, as the ingest embeds it);
- every UnifiedFC article has 2 sentences embedded for real (its pool sentences at 1/3 and
  2/3 of the article; 5.7k sentences, embedded once and cached in
  ``benchmarks/out/embcache.sqlite``);
  each sentence of the article stands for itself if embedded, else for the embedded
  sentence nearest to it in the article;
- a chunk made of UnifiedFC text (an article's own chunk, or a synthetic one) gets the
  average of its sentences' vectors weighted by the characters each puts in the chunk,
  normalised, plus Gaussian noise of norm ``NOISE`` (0.1), normalised again: never an exact
  copy of another chunk's vector (two chunks of the same text share one vector, as in Isnad).
The ``embed`` mode embeds every chunk for real (``ingest.pipeline.embed_pending``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.ingest.chunking import chunk_spans, embedding_text
from assistant.ingest.common import make_report
from assistant.ingest.parsers import ParseOptions, Skip, parse_file
from assistant.ingest.pipeline import iter_files, text_hash
from assistant.records import Report
from assistant.text.arabic import sentence_spans

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
DEVQA_SOURCES = ("seed", "syrianarchive", "fakes/FA-KES-Dataset.csv")
UNIFIEDFC = "unifiedfc/articles.jsonl"
SEED = 20261204
NOISE = 0.1
BASIS_PER_ARTICLE = 2
MIN_SENTENCE, MAX_SENTENCE = 40, 400
SOURCES = ("المرصد السوري لحقوق الإنسان", "SOHR", "Syria Direct")
FIRST_DAY = dt.date(2011, 3, 15)
REPORTS_PER_DAY = 24


def real_paths() -> list[Path]:
    """The real corpora, as ``isnad ingest`` is given them (the dev_qa corpus first)."""
    return [DATA / p for p in (*DEVQA_SOURCES, UNIFIEDFC)]


@dataclass
class Article:
    """A UnifiedFC article: its report, its sentence spans and which are pool sentences."""

    report: Report
    spans: list[tuple[int, int]]
    pool: list[int]  # indexes into ``spans`` of the sentences synthetic reports may use


@dataclass
class Placement:
    """Where a sentence of article ``article`` (its ``sentence``-th span) sits in a text."""

    start: int
    end: int
    article: int
    sentence: int


class SentencePool:
    """The UnifiedFC articles' sentences and the real vectors that stand for them."""

    def __init__(self) -> None:
        self.articles: list[Article] = []
        for item in parse_file(DATA / UNIFIEDFC, Path(UNIFIEDFC).name, ParseOptions()):
            if isinstance(item, Skip):
                continue
            spans = sentence_spans(item.text)
            pool = [j for j, (s, e) in enumerate(spans) if MIN_SENTENCE <= e - s <= MAX_SENTENCE]
            self.articles.append(Article(item, spans, pool))
        self.usable = np.array([a for a, art in enumerate(self.articles) if art.pool])
        self.basis: np.ndarray | None = None  # (sum of basis sentences, dim)
        self._proxy: list[np.ndarray] = []  # per article: basis row of each sentence

    def basis_sentences(self) -> list[tuple[int, int]]:
        """(article, sentence) of the sentences embedded for real, in a fixed order."""
        out = []
        for a, art in enumerate(self.articles):
            among = art.pool or list(range(len(art.spans)))
            if not among:
                continue
            # at 1/3 and 2/3 of the article: its body, not its menu or footer
            picks = [int((len(among) - 1) * (j + 1) / (BASIS_PER_ARTICLE + 1) + 0.5)
                     for j in range(BASIS_PER_ARTICLE)]
            out.extend((a, among[p]) for p in dict.fromkeys(picks))
        return out

    def set_basis(self, vectors: np.ndarray) -> None:
        """The real vectors of ``basis_sentences()`` (same order); builds the proxies."""
        self.basis = np.asarray(vectors, dtype=np.float32)
        rows: dict[int, list[tuple[int, int]]] = {}
        for row, (a, j) in enumerate(self.basis_sentences()):
            rows.setdefault(a, []).append((j, row))
        self._proxy = []
        for a, art in enumerate(self.articles):
            have = rows.get(a, [])
            if not have:
                self._proxy.append(np.zeros(0, dtype=np.int64))
                continue
            idx = np.array([j for j, _ in have])
            near = np.abs(np.arange(len(art.spans))[:, None] - idx[None, :]).argmin(axis=1)
            self._proxy.append(np.array([have[k][1] for k in near], dtype=np.int64))

    def sentence_text(self, article: int, sentence: int) -> str:
        art = self.articles[article]
        s, e = art.spans[sentence]
        return art.report.text[s:e]

    def basis_texts(self) -> list[str]:
        return [self.sentence_text(a, j) for a, j in self.basis_sentences()]

    def vector(self, placements: list[Placement], start: int, end: int,
               rng: np.random.Generator) -> np.ndarray:
        """The derived vector of the text span [start, end) (see the module docstring)."""
        assert self.basis is not None, "set_basis first"
        acc = np.zeros(self.basis.shape[1], dtype=np.float64)
        for p in placements:
            overlap = min(end, p.end) - max(start, p.start)
            proxy = self._proxy[p.article]
            if overlap > 0 and len(proxy):
                acc += overlap * self.basis[proxy[p.sentence]]
        if not acc.any():  # an article without any sentence embedded: its neighbour's
            acc += self.basis[int(rng.integers(len(self.basis)))]
        acc /= np.linalg.norm(acc)
        noise = rng.standard_normal(acc.shape)
        acc += NOISE * noise / np.linalg.norm(noise)
        return (acc / np.linalg.norm(acc)).astype(np.float32)

    def article_placements(self, article: int) -> list[Placement]:
        art = self.articles[article]
        return [Placement(s, e, article, j) for j, (s, e) in enumerate(art.spans)]


@dataclass
class Synthetic:
    report: Report
    placements: list[Placement]


def synthetic_report(i: int, pool: SentencePool) -> Synthetic:
    """Synthetic report ``i`` (deterministic; see the module docstring)."""
    rng = np.random.default_rng((SEED, i))
    n_pieces = int(rng.integers(10, 23))
    articles = rng.choice(pool.usable, size=n_pieces, replace=False)
    parts: list[str] = []
    placements: list[Placement] = []
    pos, in_paragraph, paragraph_size = 0, 0, int(rng.integers(1, 4))
    for a in articles:
        art = pool.articles[int(a)]
        first = int(rng.integers(len(art.pool)))
        run = art.pool[first:first + int(rng.integers(1, 4))]
        for j in run:
            sep = "" if not parts else (" " if in_paragraph else "\n\n")
            text = pool.sentence_text(int(a), j)
            parts.append(sep + text)
            pos += len(sep)
            placements.append(Placement(pos, pos + len(text), int(a), j))
            pos += len(text)
            in_paragraph += 1
        if in_paragraph >= paragraph_size:
            in_paragraph, paragraph_size = 0, int(rng.integers(1, 4))
    body = "".join(parts)
    day = FIRST_DAY + dt.timedelta(days=i // REPORTS_PER_DAY)
    title = pool.sentence_text(placements[0].article, placements[0].sentence)[:120]
    rep = make_report(f"synthetic/{day:%Y-%m}.jsonl", body, title=title,
                      date=day.isoformat(), source=SOURCES[int(rng.integers(len(SOURCES)))],
                      record=f"syn-{i}")
    return Synthetic(rep, placements)


def chunk_vectors(rep: Report, placements: list[Placement], pool: SentencePool,
                  chunk_chars: int) -> Iterator[tuple[str, np.ndarray]]:
    """(text hash, derived vector) of each chunk of ``rep``, as the ingest chunks it."""
    seed = int(hashlib.sha1(rep.doc_id.encode()).hexdigest()[:12], 16)
    rng = np.random.default_rng((SEED, seed))
    for start, end in chunk_spans(rep.text, chunk_chars):
        yield (text_hash(embedding_text(rep.title, rep.text[start:end])),
               pool.vector(placements, start, end, rng))


def real_chunk_texts(rep: Report, chunk_chars: int) -> list[tuple[str, str]]:
    """(text hash, embedding text) of each chunk of a real report, as the ingest makes them."""
    out = []
    for start, end in chunk_spans(rep.text, chunk_chars):
        text = embedding_text(rep.title, rep.text[start:end])
        out.append((text_hash(text), text))
    return out


def read_reports(paths: list[Path]) -> Iterator[Report]:
    """The reports of real corpus paths, parsed as ``isnad ingest`` parses them."""
    for path, rel in iter_files(paths):
        for item in parse_file(path, rel, ParseOptions()):
            if not isinstance(item, Skip):
                yield item
