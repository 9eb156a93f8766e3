"""One reading of a question: parsed once, handed to every later step.

``parse_question(text, catalog)`` reads what the question names and asks — the library's bodies it names
(by full name or any alias: 泾源, 柏阳县市场监管局), bodies the library has no report from (潼关县, and 潼关
without its suffix when it stands where a body stands), the years it names (a year a report is on, or a year
only planned for in the report of the year before), the part it asks about, what kind of answer it wants
(a figure, a report's whole list, a fact about the report itself, a comparison of reports, which reports
mention something) and the unit of the figure it wants. The scope check, the routes, the search filter,
follow-up resolution and the guards read this; none of them reads the raw text again.

``catalog`` is the (body, year) of every report in the library: a question is read against what the
library holds, so "泾源" is 泾源县 only when the library has 泾源县 and no other 泾源….
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from assistant import lexicon as lx
from assistant.places import looks_like_name, place_names
from assistant.textnorm import normalize
from assistant.types import Part, SearchFilter

# Years further than this before the library's first report or after its last are targets, not reports.
_YEARS_BEFORE, _YEARS_AFTER = 5, 1
# Where a body's name stands when the question leaves off its suffix: first thing in the question, right
# before a year ("枫林2023年…", "潼关2024年…"), possibly after 请问/那么.
_BARE_NAME = re.compile(r"^(?:请问|那么|那)?([\u4e00-\u9fff]{2,4}?)(?=(?:19|20)\d{2}\s*年)")
_DEPARTMENT_TAIL = r"[\u4e00-\u9fff]{1,12}?(?:局|办公室|委员会)"
# 不足 and 原因 asked as two lists: joined ("不足和原因"), or two questions ("存在什么不足?原因是什么?").
_TWO_LISTS = re.compile(r"(?:不足|问题|短板)(?:和|及|与|、|以及)(?:其|存在的)?(?:主要)?原因|(?:不足|问题|短板)[^?？]*[?？].*原因")


class Kind(str, Enum):
    """What kind of answer a question wants; the route follows from it."""

    FIGURE = "figure"  # a count, amount or rate: "…调解矛盾纠纷多少件?"
    LIST = "list"  # one report's whole 不足/原因/安排 list: "泾源县存在哪些不足?"
    META = "meta"  # a fact about a report itself: its date, signer, title, the years the library holds
    COMPARISON = "comparison"  # two or more reports: two bodies, two years, a plan and what came of it, 各乡镇…
    MENTION = "mention"  # which reports say something: "哪些单位提到了…?"
    OTHER = "other"  # anything else one report's passages may answer


@dataclass(frozen=True)
class Question:
    text: str  # the standalone question (a follow-up already resolved)
    bodies: tuple[str, ...] = ()  # library bodies named, full names, in order of mention
    unknown_bodies: tuple[str, ...] = ()  # bodies named that the library has no report from
    years: tuple[int, ...] = ()  # years named near the library's years (not spans like 2020年以来, nor 2035)
    report_years: tuple[int, ...] = ()  # of those, years the named bodies (any body, when none named) reported on
    plan_years: tuple[int, ...] = ()  # of those, years only planned for: the report of the year before exists
    parts: tuple[Part, ...] = ()  # parts the question's cue words point at (a soft ranking preference)
    list_part: Part | None = None  # the part whose whole list it asks for
    kind: Kind = Kind.OTHER
    meta_field: str | None = None  # years | signer | published | signed | title | addressee | docnumber
    asks_figure: bool = False
    unit: str | None = None  # the unit of the (first) figure asked: 件, 人次, 元, % …
    units: tuple[str, ...] = ()  # the unit of every figure asked, when each 多少/几 has one (else empty)
    topic: tuple[str, ...] = ()  # what it is about: the words left once bodies, years and question words are out
    excluded: tuple[str, ...] = ()  # what it says not to count: "不算举报和咨询" → (举报, 咨询)
    comparison_reports: tuple[tuple[str, int], ...] = ()  # (body, year) of the reports a comparison covers
    catalog: tuple[tuple[str, int], ...] = field(default=(), repr=False, compare=False)

    @property
    def topic_bigrams(self) -> set[str]:
        """Character bigrams of the topic words: what a passage must share to be about the question."""
        return {w[i : i + 2] for w in self.topic for i in range(len(w) - 1)}

    @property
    def figure_units(self) -> tuple[str, ...]:
        """The unit of each figure asked (``units``), else of the first one (``unit``); empty when none is known."""
        return self.units or ((self.unit,) if self.unit else ())

    @property
    def counted(self) -> str:
        """The topic word that names what the figure asked counts: the nearest after the question's 多少/几
        ("几次法治专题讲座?" → 专题讲座), else the nearest before ("综合执法一共罚款多少钱?" → 罚款), never a bare verb
        (拿到, 举办); "" when it asks no figure or no such word stands within a few characters."""
        text = normalize(self.text)
        ask = lx.ASKS_FIGURE.search(text)
        if ask is None:
            return ""
        unit = lx.ASKED_UNIT.match(text, ask.start())
        start, end = ask.start(), (unit or ask).end()
        after, before = [], []
        for word in self.topic:
            at = text.find(word)
            if len(word) < 2 or at < 0 or lx.only_verbs(word):
                continue
            if at >= end and at - end <= _COUNTED_GAP:
                after.append((at - end, word))
            elif at + len(word) <= start and start - at - len(word) <= _COUNTED_GAP:
                before.append((start - at - len(word), word))
        return min(after or before, default=(0, ""))[1]

    @property
    def rate_asked(self) -> str:
        """The rate the question names, as reports name it: the 率 with the two characters before it
        ("行政复议纠错率是多少?" → 纠错率, "调解成功率" → 成功率); "" when it names none. A percentage given for
        another rate of the same paragraph (同比增长37%, 调解和解率19%) does not answer it."""
        word = next((w for w in self.topic if len(w) >= 3 and w.endswith("率")), "")
        return word[-3:]

    @property
    def topic_terms(self) -> tuple[tuple[str, ...], ...]:
        """Each topic word as its smallest words (``lexicon.terms``): 综合执法罚款金额 → (综合, 执法, 罚款, 金额)."""
        return tuple(lx.terms(w) for w in self.topic)

    @property
    def topic_chars(self) -> str:
        return "".join(self.topic)

    def search_filter(self) -> SearchFilter:
        """The filter a search for this question applies: its bodies and the years they reported on, with
        the part it asks about as a soft preference. Nothing named → every report."""
        orgs = list(self.bodies) or None
        years = list(self.report_years)
        if Part.PLANS in self.parts:
            # "对2024年…有什么打算": the plans for a year are written in the report on the year before, when the
            # library holds it, as well as (read the other way) in that year's own report.
            held = {y for o, y in self.catalog if not orgs or o in orgs}
            years += [y - 1 for y in self.report_years if y - 1 in held and y - 1 not in years]
        years = years or None
        figures = self.figure_units if self.asks_figure else None
        return SearchFilter(orgs=orgs, years=years, inferred=bool(orgs or years), prefer_parts=self._preferred_parts(),
                            prefer_figures=figures)

    def _preferred_parts(self) -> list[Part]:
        """The parts whose passages rank a little higher: those the question's cue words point at; for a
        figure asked with no cue and no planned year, every part but 安排 — what a year achieved is not in
        next year's plans, whose figures are targets ("不少于30场次")."""
        if self.parts or not self.asks_figure or self.plan_years:
            return list(self.parts)
        return [p for p in Part if p is not Part.PLANS]


