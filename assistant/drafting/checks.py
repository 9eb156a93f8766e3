"""Checks enforced by code on every drafted paragraph, whatever the model wrote.

1. Placeholders: the model's own ways of saying "unknown" (【待补充】, XX件) become 〔待补充:…〕.
2. Contamination: another body's name is replaced by 我镇/我县/本街道 and recorded.
3. Grounding: a figure found neither in the user's material nor in the body's own reports is replaced by a
   〔待补充:…〕 placeholder and recorded.
4. Years: a report on Y reports Y results and plans Y+1; a wrong year is corrected (or flagged) and noted.
5. Plans: a figure in section 四 that the sources give only as a result (this year's 52场, last year's 10次)
   is not a target for next year; it becomes a placeholder unless a source states it as a plan (计划/目标…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from assistant.places import place_names
from assistant.settings import DraftSettings, get_settings
from assistant.types import DraftParagraph, Figure, Part

PLACEHOLDER = re.compile(r"〔待补充[:：]([^〕]*)〕")
_LOOSE_PLACEHOLDER = re.compile(r"[【\[(（〔]\s*待补充\s*[:：]?\s*([^】\]）)〕]*?)\s*[】\])）〕]")
_XX_FIGURE = re.compile(r"[XＸ×xｘ]{2,}|[XＸ×](?=[件次人名户个项场条份%％万元])")

_YEAR = re.compile(r"(?<![\d.])(20\d{2})(?=\s*年)")
# A past year is legitimate next to these: 较2024年, 2024年以来, 在2025年基础上.
_PAST_BEFORE = ("较", "比", "同比", "相比", "自", "从", "与", "截至")
_PAST_AFTER = ("以来", "基础", "相比", "同期", "底", "末", "至今")


# How a body calls itself, by the ending of its name within its level (one place for the whole project's
# drafting): a county is 我县, a district 我区, a town 我镇, a bureau 我局. Other bodies' forms are wrong.
_SELF_BY_SUFFIX = (("街道", "我街道"), ("镇", "我镇"), ("乡", "我乡"), ("县", "我县"), ("区", "我区"), ("旗", "我旗"),
                   ("局", "我局"), ("委员会", "我委"), ("委", "我委"), ("办公室", "我办"), ("办", "我办"))
_LEVEL_DEFAULT = {"镇": "我镇", "乡": "我乡", "街道": "我街道", "县/区": "我县", "部门": "本单位"}
# Forms a model may use for itself; 我办/我委 are left out (我办理, 本办法 are ordinary words).
_SELF_FORMS = re.compile(r"[我本](?:街道|镇|乡|县|区|旗|局)")


def prompt_sentences(prefix: str = "draft_") -> list[str]:
    """The literal sentences of the drafting prompt files (split at lines and at ``{placeholders}``; the
    〔待补充:…〕 examples left out: a reply is asked to write those)."""
    from assistant.prompts import PROMPTS_DIR, load_prompt

    out = []
    for path in sorted(PROMPTS_DIR.glob(f"{prefix}*.md")):
        for _, template in load_prompt(path.stem).messages:
            for line in template.splitlines():
                if line.startswith("句式参考"):  # the genre's sentence pattern: a reply is meant to follow it
                    continue
                line = re.sub(r"〔[^〕]*〕", "|", line)
                out += [piece.strip() for piece in re.split(r"\{[^{}]*\}|\|", line) if piece.strip()]
    return out


def self_reference(org: str, level: str) -> str:
    """How ``org`` (of ``level``) refers to itself in its own report: 我镇, 我乡, 我街道, 我县, 我区, 我局…"""
    for suffix, form in _SELF_BY_SUFFIX:
        if org.endswith(suffix):
            return form
    return _LEVEL_DEFAULT.get(level, "本单位")


@dataclass
class CheckContext:
    """What the checks need to know about the body being drafted for."""

    org: str
    level: str
    year: int  # the year the new report is on
    other_orgs: list[str]  # every other body in the library
    own_texts: list[str]  # the body's own reports (any year)
    material: list[str]  # the user's material passages
    last_report: str = ""  # last year's report (what a sentence must not be copied from)
    library_texts: list[str] = field(default_factory=list)  # every report in the library: the genre's wording
    material_headings: list[str] = field(default_factory=list)  # heading lines of the material
    settings: DraftSettings = field(default_factory=lambda: get_settings().draft)
    _allowed: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self._allowed = "\n".join([*self.own_texts, *self.material])

    @property
    def self_reference(self) -> str:
        return self_reference(self.org, self.level)

    def wrong_self_references(self, text: str) -> list[str]:
        """我镇/本乡/我局… in ``text`` that are not this body's level (本镇 is as right as 我镇). A county
        department's report speaks of its county as 我县/我区 too: only a town's forms are wrong there."""
        right = self.self_reference
        county_ok = self.level == "部门"
        return [m.group() for m in _SELF_FORMS.finditer(text)
                if m.group()[1:] != right[1:] and not text.startswith("区域", m.end() - 1)
                and not (county_ok and m.group()[1:] in ("县", "区", "旗"))]

    def grounding_sources(self) -> list[str]:
        return [*self.material, *self.own_texts]

    @cached_property
    def prompt_grams(self) -> frozenset[str]:
        """Runs of ``prompt_run`` characters from the drafting prompts' own sentences that neither a report
        in the library nor the material says: such a run in a draft is the prompt talking."""
        from assistant.drafting.review import _key

        n = self.settings.prompt_run
        grams = {k[i:i + n] for s in prompt_sentences() for k in [_key(s)] for i in range(len(k) - n + 1)}
        for text in [*self.library_texts, *self.own_texts, *self.material]:
            k = _key(text)
            grams -= {k[i:i + n] for i in range(len(k) - n + 1)}
        return frozenset(grams)

    @cached_property
    def prompt_labels(self) -> re.Pattern | None:
        """The labels the drafting prompts put before their values ("{year}年的事实:", "句式参考:"), as a
        pattern matching them echoed in a reply (a year for {year}), with the colon or 是 after them."""
        from assistant.prompts import PROMPTS_DIR, load_prompt

        labels = set()
        for path in sorted(PROMPTS_DIR.glob("draft_*.md")):
            for _, template in load_prompt(path.stem).messages:
                for line in template.splitlines():
                    m = re.match(r"^([^:：。]{2,20})[:：]", line)
                    if m and not re.fullmatch(r"\{\w+\}", m.group(1)) and not m.group(1)[0].isdigit():
                        labels.add(re.sub(r"\\\{\w+\\\}", r"\\d{4}", re.escape(m.group(1))))
        if not labels:
            return None
        return re.compile("(?:" + "|".join(sorted(labels, key=len, reverse=True)) + r")\s*(?:[:：]|是)\s*")

    def last_report_grams(self, n: int) -> frozenset[str]:
        from assistant.drafting.review import _key

        cache = self.__dict__.setdefault("_copy_grams", {})
        if n not in cache:
            k = _key(self.last_report)
            cache[n] = frozenset(k[i:i + n] for i in range(len(k) - n + 1))
        return cache[n]

    @cached_property
    def material_clauses(self) -> list[tuple[str, list[Figure]]]:
        """Each clause of the material with its figures (years left out): what a gap can be filled from."""
        return [c for passage in self.material for c in figure_clauses(passage)]


def normalize_placeholders(text: str) -> str:
    """Turn the model's other ways of marking unknowns into the one visible form 〔待补充:…〕."""
    text = _LOOSE_PLACEHOLDER.sub(lambda m: f"〔待补充:{m.group(1).strip() or '具体内容'}〕", text)
    return _XX_FIGURE.sub("〔待补充:具体数字〕", text)


