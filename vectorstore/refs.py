"""Naming reports: resolving what a user types ("泾源县-2024", "泾源 2024", "徐行镇") to one report id,
and relabelling a report when its metadata is corrected."""

from __future__ import annotations

import dataclasses
import re

from assistant.errors import BadInput
from assistant.lexicon import short_forms
from assistant.types import LEVELS, Chunk, Report

_REF = re.compile(r"^(?P<org>.+?)[\s\-_·—]*(?P<year>(?:19|20)\d{2})\s*年?$")


def resolve_ref(ref: str, catalog: dict[str, tuple[str, int]]) -> str:
    """The report id ``ref`` names. ``catalog`` maps report id → (org, year).

    Accepts the id itself, body and year with or without a separator, a short body name (泾源 for 泾源县)
    where unambiguous, or a body alone when it has exactly one report. Otherwise ``BadInput`` lists
    the candidates.
    """
    ref = (ref or "").strip()
    if not ref:
        raise BadInput("请给出报告, 例如 泾源县-2024。")
    if ref in catalog:
        return ref
    m = _REF.match(ref)
    name, year = (m.group("org").strip(), int(m.group("year"))) if m else (ref, None)
    orgs = _orgs_named(name, {org for org, _ in catalog.values()})
    found = sorted(rid for rid, (org, y) in catalog.items() if org in orgs and (year is None or y == year))
    if len(found) == 1:
        return found[0]
    if found:
        raise BadInput(f"“{ref}”对应多份报告: {'、'.join(found)}。请写明哪一份, 例如 {found[0]}。")
    if not catalog:
        raise BadInput(f"报告库中还没有报告, 找不到“{ref}”。请先导入 (assistant ingest 文件或目录)。")
    near = sorted(rid for rid, (org, _) in catalog.items() if org in orgs) or sorted(catalog)
    raise BadInput(f"报告库中没有“{ref}”。现有报告: {'、'.join(near[:20])}{' …' if len(near) > 20 else ''}")


def _orgs_named(name: str, orgs: set[str]) -> set[str]:
    if name in orgs:
        return {name}
    return {org for org in orgs if name in short_forms(org)}


EDITABLE = ("org", "level", "year", "title")


def relabelled(report: Report, fields: dict) -> Report:
    """A copy of ``report`` with corrected metadata; its id, chunks and index_text prefixes follow.

    Only org, level, year and title may change; bad values are a ``BadInput`` naming the field.
    """
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise BadInput(f"不能修改的字段: {'、'.join(sorted(unknown))}。可修改: {'、'.join(EDITABLE)}。")
    meta = report.meta
    org = str(fields.get("org", meta.org)).strip()
    level = str(fields.get("level", meta.level)).strip()
    title = str(fields.get("title", meta.title)).strip()
    try:
        year = int(fields.get("year", meta.year))
    except (TypeError, ValueError):
        raise BadInput(f"年份必须是数字, 收到“{fields.get('year')}”。") from None
    if not org:
        raise BadInput("单位名称不能为空。")
    if not 1990 <= year <= 2100:
        raise BadInput(f"年份 {year} 不合理 (应在 1990–2100 之间)。")
    if level not in LEVELS:
        raise BadInput(f"层级“{level}”无效, 应为: {'、'.join(LEVELS)}。")
    if not title:
        raise BadInput("标题不能为空。")

    provenance = dict(meta.provenance)
    for key in fields:
        provenance[key] = "user"
    new_meta = dataclasses.replace(meta, org=org, level=level, year=year, title=title, provenance=provenance)
    if "title" in fields:
        new_meta.title_generated = False
    new_id = Report.make_id(org, year)
    chunks = [_relabel_chunk(c, new_id, meta.org, meta.year, org, year, level) for c in report.chunks]
    return dataclasses.replace(report, id=new_id, meta=new_meta, chunks=chunks)


def _relabel_chunk(c: Chunk, report_id: str, old_org: str, old_year: int, org: str, year: int, level: str) -> Chunk:
    """Move a chunk to the new report id; rewrite the body/year inside its 【…】 label prefix only."""
    index_text = c.index_text
    if index_text.startswith("【") and "】" in index_text:
        end = index_text.index("】") + 1
        label = index_text[:end].replace(old_org, org, 1).replace(f"{old_year}年", f"{year}年", 1)
        index_text = label + index_text[end:]
    return dataclasses.replace(
        c,
        id=Chunk.make_id(report_id, c.start, c.end),
        report_id=report_id,
        org=org,
        year=year,
        level=level,
        index_text=index_text,
    )
