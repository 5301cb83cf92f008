"""Isnad's exception hierarchy.

Core code raises these; only the CLI and UI edges turn them into messages.
"""


class IsnadError(Exception):
    """Base of every error Isnad raises on purpose."""


class ConfigError(IsnadError):
    """A setting is missing or invalid."""


class StoreError(IsnadError):
    """The index folder is missing, damaged or of another format."""


class ModelMismatchError(StoreError):
    """The index was built with another embedding model or dimension."""


class StoreUnavailableError(StoreError):
    """The store's server (Milvus) does not answer; the same call may work once it is back."""


class IndexLockedError(IsnadError):
    """Another writer holds the index lock."""


class InputError(IsnadError):
    """A file, row, question or upload cannot be used (the reason says why)."""


class UnsupportedFormatError(InputError):
    """The file type is not one Isnad can ingest."""


class NotFoundError(IsnadError):
    """A document id or path is not in the index."""


class LLMError(IsnadError):
    """The configured LLM endpoint failed or answered unusably."""
