"""Turn a file into text: .txt in any Chinese encoding, .docx, .pdf (text layer), .html/.htm.

Every failure is a ``BadInput`` whose one-line Chinese message names the file, so a folder ingest
can report it and carry on.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from assistant.errors import BadInput
from assistant.ingest.archive import open_zip, read_member
from assistant.settings import Settings, get_settings

SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def load_file(path: Path, raw: bytes, settings: Settings | None = None) -> str:
    """Text of a report file, by suffix. ``raw`` is the file's bytes (already size-checked)."""
    suffix = path.suffix.lower()
    if suffix == ".txt":
        return decode_text(raw, path.name)
    if suffix == ".docx":
        return load_docx(path, raw, settings)
    if suffix == ".pdf":
        return load_pdf(path, raw)
    if suffix in (".html", ".htm"):
        from assistant.ingest.html import html_to_text

        return html_to_text(decode_text(raw, path.name), path.name)
    raise unsupported(path)


def unsupported(path: Path) -> BadInput:
    hint = ",请另存为 .docx" if path.suffix.lower() == ".doc" else ""
    kinds = " ".join(SUPPORTED_SUFFIXES)
    return BadInput(f"{path.name}: 不支持的文件类型 {path.suffix or '(无扩展名)'}{hint}(支持 {kinds})")


# ---------------------------------------------------------------- plain text


# Characters a Chinese report is made of: CJK ideographs, printable ASCII and whitespace, CJK and
# full-width punctuation, dashes/quotes/ellipsis, and a few symbols (·©®×‰℃㎡①–⑤).
_IMPLAUSIBLE = re.compile(
    "[^\u4e00-\u9fff\x20-\x7e\n\r\t\u3000-\u303f\uff00-\uffef\u2010-\u2027"
    "\u00a0\u00b7\u00a9\u00ae\u00d7\u2030\u2103\u33a1\u2460-\u2464]"
)


def _plausibility(text: str) -> float:
    """Share of characters a Chinese report is made of. Wrongly decoded bytes score far lower:
    GBK read as UTF-16 gives Hangul/private-use/rare code points, UTF-16 read as GBK gives NULs."""
    if not text:
        return 0.0
    return 1.0 - len(_IMPLAUSIBLE.findall(text)) / len(text)


def decode_text(raw: bytes, name: str) -> str:
    """Decode report bytes: BOM first, then strict UTF-8, GB18030 (a superset of GBK) and UTF-16
    without BOM, keeping the candidate that reads most like Chinese text."""
    if not raw.strip():
        raise BadInput(f"{name}: 文件为空")
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                break
            return _checked(text, name)
    best_text, best_score = "", 0.0
    for encoding in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
        if encoding.startswith("utf-16") and len(raw) % 2:
            continue
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text)
        if score > best_score + 0.02:  # ties go to the earlier, more common encoding
            best_text, best_score = text, score
        if best_score > 0.98:
            break
    if best_score < 0.9:
        best_text, best_score = _charset_normalizer_guess(raw)
    if best_score < 0.9:
        raise BadInput(f"{name}: 不是可识别的文本文件(可能是二进制文件,或编码不是 UTF-8/GBK/GB18030/UTF-16)")
    return _checked(best_text, name)


def _charset_normalizer_guess(raw: bytes) -> tuple[str, float]:
    """Last resort for other encodings (Big5 from a traditional-character mirror, …)."""
    from charset_normalizer import from_bytes

    match = from_bytes(raw[:200_000]).best()
    if match is None:
        return "", 0.0
    try:
        text = raw.decode(match.encoding)
    except (UnicodeDecodeError, LookupError):
        return "", 0.0
    return text, _plausibility(text)


def _checked(text: str, name: str) -> str:
    if "\x00" in text or _plausibility(text) < 0.9:
        raise BadInput(f"{name}: 不是可识别的文本文件(含有大量非文字字符)")
    if not text.strip():
        raise BadInput(f"{name}: 文件为空")
    return text


# ---------------------------------------------------------------- .docx

_EMPTY_BODY = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>')
_OFFICE_DOCUMENT = "/officeDocument"  # the package relationship type (transitional and strict) naming the body part
_READ_BYTES = 65_536