_COUNTED_GAP = 4  # characters between the word and 多少 at most ("罚款一共是多少": 3)


def parse_question(text: str, catalog: Iterable[tuple[str, int]]) -> Question:
    """Read ``text`` once against the library's ``catalog`` of (body, year)."""
    text = text.strip()
    catalog = tuple(sorted(set(catalog)))
    bodies, rest = _known_bodies(text, [o for o, _ in catalog])
    unknown = _unknown_bodies(rest)
    years = _named_years(text, [y for _, y in catalog])
    in_scope = {y for o, y in catalog if not bodies or o in bodies}
    report_years = tuple(y for y in years if y in in_scope)
    plan_years = tuple(y for y in years if y not in in_scope and y - 1 in in_scope)
    parts = tuple(lx.part_cues(text))
    asks_figure = bool(lx.ASKS_FIGURE.search(text))
    unit = _asked_unit(text) if asks_figure else None
    units = _asked_units(text) if asks_figure else ()
    topic = _topic(rest, unknown)
    meta_field = next((name for name, cue in lx.META_CUES if cue.search(text)), None)
    list_part = _list_part(text, rest) if len(bodies) <= 1 else None
    comparison = _comparison_reports(text, bodies, report_years, plan_years, catalog)

    if meta_field is not None and (bodies or len({o for o, _ in catalog}) == 1):
        kind = Kind.META
    elif not bodies and lx.MENTION.search(text):
        kind = Kind.MENTION
    elif comparison or (not bodies and lx.COLLECTIVE.search(text)):
        kind = Kind.COMPARISON
    elif list_part is not None:
        kind = Kind.LIST
    elif asks_figure:
        kind = Kind.FIGURE
    else:
        kind = Kind.OTHER
    return Question(
        text=text, bodies=tuple(bodies), unknown_bodies=tuple(unknown), years=years, report_years=report_years,
        plan_years=plan_years, parts=parts, list_part=list_part, kind=kind, meta_field=meta_field,
        asks_figure=asks_figure, unit=unit, units=units, topic=topic, excluded=lx.excluded_words(text),
        comparison_reports=comparison, catalog=catalog,
    )  # fmt: skip


