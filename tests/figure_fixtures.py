"""Two real-format reports for figure tests: the seed SOHR report (dated 23 April 2018
through front matter) and a later report written here that raises the regime toll
from 52 in 6 days to 60 in 8 days. Indexes are lexical only (no embedder)."""

from __future__ import annotations

from pathlib import Path

from assistant.assistant import Assistant
from assistant.config import Config
from assistant.store.folder import FolderStore

SEED_DATE = "2018-04-23"
LATER_DATE = "2018-04-27"
LATER = f"""---
title: ارتفاع حصيلة الخسائر البشرية في جنوب دمشق
date: {LATER_DATE}
source: SOHR
---
رصد المرصد السوري لحقوق الإنسان استمرار العمليات العسكرية في القسم الجنوبي من العاصمة دمشق، حيث \
ارتفع إلى 60 على الأقل عدد عناصر قوات النظام والمسلحين الموالين لها ممن قتلوا خلال 8 أيام من \
المعارك العنيفة في جنوب دمشق، فيما ارتفع إلى 41 عدد عناصر تنظيم "الدولة الإسلامية" ممن قتلوا \
خلال الفترة ذاتها، جراء القصف والاشتباكات.
"""


def write_reports(folder: Path, seed_path: Path, later: bool = True) -> Path:
    """The seed (with a date and source in front matter) and, if ``later``, the later report."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = seed_path.read_text(encoding="utf-8")
    title = seed.splitlines()[0]
    (folder / "seed.md").write_text(
        f"---\ntitle: {title}\ndate: {SEED_DATE}\nsource: SOHR\n---\n{seed}", encoding="utf-8")
    if later:
        (folder / "later.md").write_text(LATER, encoding="utf-8")
    return folder


def lexical_assistant(index_dir: Path) -> Assistant:
    return Assistant(Config(index_dir=index_dir), FolderStore(index_dir, "none", 8), None)


def build_index(tmp: Path, seed_path: Path, later: bool = True) -> Path:
    """A lexical index of ``write_reports``; returns its folder."""
    docs, idx = write_reports(tmp / "docs", seed_path, later), tmp / "idx"
    asst = lexical_assistant(idx)
    asst.ingest([docs], embed=False)
    asst.close()
    return idx
