"""What each part of the new report must cover, worked out from last year's report and the material.

The plan is a list of sections, each a list of units; every unit is one model call with its prompt
values and the sources it draws on. Section 一 has one unit per last-year 安排 item (commitments →
results), section 三 one per 不足 item plus 原因, section 四 one per 不足 item (shortcomings → measures).
A unit gives the model last year's concrete item, the material lines on its topic and a sentence pattern
of the genre (in the prompt file); the model writes 2–4 sentences and code assembles the subheading
(``Unit.heading``, from last year's item), the numbering and the placeholders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.drafting.material import Passage
from assistant.drafting.similarity import best_matches, overlap
from assistant.types import Item, Part, Report, SourceRef

MATERIAL_THRESHOLD = 0.15  # share of a passage's keywords found in an item to count as "about" it
PEER_THRESHOLD = 0.15  # share of a shortcoming's keywords in a peer passage to offer it as good practice
MAX_PASSAGES = 4  # material passages per prompt (small models lose track of more)
QUOTE_CHARS = 400  # last-year text kept as a paragraph's source
PROMPT_CHARS = 80  # last-year text shown to the model: a small model pastes back whatever it is given
PEER_CHARS = 50  # a peer's practice shown to the model: one idea, not a passage to copy

LEADERSHIP_WORDS = ("第一责任人", "述法", "书记", "主要负责人", "镇长", "乡长", "县长", "区长", "党委会", "中心组", "常务会")
OTHER_WORDS = ("其他需要报告", "其他情况")
_MARKER = re.compile(r"^\s*(?:[\(（][一二三四五六七八九十\d]+[\)）]|[一二三四五六七八九十]+[、是]|\d+[、.．])\s*")

SECTION_HEADINGS = {
    Part.MEASURES: "一、{year}年推进法治政府建设的主要举措和成效",
    Part.LEADERSHIP: "二、{year}年党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设的有关情况",
    Part.SHORTCOMINGS: "三、{year}年推进法治政府建设存在的不足和原因",
    Part.PLANS: "四、{next_year}年推进法治政府建设的主要安排",
    Part.OTHER: "五、其他需要报告的情况",
}


@dataclass
class Unit:
    """One model call: which prompt, with what values, drawing on which sources."""

    part: Part
    prompt: str  # prompt file name under prompts/
    values: dict[str, str]
    sources: list[SourceRef]
    heading: str = ""  # the subheading code gives the paragraph ('' = a paragraph without one)
    missing: str = ""  # placeholder to add when the model leaves none and no material backs the unit
    shortcoming: Item | None = None  # section 三/四 units: the last-year 不足 item they answer
    label: str = ""  # for progress: 安排-3
    no_copy: tuple[str, ...] = ()  # values whose text must not be pasted back (last year's facts as this year's)
    borrowed: tuple[str, ...] = ()  # other bodies' texts the unit may borrow an idea from, not sentences
    title: str = ""  # what the unit is about, for placeholder labels: 深化普法宣传
    # the material lines whose facts this unit states (results units only: a 不足 or 安排 unit sees the
    # material as context, and its figures belong to section 一)
    passages: list[Passage] = field(default_factory=list)


@dataclass
class SectionPlan:
    part: Part
    heading: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class DraftInputs:
    org: str
    year: int
    previous: Report
    material: list[Passage]
    peers: list[Report]


def item_title(item: Item, limit: int = 24) -> str:
    """Short title of an item: the first clause of its heading (without the marker), else of its text; a
    leading subordinate clause ("随着…改革工作的落实,乡镇执法人员不足") is not the title, the next clause is."""
    from assistant.drafting.review import SUBORDINATE_START

    heading = _MARKER.sub("", item.heading).strip(" 。.:：")
    text = _MARKER.sub("", item.text.strip())
    source = heading if len(heading) >= 2 else text

    def clauses(s: str) -> list[str]:
        return [c.strip() for c in re.split(r"[。;；!！?？,，:：\n]", s) if c.strip()]

    main = [c for c in clauses(source) + clauses(text) if len(c) >= 4 and not c.startswith(SUBORDINATE_START)]
    first = (main or clauses(source) or [source])[0]
    return (first if len(first) >= 4 else source)[:limit]


def quoted(text: str) -> str:
    """“text”, with quotes inside it made single (‘三项制度’), as Chinese nests them."""
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def item_ref(report: Report, item: Item) -> SourceRef:
    return SourceRef("last_report", f"{report.meta.label} · {item.key}", item.text)


def part_spans(report: Report, parts: tuple[Part, ...]) -> list[tuple[int, int]]:
    """Where the given parts are in ``report.text``; nested sections (一、 and its (一)) merged."""
    spans = sorted((s.start, s.end) for s in report.sections if s.part in parts)
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def part_text(report: Report, part: Part) -> str:
    return "\n".join(report.text[s:e] for s, e in part_spans(report, (part,)))


NO_FACTS = "(无)"


def format_facts(passages: list[Passage]) -> str:
    """The material lines as the model sees them: the user's words only (no labels or file names, which
    a small model pastes into the text)."""
    if not passages:
        return NO_FACTS
    return "\n".join(f"- {p.body}" for p in passages)


def strip_marker(text: str) -> str:
    return _MARKER.sub("", text.strip())


def shown(text: str, limit: int = PROMPT_CHARS) -> str:
    """``text`` without its numbering, cut to ``limit`` characters at the last sentence or clause end."""
    text = strip_marker(text)
    if len(text) <= limit:
        return text
    cut = max(text.rfind(c, 0, limit) for c in "。;；")
    if cut < limit // 3:
        cut = max(text.rfind(c, 0, limit) for c in ",，、")
    return text[: cut + 1] if cut > 0 else text[:limit]


def mask_peer(text: str, peer: Report) -> str:
    """A peer passage without its body's name and its figures (number and unit), so neither is copied;
    若干 in their place would be copied as a vague quantity."""
    from assistant.figures import find_figures

    for fig in sorted(find_figures(text), key=lambda f: -f.start):
        if re.search(r"\d", fig.text):
            text = text[: fig.start] + text[fig.end :]
    return text.replace(peer.meta.org, "该地")


def _material_for(text: str, passages: list[Passage]) -> list[Passage]:
    hits = [(i, overlap(p.text, text)) for i, p in enumerate(passages)]
    hits = sorted((h for h in hits if h[1] >= MATERIAL_THRESHOLD), key=lambda h: -h[1])
    return [passages[i] for i, _ in hits[:MAX_PASSAGES]]


def _assign_material(items: list[Item], passages: list[Passage]) -> dict[int, list[Passage]]:
    """Each passage goes to the one plan item it is most about (so a fact is reported once)."""
    assigned: dict[int, list[Passage]] = {i: [] for i in range(len(items))}
    for p in passages:
        scores = [overlap(p.text, it.text) for it in items]
        if scores and max(scores) >= MATERIAL_THRESHOLD:
            assigned[scores.index(max(scores))].append(p)
    return {i: ps[:MAX_PASSAGES] for i, ps in assigned.items()}


def _peer_practice(shortcoming: Item, peers: list[Report]) -> tuple[str, SourceRef | None]:
    """The peer plan/measure passage that best matches a shortcoming, masked and cut to one idea
    (``PEER_CHARS``), with its source."""
    candidates: list[tuple[Report, str]] = []
    for peer in peers:
        candidates += [(peer, it.text) for it in peer.items_of(Part.PLANS)]
        candidates += [(peer, c.text) for c in peer.chunks if c.part == Part.MEASURES]
    if not candidates:
        return NO_FACTS, None
    best = best_matches(shortcoming.text, [t for _, t in candidates], k=1, threshold=PEER_THRESHOLD)
    if not best:
        return NO_FACTS, None
    peer, text = candidates[best[0][0]]
    return shown(mask_peer(text, peer), PEER_CHARS).rstrip(",，、;；"), SourceRef("peer", f"{peer.meta.label} · 借鉴做法", text)


def _leadership(inp: DraftInputs) -> list[Passage]:
    """Material about the leaders' own duty (述法, 中心组学法, 书记主持…): section 二's facts."""
    return [p for p in inp.material if any(w in p.text for w in LEADERSHIP_WORDS)][:MAX_PASSAGES]


def _other(inp: DraftInputs) -> list[Passage]:
    """Material marked as 其他需要报告的情况: section 五's facts."""
    return [p for p in inp.material if any(w in p.text for w in OTHER_WORDS)][:MAX_PASSAGES]


