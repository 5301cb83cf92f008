"""Isnad: cited answers over Arabic and English conflict reports.

``from assistant import Assistant; Assistant.open("index").search("…")``.
The core is importable without gradio; the UI lives in ``assistant.ui.app``.
"""

from assistant.config import Config
from assistant.records import Answer, Check, Chunk, Citation, Figure, Hit, Report

__all__ = ["Assistant", "Answer", "Check", "Chunk", "Citation", "Config", "Figure", "Hit",
           "Report"]


def __getattr__(name: str):
    # Lazy: importing the package must not load models or FAISS.
    if name == "Assistant":
        from assistant.assistant import Assistant

        return Assistant
    raise AttributeError(name)