def _known_bodies(text: str, orgs: list[str]) -> tuple[list[str], str]:
    """Library bodies ``text`` names (any alias, longest first; a span is claimed once), and the text with
    their names blanked out. Matched in the same-length normalised form, so 桐溪镇 finds a report stored
    as 桐溪鎮."""
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    plain = normalize(text)
    by_plain = {normalize(o): o for o in orgs}
    for surface, plain_org in lx.alias_table(by_plain):
        org = by_plain[plain_org]
        for m in re.finditer(re.escape(normalize(surface)), plain):
            if any(taken[m.start() : m.end()]):
                continue  # inside a longer name already matched (泾源县司法局 over 泾源县)
            if re.match(_DEPARTMENT_TAIL, plain[m.end() :]):
                continue  # a department of that body (泾源县交通运输局), not the body: not one the library has
            taken[m.start() : m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), org))
    rest = "".join("，" if t else ch for ch, t in zip(text, taken))
    return list(dict.fromkeys(org for _, org in sorted(found))), rest


def _unknown_bodies(rest: str) -> list[str]:
    """Bodies named in ``rest`` (the question without the library's bodies): place names with a suffix
    (潼关县, 青龙镇 — with a department after it, 柏阳县交通运输局), or a bare name where a body's name
    stands (潼关2024年…) that is not a common word."""
    names = []
    for name in place_names(rest):
        m = re.search(re.escape(name) + _DEPARTMENT_TAIL, rest)
        names.append(m.group(0) if m else name)
    bare = _BARE_NAME.match(rest)
    if bare and looks_like_name(bare.group(1)) and bare.group(1) not in lx.GENERIC_PLACE_WORDS \
            and not lx.COLLECTIVE.match(bare.group(1)) and not any(bare.group(1) in n for n in names):
        names.append(bare.group(1))
    return names


def _named_years(text: str, library_years: list[int]) -> tuple[int, ...]:
    """Years named that can be a report's or a plan's: near the library's years, not a span or a baseline."""
    if not library_years:
        return ()
    low, high = min(library_years) - _YEARS_BEFORE, max(library_years) + _YEARS_AFTER
    return tuple(y for y in lx.question_years(text) if low <= y <= high)


