"""Report ingestion: load (txt/docx/pdf/html), clean, metadata, structure, items, chunks.

See ARCHITECTURE.md § Ingestion. ``parse_file``/``parse_text`` give a ``Report``; ``ingest_paths``
puts a folder of files into a library, one ``FileResult`` per file.

The names below are loaded on first use: a reader that only needs a small module of this package (the CLI's
``search`` shows ``instructions.flag_note`` under a hit) must not pay for the loaders' imports at start-up.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "SUPPORTED_SUFFIXES": "loaders",
    "FileResult": "pipeline",
    "IngestSummary": "pipeline",
    "find_files": "pipeline",
    "ingest_paths": "pipeline",
    "parse_file": "pipeline",
    "parse_text": "pipeline",
}

__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value