def _peer_of(ref: SourceRef, peers: list[Report]) -> Report:
    return next(p for p in peers if ref.label.startswith(p.meta.label))


def plan_section(part: Part, inp: DraftInputs) -> SectionPlan | None:
    """The plan for one part, or None when the part is not needed (五 without material for it)."""
    year, prev = inp.year, inp.previous
    heading = SECTION_HEADINGS[part].format(year=year, next_year=year + 1)
    section = SectionPlan(part, heading)
    plans, shortcomings = prev.items_of(Part.PLANS), prev.items_of(Part.SHORTCOMINGS)

    if part == Part.MEASURES:
        # a fact is reported once: the leaders' own facts (述法, 中心组学法…) are section 二's, 其他 section 五's
        own = [p for p in inp.material if p.label not in {q.label for q in _leadership(inp) + _other(inp)}]
        assigned = _assign_material(plans, own)
        for i, item in enumerate(plans):
            passages = assigned[i]
            section.units.append(Unit(
                part, "draft_measures",
                {"title": item_title(item), "commitment": shown(item.text),
                 "facts": format_facts(passages)},
                [item_ref(prev, item), *(p.ref() for p in passages)],
                heading=item_title(item),
                missing="" if passages else f"〔待补充:{year}年落实{quoted(item_title(item))}的具体做法和数据〕",
                label=item.key, no_copy=("commitment",), title=item_title(item), passages=passages,
            ))
        used = {p.label for ps in assigned.values() for p in ps}
        rest = [p for p in own if p.label not in used]
        if rest or not plans:  # the material's other work, or everything when last year listed no plans
            section.units.append(Unit(
                part, "draft_other_work", {"facts": format_facts(rest[:MAX_PASSAGES])},
                [p.ref() for p in rest[:MAX_PASSAGES]], heading="其他工作",
                missing="" if rest else f"〔待补充:{year}年主要举措和成效〕", label="其他工作", title="其他工作",
                passages=rest[:MAX_PASSAGES],
            ))
    elif part == Part.LEADERSHIP:
        passages = _leadership(inp)
        last = part_text(prev, Part.LEADERSHIP)
        section.units.append(Unit(
            part, "draft_leadership",
            {"last_year": shown(last) or NO_FACTS, "facts": format_facts(passages)},
            ([SourceRef("last_report", f"{prev.meta.label} · 第一责任人", last[:QUOTE_CHARS])] if last else [])
            + [p.ref() for p in passages],
            missing="" if passages else f"〔待补充:{year}年党政主要负责人履职的具体事例(如述法、专题研究法治工作次数)〕",
            label="第一责任人", no_copy=("last_year",), title="党政主要负责人履职", passages=passages,
        ))
    elif part == Part.SHORTCOMINGS:
        for item in shortcomings:
            passages = _material_for(item.text, inp.material)
            section.units.append(Unit(
                part, "draft_shortcomings",
                {"title": item_title(item), "shortcoming": shown(item.text), "facts": format_facts(passages)},
                [item_ref(prev, item), *(p.ref() for p in passages)],
                heading=item_title(item),
                missing="" if passages else f"〔待补充:请确认{year}年{quoted(item_title(item))}是否仍然存在及具体表现〕",
                shortcoming=item, label=item.key, no_copy=("shortcoming",), title=item_title(item),
            ))
        causes = prev.items_of(Part.CAUSES)
        last_causes = "\n".join(c.text for c in causes)[:QUOTE_CHARS] or part_text(prev, Part.CAUSES)[:QUOTE_CHARS]
        section.units.append(Unit(
            part, "draft_causes",
            {"shortcomings": "\n".join(f"- {item_title(s)}" for s in shortcomings) or NO_FACTS,
             "last_year": shown(last_causes) or NO_FACTS},
            [item_ref(prev, c) for c in causes] or [item_ref(prev, s) for s in shortcomings],
            heading="原因分析" if shortcomings else "",
            missing="" if shortcomings else f"〔待补充:{year}年存在的不足及原因〕",
            label="原因", no_copy=("last_year",), title="原因分析",
        ))
    elif part == Part.PLANS:
        for item in shortcomings:
            passages = _material_for(item.text, inp.material)
            related = best_matches(item.text, [p.text for p in plans], k=1, threshold=MATERIAL_THRESHOLD)
            last_plan = plans[related[0][0]] if related else None
            peer_text, peer_ref = _peer_practice(item, inp.peers)
            sources = [item_ref(prev, item)] + ([item_ref(prev, last_plan)] if last_plan else [])
            # the measure's heading is last year's matching plan title; a shortcoming's title would name the problem
            title = item_title(last_plan) if last_plan else ""
            section.units.append(Unit(
                part, "draft_plans",
                {"title": title or item_title(item), "shortcoming": shown(item.text),
                 "last_plan": shown(last_plan.text) if last_plan else NO_FACTS, "peer": peer_text,
                 "facts": format_facts(passages)},
                sources + ([peer_ref] if peer_ref else []) + [p.ref() for p in passages],
                heading=title, shortcoming=item, label=item.key, no_copy=("shortcoming", "last_plan"),
                title=title or item_title(item),
                # the peer's own words and the masked form a model copies from (figures gone, runs joined)
                borrowed=(peer_ref.quote, mask_peer(peer_ref.quote, _peer_of(peer_ref, inp.peers))) if peer_ref else (),
            ))
        if not shortcomings:
            section.units.append(Unit(
                part, "draft_plans",
                {"title": "主要安排", "shortcoming": NO_FACTS, "last_plan": shown("\n".join(
                    strip_marker(p.text) for p in plans)) or NO_FACTS, "peer": NO_FACTS, "facts": NO_FACTS},
                [item_ref(prev, p) for p in plans],
                missing=f"〔待补充:{year + 1}年主要安排〕", label="安排", no_copy=("last_plan",), title="主要安排",
            ))
    elif part == Part.OTHER:
        passages = _other(inp)
        if not passages:
            return None
        section.units.append(Unit(part, "draft_other", {"facts": format_facts(passages)},
                                  [p.ref() for p in passages], label="其他", title="其他情况", passages=passages))
    return section


DRAFT_PARTS = (Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS, Part.PLANS, Part.OTHER)


def plan_draft(inp: DraftInputs) -> list[SectionPlan]:
    return [s for s in (plan_section(p, inp) for p in DRAFT_PARTS) if s is not None]
