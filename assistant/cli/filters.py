"""The --org/--year/--level/--section flags shared by ``ask``, ``compare`` and ``search``."""

from __future__ import annotations

import argparse

from assistant.types import LEVELS, Part, SearchFilter


def add_filter_args(p: argparse.ArgumentParser, with_section: bool = True) -> None:
    p.add_argument("--org", action="append", metavar="单位", help="只看这个单位的报告 (可重复)")
    p.add_argument("--year", action="append", type=int, metavar="年份", help="只看这一年度的报告 (可重复)")
    p.add_argument("--level", action="append", choices=LEVELS, help="只看这一层级 (可重复)")
    if with_section:
        p.add_argument("--section", action="append", choices=[x.value for x in Part], help="只看报告的这一部分 (可重复)")


def explicit_filter(args: argparse.Namespace) -> SearchFilter | None:
    """The filter given on the command line, or None to let the library infer one."""
    sections = getattr(args, "section", None)
    f = SearchFilter(
        orgs=args.org or None,
        years=args.year or None,
        levels=args.level or None,
        parts=[Part(s) for s in sections] if sections else None,
    )
    return None if f.is_empty() else f
