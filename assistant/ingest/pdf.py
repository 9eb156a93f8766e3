"""A PDF's text layer as a report's paragraphs: page furniture dropped, page-width line breaks joined.

A PDF exported from Word or WPS breaks every line at the page width and repeats a running header (often
the short title) and a page number (— 3 —, 第3页 共5页) on each page. Here:

- page numbers are dropped where they stand: among the first or last two lines of a page;
- running headers and footers are first (or last) lines repeated on at least two pages after the first
  (digits ignored, so 第2页 and 第3页 are one line); they are dropped there;
- the remaining lines of all pages, in order, are re-joined into paragraphs (``reflow_lines``): a CJK
  line that runs to the usual full width is continued by the next one, across page breaks too.
"""

from __future__ import annotations

import io
import re
import statistics
from collections import Counter
from pathlib import Path

from assistant.errors import BadInput

_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|\d{1,3}|[-—–]\s*\d+|\d+\s*[-—–])\s*$"
)
_EDGE = 2  # lines at the top and bottom of a page where a page number may stand
_ENDS_PARAGRAPH = tuple("。:：;；!！?？")
# (一是… is not here: inline markers fall at a wrap point inside a paragraph as often as anywhere else)
_STARTS_HEADING = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")


def pdf_text(path: Path, raw: bytes) -> str:
    """The PDF's text layer, furniture dropped and lines re-flowed into paragraphs."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput(f"{path.name}: PDF 已加密,无法读取文字")
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except BadInput:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise BadInput(f"{path.name}: 无法读取 PDF 文件(文件损坏: {type(exc).__name__})") from exc
    lines = [line for page in drop_furniture(pages) for line in page]
    if not "".join(lines).strip():
        raise BadInput(f"{path.name}: PDF 没有文字层(可能是扫描件),请先做文字识别(OCR)或提供 .docx/.txt")
    return reflow_lines(lines)


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", "".join(line.split()))


def drop_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Pages without their page numbers and running headers/footers (see the module docstring)."""
    pages = [[ln for ln in page if ln.strip()] for page in pages]
    pages = [
        [ln for k, ln in enumerate(page) if not (_PAGE_NUMBER.match(ln) and (k < _EDGE or k >= len(page) - _EDGE))]
        for page in pages
    ]
    later = [page for page in pages[1:] if page]
    tops = Counter(_key(page[0]) for page in later)
    bottoms = Counter(_key(page[-1]) for page in later)
    header = {k for k, n in tops.items() if n >= 2 and k}
    footer = {k for k, n in bottoms.items() if n >= 2 and k}
    out = []
    for number, page in enumerate(pages):
        if page and number > 0 and _key(page[0]) in header:
            page = page[1:]
        if page and _key(page[-1]) in footer:  # a footer repeated on the later pages is on the first one too
            page = page[:-1]
        out.append(page)
    return out


def reflow_lines(lines: list[str]) -> str:
    """Join the hard line breaks a PDF puts at the page width back into paragraphs.

    A line is joined to the next when it runs (nearly) to the usual full line width and does not end a
    sentence (or runs the whole width), and the next line does not start a numbered heading."""
    stripped = [ln.strip() for ln in lines]
    lengths = sorted(len(ln) for ln in stripped if ln)
    if not lengths:
        return ""
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 5 else max(lengths)
    full = max(full, statistics.median(lengths))
    out: list[str] = []
    buffer = ""
    for i, line in enumerate(stripped):
        if not line:
            if buffer:
                out.append(buffer)
                buffer = ""
            continue
        buffer += line
        nxt = stripped[i + 1] if i + 1 < len(stripped) else ""
        # A line running the full width that ends a sentence is still more likely a wrap inside a paragraph
        # (a sentence end falls at the margin far more often than a paragraph fills its last line exactly).
        joins = (
            nxt
            and not _STARTS_HEADING.match(nxt)
            and len(line) >= 0.8 * full
            and (not line.endswith(_ENDS_PARAGRAPH) or len(line) >= full)
        )
        if not joins:
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return "\n".join(out)