def load_docx(path: Path, raw: bytes, settings: Settings | None = None) -> str:
    """Paragraphs (with Word's automatic numbers) and tables in document order; a table row becomes one
    tab-separated line.

    The archive is checked against the unpacked-size limits first (``archive.open_zip``). The body part is
    then parsed as a stream, one top-level paragraph or table at a time, each dropped once its text is
    taken, so memory follows the text, not the XML; styles and numbering (small parts) come from python-docx
    reading the package with an empty body in place of the real one."""
    from lxml import etree

    settings = settings or get_settings()
    archive = open_zip(raw, path.name, settings)
    body_part = _main_part_name(archive, path.name, settings)
    skeleton = _document_without_body(archive, body_part, path.name)
    from docx.oxml.ns import qn
    from docx.oxml.parser import element_class_lookup
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from assistant.ingest.docx_numbering import NumberingRenderer

    numbering = NumberingRenderer(skeleton)  # "一、" that Word numbers itself is not in the paragraph text
    body_tag, p_tag, tbl_tag = qn("w:body"), qn("w:p"), qn("w:tbl")
    parser = etree.XMLPullParser(events=("end",), remove_blank_text=True, resolve_entities=False, no_network=True)
    parser.set_element_class_lookup(element_class_lookup)
    reader = read_member(archive, body_part, path.name, settings)
    lines: list[str] = []
    try:
        for data in iter(lambda: reader.read(_READ_BYTES), b""):
            parser.feed(data)
            for _, element in parser.read_events():
                parent = element.getparent()
                if parent is None or parent.tag != body_tag:
                    continue
                if element.tag == p_tag:
                    paragraph = Paragraph(element, skeleton)
                    text = paragraph.text
                    lines.append(numbering.label(paragraph) + text if text.strip() else text)
                elif element.tag == tbl_tag:
                    lines.extend(_table_lines(Table(element, skeleton)))
                parent.remove(element)  # done with it: the tree never holds more than one block
        parser.close()
    except etree.XMLSyntaxError as exc:  # a damaged part, or a text node past lxml's 10 MB safety limit
        raise BadInput(f"{path.name}: 无法读取 .docx 文件内容(XMLSyntaxError: {exc.msg})") from exc
    text = "\n".join(lines)
    if not text.strip():
        raise BadInput(f"{path.name}: .docx 文件中没有文字")
    return text


def _table_lines(table) -> list[str]:
    lines = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is repeated once per grid column
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        lines.append("\t".join(cells))
    return lines


def _main_part_name(archive, name: str, settings: Settings) -> str:
    """The body part the package relationships name (word/document.xml in files Word writes)."""
    from lxml import etree

    try:
        rels = etree.parse(read_member(archive, "_rels/.rels", name, settings),
                           etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"{name}: 无法读取 .docx 文件内容(XMLSyntaxError)") from exc
    for rel in rels.getroot():
        if str(rel.get("Type", "")).endswith(_OFFICE_DOCUMENT) and rel.get("Target"):
            return rel.get("Target").lstrip("/")
    raise BadInput(f"{name}: 无法打开 .docx 文件(文件损坏或不是 Word 文档: 找不到正文部分)")


def _document_without_body(archive, body_part: str, name: str):
    """python-docx's Document for the package with an empty body: styles and numbering, without the text."""
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    copy = io.BytesIO()
    try:
        with zipfile.ZipFile(copy, "w") as out:
            for member in archive.infolist():  # writestr fills in the info it gets: give it a fresh one
                data = _EMPTY_BODY if member.filename == body_part else archive.read(member)
                out.writestr(zipfile.ZipInfo(member.filename, member.date_time), data, zipfile.ZIP_STORED)
        return docx.Document(io.BytesIO(copy.getvalue()))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError, NotImplementedError) as exc:
        raise BadInput(f"{name}: 无法打开 .docx 文件(文件损坏或不是 Word 文档: {type(exc).__name__})") from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends from a damaged package
        raise BadInput(f"{name}: 无法读取 .docx 文件内容({type(exc).__name__})") from exc


# ---------------------------------------------------------------- .pdf


def load_pdf(path: Path, raw: bytes) -> str:
    """The PDF's text layer as paragraphs (``assistant.ingest.pdf``: furniture dropped, lines re-flowed)."""
    from assistant.ingest.pdf import pdf_text

    return pdf_text(path, raw)
