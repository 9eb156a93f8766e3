"""Deterministic checks: one function per assertion type, each returning a CheckOutcome.

Text checks compare NFKC-normalised text, so full-width and ASCII forms of punctuation and digits
(，/, ％/% ９/9) count as the same; nothing else is loosened: ``"930件"`` does not match ``"930 件"``
(use ``any_of`` for that). Figure checks use ``assistant.figures`` so that "a figure" means the same
thing here as in the product's own grounding checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.textnorm import simplified
from assistant.types import Citation, Draft, DraftSection, Hit, Part, Report

# [1], [2] markers and raw [ev-1a2b3c4d] ids are not figures the answer states.
CITATION_MARKER = re.compile(r"\[(?:\d+|ev-[0-9a-f]+)\]")
PLACEHOLDER = re.compile(r"〔待补充[^〕]*〕")
ORG_SUFFIXES = ("街道", "镇", "乡", "县", "区")


@dataclass
class CheckOutcome:
    name: str  # the assertion, e.g. "contains", "sources", "meta.org"
    passed: bool
    detail: str = ""  # why it failed (Chinese), or what was found when it passed

    def to_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def strip_markers(text: str) -> str:
    return CITATION_MARKER.sub("", text)


# --- text ---------------------------------------------------------------------------------------


def check_contains(text: str, needles: Sequence[str], name: str = "contains") -> CheckOutcome:
    missing = [n for n in needles if norm(n) not in norm(text)]
    return CheckOutcome(name, not missing, f"缺少: {'、'.join(missing)}" if missing else "")


def check_any_of(text: str, options: Sequence[str]) -> CheckOutcome:
    found = [o for o in options if norm(o) in norm(text)]
    return CheckOutcome("any_of", bool(found), f"含 {found[0]}" if found else f"一个也没有: {'、'.join(options)}")


def check_not_contains(text: str, needles: Sequence[str], name: str = "not_contains") -> CheckOutcome:
    present = [n for n in needles if norm(n) in norm(text)]
    return CheckOutcome(name, not present, f"不应出现: {'、'.join(present)}" if present else "")


def check_regex(text: str, pattern: str) -> CheckOutcome:
    ok = re.search(pattern, norm(text)) is not None
    return CheckOutcome("regex", ok, "" if ok else f"不匹配 /{pattern}/")


# --- answers --------------------------------------------------------------------------------------


def check_refuses(text: str, refused: bool, expected: bool, refusal_phrase: str) -> CheckOutcome:
    """``expected=True``: the fixed refusal phrase, the refused flag, and no figure at all.
    ``expected=False``: the assistant answered (it did not refuse)."""
    if not expected:
        return CheckOutcome("refuses", not refused, "不应拒答却拒答了" if refused else "")
    if not refused or norm(refusal_phrase) not in norm(text):
        return CheckOutcome("refuses", False, "应当拒答(固定拒答语),却给出了回答")
    from assistant.figures import find_figures

    rest = strip_markers(norm(text).replace(norm(refusal_phrase), ""))
    figures = [f.text for f in find_figures(rest)]
    return CheckOutcome("refuses", not figures, f"拒答中带有数字: {'、'.join(figures)}" if figures else "")


def _matches(citation: Citation, spec) -> bool:
    # One body in either script: a case may name 桐溪镇 for a report titled 桐溪鎮.
    return (
        simplified(citation.org) == simplified(spec.org)
        and (spec.year is None or citation.year == spec.year)
        and (spec.part is None or Part(citation.part) == spec.part)
    )


def check_sources(citations: Sequence[Citation], specs: Sequence) -> CheckOutcome:
    """Each expected source needs at least one valid citation (org, and year/part where given)."""
    missing = []
    for spec in specs:
        if not any(_matches(c, spec) for c in citations):
            missing.append(f"{spec.org}{f' {spec.year}年' if spec.year else ''}{f' · {spec.part.value}' if spec.part else ''}")
    cited = sorted({f"{c.org} {c.year}年" for c in citations})
    if missing:
        return CheckOutcome("sources", False, f"没有引用 {'、'.join(missing)}(实际引用: {'、'.join(cited) or '无'})")
    return CheckOutcome("sources", True, f"引用: {'、'.join(cited)}")


def check_grounded_numbers(text: str, evidence: Sequence[str], name: str = "grounded_numbers") -> CheckOutcome:
    """Every figure in ``text`` appears in ``evidence`` (cited quotes, or a draft's source texts)."""
    from assistant.figures import find_figures, ungrounded_figures

    body = strip_markers(text)
    if find_figures(body) and not evidence:
        return CheckOutcome(name, False, "回答中有数字但没有任何有效引用")
    loose = ungrounded_figures(body, list(evidence))
    figures = list(dict.fromkeys(f.text for f in loose))
    return CheckOutcome(name, not figures, f"出处中找不到: {'、'.join(figures)}" if figures else "")


def check_valid_citations(invented_ids: Sequence[str]) -> CheckOutcome:
    ids = list(invented_ids)
    return CheckOutcome("valid_citations", not ids, f"编造的出处编号: {'、'.join(ids)}" if ids else "")


# --- retrieval ------------------------------------------------------------------------------------


def hit_matches(hit: Hit, expect) -> bool:
    chunk = hit.chunk
    text = norm(chunk.text)
    return (
        all(norm(n) in text for n in expect.chunk_contains)
        and (expect.org is None or simplified(chunk.org) == simplified(expect.org))  # 桐溪鎮 = 桐溪镇
        and (expect.year is None or chunk.year == expect.year)
        and (expect.part is None or Part(chunk.part) == expect.part)
    )


def first_relevant_rank(hits: Sequence[Hit], expect) -> int | None:
    """1-based rank of the first hit that matches the expectation, None when none does."""
    return next((rank for rank, hit in enumerate(hits, start=1) if hit_matches(hit, expect)), None)


def check_in_top_k(rank: int | None, k: int) -> CheckOutcome:
    if rank is None:
        return CheckOutcome("in_top_k", False, "检索结果中没有相关段落")
    return CheckOutcome("in_top_k", rank <= k, f"相关段落排第 {rank}(要求前 {k})")


# --- metadata -------------------------------------------------------------------------------------


def check_equals(name: str, actual: object, expected: object) -> CheckOutcome:
    ok = actual == expected
    return CheckOutcome(name, ok, "" if ok else f"应为 {expected},实际 {actual}")


def check_item_count(report: Report, part: Part, expected: int) -> CheckOutcome:
    items = report.items_of(part)
    ok = len(items) == expected
    heads = "、".join(i.heading or str(i.index) for i in items)
    return CheckOutcome(f"items.{part.value}", ok, f"{len(items)} 条" if ok else f"应为 {expected} 条,实际 {len(items)} 条({heads})")


def check_parts_found(report: Report, parts: Iterable[Part]) -> CheckOutcome:
    found = report.parts_found()
    missing = [p.value for p in parts if p not in found]
    return CheckOutcome("parts", not missing, f"没有识别出: {'、'.join(missing)}" if missing else "")


# --- drafts ---------------------------------------------------------------------------------------


def section_text(section: DraftSection) -> str:
    """A draft section as the reader sees it: each paragraph with its run-in subheading."""
    return "\n".join(f"{p.heading}。{p.text}" if p.heading else p.text for p in section.paragraphs)


def draft_text(draft: Draft) -> str:
    return "\n".join([draft.title] + [s.heading + "\n" + section_text(s) for s in draft.sections])


def check_sections(draft: Draft, parts: Sequence[Part]) -> CheckOutcome:
    present = {s.part for s in draft.sections if section_text(s).strip()}
    missing = [p.value for p in parts if p not in present]
    return CheckOutcome("sections", not missing, f"缺少或为空: {'、'.join(missing)}" if missing else "")


def check_min_chars(text: str, minimum: int) -> CheckOutcome:
    n = len(re.sub(r"\s", "", text))
    return CheckOutcome("min_chars", n >= minimum, f"{n} 字(要求至少 {minimum})")


def check_no_foreign_orgs(text: str, own_org: str, library_orgs: Iterable[str]) -> CheckOutcome:
    """No other body's name — nor its name without the 镇/乡/县 suffix — appears in the draft."""
    found = []
    for org in sorted(set(library_orgs) - {own_org}):
        stem = next((org[: -len(s)] for s in ORG_SUFFIXES if org.endswith(s) and len(org) - len(s) >= 2), org)
        if org in text or (stem != org and stem not in own_org and stem in text):
            found.append(org)
    return CheckOutcome("no_foreign_orgs", not found, f"出现了其他单位: {'、'.join(found)}" if found else "")


def check_covers_shortcomings(draft: Draft, shortcomings: Sequence) -> CheckOutcome:
    """Every shortcoming of last year's report has a coverage row with at least one measure, and every
    measure it names really is in the draft's 安排 section (coverage cannot claim what the text lacks)."""
    if not shortcomings:
        return CheckOutcome("covers_shortcomings", False, "上一年度报告中没有识别出不足条目,无从核对")
    plans = norm("\n".join(section_text(s) for s in draft.sections if s.part == Part.PLANS))
    covered, problems = set(), []
    for row in draft.coverage:
        absent = [m for m in row.measures if norm(m).strip() and norm(m).strip() not in plans]
        if absent:
            problems.append(f"{row.shortcoming.key} 的措施不在第四部分: {absent[0][:30]}")
        if row.measures and not absent:
            covered.add(row.shortcoming.key)
    uncovered = [i.key for i in shortcomings if i.key not in covered]
    if uncovered:
        problems.insert(0, f"没有对应措施: {'、'.join(uncovered)}")
    added = sum(bool(getattr(row, "added", False)) for row in draft.coverage)
    note = f"(其中 {added} 条由程序依上一年度安排自动补充)" if added else ""
    return CheckOutcome("covers_shortcomings", not problems, ";".join(problems) or f"{len(shortcomings)} 条不足均有措施{note}")


def check_review(name: str, paragraphs: int) -> CheckOutcome:
    """A reviewer's check (assistant/drafting/review.py) run on the finished draft: passes when it finds
    nothing; ``paragraphs`` is how many paragraphs (headings, sections) it still flags."""
    return CheckOutcome(name, paragraphs == 0, f"仍有 {paragraphs} 段" if paragraphs else "")


def check_material_figures(draft: Draft, material_texts: Sequence[str]) -> CheckOutcome:
    """Every figure of the material (years aside) is stated in the draft or listed in ``draft.unused_figures``."""
    from assistant.figures import find_figures, same_figure

    body = PLACEHOLDER.sub("", draft_text(draft))
    stated = find_figures(body)
    unused = "\n".join(draft.unused_figures)
    figures = [f for t in material_texts for f in find_figures(t) if not (f.unit == "年" and 1990 <= f.value <= 2100)]
    used = [f for f in figures if any(same_figure(f, s) for s in stated)]
    lost = [f.text for f in figures if f not in used and f.text not in unused]
    listed = len(figures) - len(used) - len(lost)
    detail = f"材料数字 {len(figures)} 个: 写入 {len(used)},列为未用 {listed}"
    return CheckOutcome("material_figures", not lost, detail + (f";既未写入也未列出: {'、'.join(lost)}" if lost else ""))
