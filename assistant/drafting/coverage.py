"""Shortcomings → measures: every one of last year's 不足 gets at least one measure in section 四.

A section-四 paragraph counts as a measure for a shortcoming when it was written for it (its sources
name that 不足 item), it says something beyond placeholders (≥ MIN_MEASURE_CHARS Han characters), and it
shares at least one content word with the shortcoming (so an off-topic reply does not count). When none
does, a measure is added from last year's matching 安排 item, with a placeholder asking the user to review it.
"""

from __future__ import annotations

import re

from assistant.drafting.checks import PLACEHOLDER, CheckContext, check_paragraph
from assistant.drafting.plan import MATERIAL_THRESHOLD, DraftInputs, item_ref, item_title, quoted
from assistant.drafting.review import fullwidth, review_heading
from assistant.drafting.similarity import best_matches, shared_words
from assistant.types import CoverageRow, Draft, DraftParagraph, DraftSection, Item, Part

MIN_MEASURE_CHARS = 15


def _han_chars(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", PLACEHOLDER.sub("", text)))


def is_measure_for(paragraph: DraftParagraph, shortcoming: Item, label: str) -> bool:
    written_for = any(s.kind == "last_report" and s.label == label for s in paragraph.sources)
    body = paragraph.heading + paragraph.text
    return (written_for and _han_chars(paragraph.text) >= MIN_MEASURE_CHARS
            and bool(shared_words(shortcoming.text, body)))


def derived_measure(shortcoming: Item, inp: DraftInputs, ctx: CheckContext,
                    used: set[str] | None = None) -> DraftParagraph:
    """A measure built from last year's closest 安排 item not ``used`` by another derived measure (the same
    sentence twice is a repeat), quoted as the commitment it is, with a placeholder asking for review."""
    prev, title, next_year = inp.previous, item_title(shortcoming), ctx.year + 1
    plans = [p for p in prev.items_of(Part.PLANS) if p.key not in (used or set())]
    best = best_matches(shortcoming.text, [p.text for p in plans], k=1, threshold=MATERIAL_THRESHOLD)
    review = f"〔待补充:请核改此条自动补充的{next_year}年措施〕"
    sources = [item_ref(prev, shortcoming)]
    heading = ""
    if best:
        plan = plans[best[0][0]]
        text = f"{next_year}年，{ctx.self_reference}将针对{quoted(title)}的问题，继续落实{quoted(item_title(plan))}的安排。"
        heading = item_title(plan)
        sources.append(item_ref(prev, plan))
        if used is not None:
            used.add(plan.key)
        note = f"自动补充: 模型未给出针对“{title}”的措施,依据上一年度{plan.key}改写"
    else:
        text = f"{next_year}年，{ctx.self_reference}将针对{quoted(title)}的问题，〔待补充:{next_year}年针对该问题的具体措施〕。"
        note = f"自动补充: 模型未给出针对“{title}”的措施,上一年度也无对应安排"
    para = check_paragraph(fullwidth(text)[0], Part.PLANS, ctx)
    para.text += review
    para.heading = review_heading(heading, ctx)[0]
    para.sources = sources
    para.notes.append(note)
    return para


def build_coverage(draft: Draft, inp: DraftInputs, ctx: CheckContext, *, add_missing: bool) -> list[CoverageRow]:
    """One row per last-year shortcoming; with ``add_missing`` an uncovered one gets a measure added."""
    plans_section = next((s for s in draft.sections if s.part == Part.PLANS), None)
    if plans_section is None and add_missing:
        plans_section = DraftSection(Part.PLANS, f"四、{ctx.year + 1}年推进法治政府建设的主要安排")
        draft.sections.append(plans_section)
    rows: list[CoverageRow] = []
    used: set[str] = set()  # last-year plans already quoted by a derived measure
    for item in inp.previous.items_of(Part.SHORTCOMINGS):
        label = item_ref(inp.previous, item).label
        paragraphs = plans_section.paragraphs if plans_section else []
        measures = [p for p in paragraphs if is_measure_for(p, item, label)]
        added = False
        if not measures and add_missing and plans_section is not None:
            para = derived_measure(item, inp, ctx, used)
            # the paragraph written for it holds no measure (e.g. only a placeholder once copies were
            # dropped): the derived measure takes its place rather than standing beside it
            own = next((i for i, p in enumerate(paragraphs) if any(s.label == label for s in p.sources)), None)
            others = [p for i, p in enumerate(plans_section.paragraphs) if i != own]
            if any(p.heading == para.heading for p in others):
                para.heading = ""  # two measures under one subheading read as one
            if own is None:
                plans_section.paragraphs.append(para)
            else:
                plans_section.paragraphs[own] = para
            measures, added = [para], True
        rows.append(CoverageRow(
            shortcoming=item,
            measures=[p.heading or p.text[:40] for p in measures],
            sources=[s for p in measures for s in p.sources if s.label != label],
            added=added,
        ))
    return rows


def work_counts(draft: Draft) -> dict[str, int]:
    """What the model managed alone and what the checks had to do: for evals and benchmarks."""
    return {
        "covered_by_model": sum(1 for r in draft.coverage if r.measures and not r.added),
        "measures_added_by_code": sum(1 for r in draft.coverage if r.added),
        "figures_caught": sum(len(p.ungrounded) for s in draft.sections for p in s.paragraphs),
    }