def placeholders_in(text: str) -> list[str]:
    return [m.group(0) for m in PLACEHOLDER.finditer(text)]


def foreign_names(text: str, ctx: CheckContext) -> list[str]:
    """Other bodies' names in ``text``: every other library body (unless the user's material names it),
    and any place name that occurs neither in the body's own reports nor in the material."""
    material = "\n".join(ctx.material)
    found = [o for o in ctx.other_orgs if o and o != ctx.org and o in text and o not in material]
    for name in place_names(text):
        if name in ctx.org or ctx.org in name or name in found:
            continue
        if name not in ctx._allowed:
            found.append(name)
    return found


def scrub_foreign(text: str, ctx: CheckContext) -> tuple[str, list[str]]:
    names = foreign_names(text, ctx)
    for name in sorted(names, key=len, reverse=True):  # 泾源县司法局 before 泾源县
        text = text.replace(name, ctx.self_reference)
    return text, names


_FIGURE_CLAUSE = re.compile(r"[^,，;；:：。!！?？\n]+")


def figure_clauses(text: str) -> list[tuple[str, list[Figure]]]:
    """The clauses of ``text`` that state figures (years are dates, not figures), with those figures."""
    from assistant.figures import find_figures

    out = []
    for m in _FIGURE_CLAUSE.finditer(text):
        figures = [f for f in find_figures(m.group()) if not _is_year(f)]
        if figures:
            out.append((m.group().strip(), figures))
    return out


def _is_year(fig: Figure) -> bool:
    return fig.unit == "年" and 1990 <= fig.value <= 2100 or bool(re.fullmatch(r"(19|20)\d{2}", fig.text))


