"""An in-memory stand-in for ``vectorstore.Library`` (the ``add``/``reports``/``get`` half) for tests
of ingestion and of anything that only needs reports stored, without Chroma or embeddings."""

from __future__ import annotations

import re

from assistant.errors import BadInput, StoreUnavailable
from assistant.types import Report


class MemoryLibrary:
    def __init__(self, fail_on: set[str] | None = None) -> None:
        self.stored: dict[str, Report] = {}
        self.fail_on = fail_on or set()  # report ids whose add raises StoreUnavailable
        self.calls: list[tuple[str, object]] = []  # (report id, progress argument)

    def add(self, report: Report, progress=None) -> str:
        self.calls.append((report.id, progress))
        if report.id in self.fail_on:
            raise StoreUnavailable("测试: 资料库不可用")
        current = self.stored.get(report.id)
        if current is not None and current.content_hash == report.content_hash:
            return "unchanged"
        if progress is not None:
            progress(len(report.chunks), len(report.chunks))
        self.stored[report.id] = report
        return "added" if current is None else "replaced"

    def reports(self) -> list[Report]:
        return list(self.stored.values())

    def get(self, ref: str) -> Report:
        ref = ref.strip()
        if ref in self.stored:
            return self.stored[ref]
        m = re.fullmatch(r"(.+?)[\s-]*((?:19|20)\d{2})年?", ref)
        if m and (rid := Report.make_id(m.group(1), int(m.group(2)))) in self.stored:
            return self.stored[rid]
        same_org = [r for r in self.stored.values() if r.meta.org == ref]
        if len(same_org) == 1:
            return same_org[0]
        raise BadInput(f"资料库中没有报告 {ref}(用 assistant reports 查看已有报告)")


__all__ = ["MemoryLibrary"]


def minimal_pdf(lines: list[str] | None, pages: list[list[str]] | None = None) -> bytes:
    """A PDF whose text layer holds ``lines`` on one page (or each of ``pages`` on a page of its own),
    Chinese included, written by hand: a Type0 font with Identity-H encoding and a ToUnicode map, so text
    extraction works without embedding a real font. ``None`` gives a page with a drawn line and no text
    layer at all (a 'scanned' PDF)."""
    texts = pages if pages is not None else ([lines] if lines is not None else None)
    cids: dict[str, int] = {}
    for page in texts or []:
        for ch in "".join(page):
            cids.setdefault(ch, len(cids) + 1)
    contents = []
    for page in texts or [None]:
        if page is None:
            contents.append(b"0 0 m 100 100 l S")
            continue
        ops = [b"BT /F1 12 Tf 50 800 Td 16 TL"]
        for line in page:
            ops.append(b"<" + "".join(f"{cids[ch]:04X}" for ch in line).encode() + b"> Tj T*")
        ops.append(b"ET")
        contents.append(b"\n".join(ops))
    n = len(contents)
    font = 3 + 2 * n  # objects: catalog, pages, (page, content) per page, then the font objects
    resources = b"<< /Font << /F1 %d 0 R >> >>" % font if texts is not None else b"<< >>"
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = b" ".join(b"%d 0 R" % (3 + 2 * k) for k in range(n))
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % n)
    for k, content in enumerate(contents):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources " + resources
                       + b" /Contents %d 0 R >>" % (4 + 2 * k))
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    if texts is not None:
        objects.append(b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
                       b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (font + 1, font + 2))
        objects.append(b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
                       b"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R "
                       b"/DW 1000 /CIDToGIDMap /Identity >>" % (font + 3))
        entries = "\n".join(f"<{cid:04X}> <{ord(ch):04X}>" for ch, cid in cids.items())
        cmap = (
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(cids)} beginbfchar\n{entries}\nendbfchar\n"
            "endcmap CMapName currentdict /CMap defineresource pop end end"
        ).encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream")
        objects.append(b"<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -120 1000 880] "
                       b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
