"""SCR learning assistant: search and learn from serious case reviews, offline."""

from assistant.api import Assistant, QueryError
from assistant.errors import (
    IndexMismatchError,
    IndexNotBuiltError,
    ParseError,
    ScrError,
    SettingsError,
)
from assistant.records import Case, Chunk, Document, Hit, Passage, Section
from assistant.settings import Settings

__all__ = [
    "Assistant",
    "Case",
    "Chunk",
    "Document",
    "Hit",
    "IndexMismatchError",
    "IndexNotBuiltError",
    "ParseError",
    "Passage",
    "QueryError",
    "ScrError",
    "Section",
    "Settings",
    "SettingsError",
]
__version__ = "0.1.0"
