"""SCR learning assistant: search and learn from serious case reviews, offline."""

import os

# Nothing leaves the machine, from every entry point (CLI, app, library import). These must be in the
# environment before the libraries that read them are imported: ONNX Runtime's telemetry looks up
# mobile.events.data.microsoft.com from native code unless ORT_DISABLE_TELEMETRY is set when it loads
# (onnxruntime.disable_telemetry_events() does not stop it), and the model is read from a local folder only.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

from assistant.api import Assistant
from assistant.errors import (
    ConflictError,
    DamagedLineError,
    DatabaseNotEmptyError,
    FilterError,
    IdentifyingDetailsError,
    IndexMismatchError,
    IndexNotBuiltError,
    LessonError,
    NotFoundError,
    ParseError,
    QueryError,
    RoleError,
    ScrError,
    SettingsError,
    SourceError,
    StorageError,
)
from assistant.records import Case, Chunk, Document, Hit, Passage, Section
from assistant.settings import Settings

__all__ = [
    "Assistant",
    "Case",
    "Chunk",
    "ConflictError",
    "DamagedLineError",
    "DatabaseNotEmptyError",
    "Document",
    "FilterError",
    "Hit",
    "IdentifyingDetailsError",
    "IndexMismatchError",
    "IndexNotBuiltError",
    "LessonError",
    "NotFoundError",
    "ParseError",
    "Passage",
    "QueryError",
    "RoleError",
    "ScrError",
    "Section",
    "Settings",
    "SettingsError",
    "SourceError",
    "StorageError",
]
__version__ = "0.1.0"
