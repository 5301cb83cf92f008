"""Prompt templates (named placeholders), shipped in the wheel as ``assistant.prompts``
and read with importlib.resources (``answer.llm.load_prompt``)."""
