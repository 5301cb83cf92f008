"""Builders of small test documents (docx, pdf, zip bomb) written into tmp_path."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def build_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None,
               title: str = "") -> Path:
    """A .docx with paragraphs, then an optional table, then a closing paragraph."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.add_paragraph("End of report.")
    document.save(str(path))
    return path


def add_zip_bomb(path: Path, size: int = 20_000_000) -> Path:
    """Append a highly compressible part (zeros) to an existing .docx."""
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/bomb.bin", b"\0" * size)
    return path


def build_pdf(path: Path, lines: list[str], title: str = "", password: str = "") -> Path:
    """A one-page PDF whose text layer holds ``lines`` in the given character order."""
    fpdf = pytest.importorskip("fpdf")
    if not DEJAVU.is_file():
        pytest.skip(f"{DEJAVU} is absent (needed for Arabic glyphs)")
    pdf = fpdf.FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.add_font("dejavu", fname=str(DEJAVU))
    pdf.set_font("dejavu", size=12)
    for line in lines:
        pdf.cell(text=line)
        pdf.ln()
    pdf.output(str(path))
    if password:
        import pypdf

        writer = pypdf.PdfWriter(clone_from=str(path))
        writer.encrypt(password)
        writer.write(str(path))
    return path


def visual(logical: str) -> str:
    """How a PDF stores an Arabic line visually: whole words reversed, digits kept.

    A deliberately naive stand-in for a PDF producer (split on spaces), not the
    parser's own algorithm.
    """
    words = logical.split(" ")
    return " ".join(w if w.isascii() else w[::-1] for w in reversed(words))
