"""Report ingestion: load (txt/docx/pdf/html), clean, metadata, structure, items, chunks.

See ARCHITECTURE.md § Ingestion. ``parse_file``/``parse_text`` give a ``Report``; ``ingest_paths``
puts a folder of files into a library, one ``FileResult`` per file.
"""

from assistant.ingest.loaders import SUPPORTED_SUFFIXES
from assistant.ingest.pipeline import FileResult, IngestSummary, find_files, ingest_paths, parse_file, parse_text

__all__ = [
    "SUPPORTED_SUFFIXES",
    "FileResult",
    "IngestSummary",
    "find_files",
    "ingest_paths",
    "parse_file",
    "parse_text",
]
