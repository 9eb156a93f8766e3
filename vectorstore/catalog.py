"""The library's catalog: one light entry per report, enough to list, pick and filter reports without
decoding any report (``Library.catalog()``; ``Library.get(ref)`` decodes the one report asked for)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from assistant.types import Part, Report

ITEM_PARTS = (Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)


@dataclass(frozen=True)
class CatalogEntry:
    id: str  # 泾源县-2024
    org: str
    level: str
    year: int
    title: str
    source: str  # file name it was read from
    published: date | None
    signed: date | None
    chunks: int  # searchable passages
    parts: tuple[str, ...]  # Part values found, in report order
    items: dict[str, int] = field(default_factory=dict)  # 不足/原因/安排 → number of items
    content_hash: str = ""
    edited: bool = False  # metadata corrected by a user (update_meta)

    @property
    def label(self) -> str:
        return f"{self.org} {self.year}年"

    def to_json(self) -> dict:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        d["signed"] = self.signed.isoformat() if self.signed else None
        d["parts"] = list(self.parts)
        return d

    @classmethod
    def from_json(cls, d: dict) -> "CatalogEntry":
        d = dict(d)
        for key in ("published", "signed"):
            d[key] = date.fromisoformat(d[key]) if d.get(key) else None
        d["parts"] = tuple(d.get("parts") or ())
        return cls(**d)


def catalog_entry(report: Report, edited: bool = False) -> CatalogEntry:
    """The catalog entry of a parsed report (also what test doubles of the library use)."""
    m = report.meta
    return CatalogEntry(
        id=report.id, org=m.org, level=m.level, year=int(m.year), title=m.title, source=m.source,
        published=m.published, signed=m.signed, chunks=len(report.chunks),
        parts=tuple(p.value for p in report.parts_found()),
        items={p.value: len(report.items_of(p)) for p in ITEM_PARTS},
        content_hash=report.content_hash, edited=edited,
    )
