"""Small builders shared by the eval harness tests (real project types, fake content)."""

from __future__ import annotations

from assistant.types import Chunk, Citation, Hit, Item, Part, Report, ReportMeta, Section


def chunk(text: str, org: str = "泾源县", year: int = 2024, part: Part = Part.MEASURES) -> Chunk:
    return Chunk(
        id=Chunk.make_id(f"{org}-{year}", 0, len(text)), report_id=f"{org}-{year}", org=org, year=year, level="县/区",
        part=part, heading_path=(), text=text, start=0, end=len(text), index_text=text,
    )


def hit(text: str, org: str = "泾源县", year: int = 2024, part: Part = Part.MEASURES, score: float = 0.5) -> Hit:
    return Hit(chunk(text, org, year, part), score)


def citation(quote: str, org: str = "泾源县", year: int = 2024, part: Part = Part.MEASURES) -> Citation:
    c = chunk(quote, org, year, part)
    return Citation(evidence_id="ev-00000001", report_id=c.report_id, org=org, year=year, part=part, heading="",
                    quote=quote, chunk_id=c.id)


def report(org: str, year: int, text: str, items: list[tuple[Part, str]] = (), level: str = "镇") -> Report:
    """A report whose items are the given (part, text) pieces, found in ``text``."""
    found, counts = [], {}
    for part, piece in items:
        start = text.index(piece)
        counts[part] = counts.get(part, 0) + 1
        found.append(Item(part, counts[part], f"{counts[part]}、", piece, start, start + len(piece)))
    sections = [Section(p, "", (), 1, 0, len(text)) for p in dict.fromkeys(p for p, _ in items)]
    meta = ReportMeta(org=org, level=level, year=year, title=f"{org}{year}年法治政府建设情况报告")
    return Report(Report.make_id(org, year), "0" * 64, meta, text, sections, found, [])