def _figure_label(text: str, fig: Figure, year: int) -> str:
    before = re.split(r"[,，。;；:：、\s()（）“”]", text[max(0, fig.start - 12) : fig.start])[-1]
    after = re.split(r"[,，。;；:：、\s()（）“”〔]", text[fig.end : fig.end + 8])[0]
    if not (before or after):  # nothing around it to name the gap by (e.g. a stray list number)
        return f"〔待补充:{year}年相关数字〕"
    return f"〔待补充:{year}年{before}…{fig.unit}{after}的实际数字〕"


def ground_figures(text: str, ctx: CheckContext) -> tuple[str, list[Figure]]:
    """Replace each figure found in no source by a placeholder; return the new text and the figures."""
    from assistant.figures import ungrounded_figures

    inside = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
    bad = [
        f
        for f in ungrounded_figures(text, ctx.grounding_sources())
        if not _is_year(f) and not any(s <= f.start < e for s, e in inside)
    ]
    for fig in sorted(bad, key=lambda f: f.start, reverse=True):
        text = text[: fig.start] + _figure_label(text, fig, ctx.year) + text[fig.end :]
    return text, bad


def fix_years(text: str, part: Part, ctx: CheckContext) -> tuple[str, list[str]]:
    """Results are for ``year``, plans for ``year``+1. Copied-over years are corrected; odd ones flagged."""
    year = ctx.year
    material = "\n".join(ctx.material)
    notes: list[str] = []
    planning = part == Part.PLANS
    out, last = [], 0
    for m in _YEAR.finditer(text):
        y = int(m.group(1))
        before, after = text[max(0, m.start() - 4) : m.start()], text[m.end() : m.end() + 6]
        legit_past = any(w in before for w in _PAST_BEFORE) or any(w in after for w in _PAST_AFTER)
        quoted = text[m.start() : m.end() + 8] in material  # the user's own words
        target = y
        if planning and y in (year - 1, year) and not legit_past and not quoted:
            target = year + 1
        elif not planning and y == year - 1 and not legit_past and not quoted:
            target = year
        elif (planning and y > year + 1) or (not planning and y > year):
            notes.append(f"年份待核实: {y}年(本报告为{year}年情况、{year + 1}年安排)")
        if target != y:
            notes.append(f"年份已更正: {y}年→{target}年")
            out.append(text[last : m.start()] + str(target))
            last = m.end()
    out.append(text[last:])
    return "".join(out), notes


# Words that make a figure in the sources a plan or target rather than a result.
_PLAN_WORDS = re.compile(r"计划|拟|将|目标|力争|预计|下一步|明年|今后|争取|确保")
_SOURCE_CLAUSE = re.compile(r"[^。!！?？;；,，\n]+")


def plan_figures(text: str, part: Part, ctx: CheckContext) -> tuple[str, list[Figure]]:
    """In the plans section, figures the sources give only as results become placeholders for targets.

    Measured with the 1.5B model: "计划在2026年开展…普法活动52场" restated this year's 52 activities as
    next year's plan. Only the user can set a target; a figure stated as one in the sources stays.
    """
    from assistant.figures import find_figures, same_figure

    if part != Part.PLANS:
        return text, []
    inside = [(m.start(), m.end()) for m in PLACEHOLDER.finditer(text)]
    # Clause by clause: "将“下沉事项”纳入…,组织执法队员培训12次" states 12次 as a result despite its 将.
    clauses = [c for src in ctx.grounding_sources() for c in _SOURCE_CLAUSE.findall(src)]
    results = []
    for fig in find_figures(text):
        if _is_year(fig) or any(s <= fig.start < e for s, e in inside) or not re.search(r"\d", fig.text):
            continue  # Chinese-numeral figures in plans are names of things (落实“三项制度”), not targets
        stated = [c for c in clauses if any(same_figure(fig, f) for f in find_figures(c))]
        if stated and not any(_PLAN_WORDS.search(s) for s in stated):
            results.append(fig)
    for fig in sorted(results, key=lambda f: f.start, reverse=True):
        before = re.split(r"[,，。;；:：、\s()（）“”]|\d+年", text[max(0, fig.start - 12) : fig.start])[-1]
        label = f"〔待补充:{ctx.year + 1}年{before}…的目标数字(如有)〕"
        text = text[: fig.start] + label + text[fig.end :]
    return text, results


def check_paragraph(text: str, part: Part, ctx: CheckContext) -> DraftParagraph:
    """Run every check on one paragraph of model text; the result records what was changed."""
    text = normalize_placeholders(text)
    text, foreign = scrub_foreign(text, ctx)
    text, ungrounded = ground_figures(text, ctx)
    text, past = plan_figures(text, part, ctx)
    text, notes = fix_years(text, part, ctx)
    if past:
        notes.append("安排中照搬的往年数字已改为待补充: " + "、".join(f.text for f in past))
    if foreign:
        notes.append("已删除其他单位名称: " + "、".join(foreign))
    return DraftParagraph(text=text, ungrounded=ungrounded, foreign_orgs=foreign, notes=notes)