def _asked_unit(text: str) -> str | None:
    m = lx.ASKED_UNIT.search(text) or lx.COUNT_NOUN.search(text)
    if m:
        return "元" if m.group(1).endswith("元") else m.group(1)  # 万元 figures are found as 元 with 万 applied
    return "%" if lx.ASKS_RATE.search(text) else None


def _asked_units(text: str) -> tuple[str, ...]:
    """The unit each 多少/几 of the question asks for (多少件 → 件, 罚款多少 → 元, 化解率是多少 → %); empty
    when one of them names none (then any figure may answer it)."""
    units = []
    for m in re.finditer(r"多少|(?<!哪)几", text):
        named = lx.ASKED_UNIT.match(text, m.start())
        near = text[max(0, m.start() - 6) : m.end() + 4]
        if named:
            units.append("元" if named.group(1).endswith("元") else named.group(1))
        elif lx.MONEY_WORDS.search(near):
            units.append("元")
        elif lx.ASKS_RATE.search(text[max(0, m.start() - 6) : m.start()]):
            units.append("%")
        else:
            return ()
    return tuple(units)


def _topic(rest: str, unknown: list[str]) -> tuple[str, ...]:
    for name in unknown:
        rest = rest.replace(name, "，")
    rest = lx.EXCLUSION.sub("，", rest)  # "不算举报和咨询": what is not counted is not what it asks about
    rest = lx.ASKED_UNIT.sub("，", normalize(rest))  # "多少名农民工" is about 农民工, not 名; 為農民工 is 为农民工
    rest = lx.COUNT_NOUN.sub("，", lx.COLLECTIVE.sub("，", rest))  # nor is "各乡镇…的件数" about 各乡镇 or 件数
    return tuple(p for p in lx.NOT_TOPICAL.split(rest) if len(p) >= 2)


def _list_part(text: str, rest: str) -> Part | None:
    """The part whose whole list the question asks for, or None (a narrower or a different question)."""
    cued = {part for part, words in lx.LIST_CUES if any(w in text for w in words)}
    if Part.CAUSES in cued:
        if Part.PLANS in cued or (Part.SHORTCOMINGS in cued and _TWO_LISTS.search(text)):
            return None  # "存在什么不足?原因是什么?", "不足和原因有哪些?": two lists
        part = Part.CAUSES
    elif Part.PLANS in cued and not re.search(r"不足|短板", text):
        part = Part.PLANS
    elif Part.SHORTCOMINGS in cued and Part.PLANS not in cued:
        part = Part.SHORTCOMINGS
    else:
        return None
    return part if len(lx.LIST_FILLER.sub("", rest)) <= 1 else None


def _comparison_reports(text: str, bodies: list[str], report_years: tuple[int, ...], plan_years: tuple[int, ...],
                        catalog: tuple[tuple[str, int], ...]) -> tuple[tuple[str, int], ...]:
    """The reports a question compares: two or more bodies named; one body with two of its report years
    named; or one body's plan and what a later report says came of it ("原计划…实际…?", "2023年报告说要…,
    2024年的报告说完成了吗?"). Empty when the question is about one report."""
    held = {(o, y) for o, y in catalog}
    if len(bodies) >= 2:
        years = set(report_years)
        return tuple((o, y) for o, y in catalog if o in bodies and (not years or y in years))
    if len(bodies) != 1:
        return ()
    own = sorted(y for o, y in catalog if o == bodies[0])
    named = [y for y in report_years if y in own]
    if len(named) >= 2:
        return tuple((bodies[0], y) for y in sorted(named))
    if lx.PLAN_WORDS.search(text) and lx.OUTCOME_WORDS.search(text):
        for y in sorted({*named, *plan_years}):
            pair = [(bodies[0], y - 1), (bodies[0], y)] if (bodies[0], y - 1) in held else [(bodies[0], y), (bodies[0], y + 1)]
            if all(p in held for p in pair):
                return tuple(pair)
    return ()


def question_filter(text: str, library) -> SearchFilter:
    """The search filter a question's own reading builds, against the library's catalog (nothing decoded)."""
    return parse_question(text, [(e.org, e.year) for e in library.catalog()]).search_filter()
