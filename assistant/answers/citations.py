"""From a model's raw reply to a checked text: evidence ids → citations, refusals, echoed headers, grounding.

The model cites the opaque ids it was shown (``[ev-1a2b3c4d]``). Code, not the model, turns valid ids
into numbered citations ([1], [2] …), drops ids the model invented, recognises a refusal (also a badly
paraphrased one), takes out evidence header lines the model echoed ("吉昌镇 2024年 · 原因 · 二、…中提到,")
and checks every figure against the passages actually cited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.answers.evidence import citation_for
from assistant.figures import find_figures, mark_ungrounded, ungrounded_figures
from assistant.lexicon import bigrams, wording_overlap
from assistant.settings import GuardSettings, get_settings
from assistant.types import Citation, Evidence, Figure, Part

# The one refusal phrase: the prompt is given it, code detects it, tests assert it.
REFUSAL = "现有报告中没有找到能回答这个问题的内容。"

# How a model may write a citation: [ev-1a2b3c4d], 【ev-…】, (ev-…), [ev-…, ev-…], or a bare id.
_ID = r"ev-[0-9A-Za-z]{1,16}"
# Spaces before a citation go with it: "930件 [ev-…]" becomes "930件[1]".
_CITE_GROUP = re.compile(rf"[ \t]*(?:[\[【(（]\s*{_ID}(?:\s*[,，;；、 ]\s*{_ID})*\s*[\]】)）]|{_ID})")
_ID_RE = re.compile(_ID)

# Ways small models say "not in the material" when they do not copy the phrase exactly.
_REFUSAL_HINTS = re.compile(
    r"没有找到|未找到|找不到|无法回答|不能回答|无法确定|无法得知|没有(?:相关|提及|提到|涉及|包含|提供)|"
    r"未(?:提及|提到|涉及|包含|提供)|不包含|并未|材料中没有|报告中没有"
)
_PUNCT = re.compile(r"[\s,，。.!！?？:：;；、\"“”'‘’()（）\[\]【】]")

_UNFINISHED_ID = re.compile(r"(?:[ \t]*[\[【(（]\s*(?:e|ev|ev-[0-9A-Za-z]*)?|[ \t]*ev-[0-9A-Za-z]*)$")


def hide_ids(partial: str) -> str:
    """A reply still being written, without its raw evidence ids (complete, or half-written at the end):
    what a reader sees while the answer streams, before code maps the ids to [1], [2] …"""
    return _UNFINISHED_ID.sub("", _CITE_GROUP.sub("", partial))


def is_refusal(text: str) -> bool:
    """The fixed phrase, or a short reply that only says the material does not answer the question."""
    bare = _PUNCT.sub("", text)
    if not bare or _PUNCT.sub("", REFUSAL) in bare:
        return True
    return len(bare) <= 60 and bool(_REFUSAL_HINTS.search(bare))


# --- echoed evidence headers ------------------------------------------------------------------------------
# A passage echoed with its header line ("[ev-…] 泾源县 2024年 · 举措成效 · 五、…\n正文"): its words stay,
# its id moves to its end as a citation.
_ECHOED_PASSAGE = re.compile(rf"^[ \t]*\[({_ID})\][^\n]*·[^\n]*\n(.+?)(?=\n\s*\n|\n[ \t]*\[ev-|\Z)", re.M | re.S)
_PART_NAMES = "|".join(p.value for p in Part)
# A header line echoed without its passage, or in front of the answer ("吉昌镇 2024年 · 原因 · 二、…中提到,…",
# "[1] 荆家镇 2023年 · 不足 · …"): body, year, part, then the heading up to where the model's own words begin.
_HEADER = re.compile(
    rf"(?:\[(?:{_ID}|\d+)\][ \t]*)?[^\s·\[\]。,，]{{2,24}}[ \t]*(?:19|20)\d{{2}}年[ \t]*·[ \t]*(?:{_PART_NAMES})"
    rf"(?:[ \t]*·[ \t]*(?P<where>[^\n]*?))?(?P<lead>中(?:提到|指出|写道|显示)|(?:提到|指出|显示))?[ \t]*(?:[,，:：]|…+|$)",
    re.M,
)


def strip_headers(raw: str, evidence: Sequence[Evidence]) -> tuple[str, int]:
    """``raw`` without evidence header lines the model echoed, and how many it took out.

    A header names a body, a year and a part joined by " · " exactly as ``evidence.evidence_header`` writes
    them; when the heading after them is one shown, it is taken out whole, else up to the first comma or
    colon (the model's own words usually start there, after "中提到,")."""
    text = _ECHOED_PASSAGE.sub(lambda m: f"{m.group(2).strip()}[{m.group(1)}]", raw)
    headings = sorted({" > ".join(h for h in ev.chunk.heading_path if h) or ev.chunk.part.value for ev in evidence},
                      key=len, reverse=True)
    count = 0

    def cut(m: re.Match) -> str:
        nonlocal count
        count += 1
        return ""

    for heading in headings:  # a shown heading, echoed whole: cut exactly it (its own commas included, and the
        # 。 that ends a heading written as a sentence, "（一）合法性审查力量仍然薄弱。", so no answer starts with 。)
        pattern = re.compile(
            rf"(?:\[(?:{_ID}|\d+)\][ \t]*)?[^\s·\[\]。,，]{{2,24}}[ \t]*(?:19|20)\d{{2}}年[ \t]*·[ \t]*(?:{_PART_NAMES})"
            rf"[ \t]*·[ \t]*{re.escape(heading)}(?:中(?:提到|指出|写道|显示)|提到|指出|显示)?[ \t]*[,，:：。]?[ \t]*"
        )
        text = pattern.sub(cut, text)
    text = _HEADER.sub(cut, text)
    return text.strip(), count


# --- checking a reply -------------------------------------------------------------------------------------
_LEADING_MARKS = re.compile(r"^((?:\[\d+\])+)[ \t]*(?:答案|回答)?(?:[(（][^)）\n]{0,12}[)）])?[ \t]*[:：]?[ \t]*(\S[^\n]*)$")


def _tidy_leading_citation(text: str) -> str:
    """"[1] 答案(材料编号) 2024年…930件" (the id first, as asked of small models) → "2024年…930件[1]"."""
    m = _LEADING_MARKS.match(text)
    if not m or re.search(r"\[\d+\]", m.group(2)):
        return text  # several sentences with their own citations: each id stays where it was written
    body = m.group(2).rstrip()
    end = len(body) - len(body.rstrip("。.!！"))
    return body[: len(body) - end] + m.group(1) + body[len(body) - end :]


# Small models echo the format hint ("答案(罚款)") and can loop on a phrase until max_tokens.
_FORMAT_LABEL = re.compile(r"(?:答案|回答)[(（][^)）\n]{0,12}[)）][ \t]*")
_LOOP = re.compile(r"(.{4,120}?)(?:\s*\1){2,}", re.S)


def _unloop(raw: str) -> str:
    """A phrase repeated three or more times in a row is kept once."""
    return _LOOP.sub(r"\1", raw)


@dataclass
class CheckedText:
    """A reply after citation mapping and grounding."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    invented_ids: list[str] = field(default_factory=list)
    ungrounded: list[Figure] = field(default_factory=list)
    refused: bool = False
    uncited: bool = False
    headers: int = 0  # evidence header lines the model echoed and code took out


def check_reply(raw: str, evidence: Sequence[Evidence], mark: bool = True,
                limits: GuardSettings | None = None) -> CheckedText:
    """Map cited ids to numbered citations, drop invented ids, detect refusals, ground every figure.

    Figures are checked only against the passages the reply cites: a number that sits in some other
    passage the model was shown is still unsupported where it was written.
    """
    limits = limits or get_settings().guards
    by_id = {ev.id: ev for ev in evidence}
    numbers: dict[str, int] = {}
    invented: list[str] = []

    def renumber(m: re.Match) -> str:
        marks = []
        for ev_id in _ID_RE.findall(m.group(0)):
            if ev_id in by_id:
                numbers.setdefault(ev_id, len(numbers) + 1)
                marks.append(f"[{numbers[ev_id]}]")
            elif ev_id not in invented:
                invented.append(ev_id)
        return "".join(dict.fromkeys(marks))

    unheaded, headers = strip_headers(_unloop(raw.strip()), evidence)
    text = _CITE_GROUP.sub(renumber, unheaded)
    text = _FORMAT_LABEL.sub("", text)
    text = re.sub(r"[ \t]+([。,，;；.])", r"\1", text).strip()
    text = _tidy_leading_citation(text)
    cited = list(numbers)
    if not text or (is_refusal(text) and not cited):
        return CheckedText(REFUSAL, invented_ids=invented, refused=True, headers=headers)
    if _PUNCT.sub("", REFUSAL) in _PUNCT.sub("", text) and len(_PUNCT.sub("", text)) < 2 * len(REFUSAL):
        # The phrase with a stray citation or a few words around it is still a refusal.
        return CheckedText(REFUSAL, invented_ids=invented, refused=True, headers=headers)

    citations = [citation_for(by_id[ev_id]) for ev_id in cited]
    if not citations and not invented:
        # Small models often state the right fact and drop the id. Attach the passage only when the
        # reply verifiably comes from it; otherwise the answer stays uncited and is flagged. A reply with
        # made-up ids gets no such help: it tried to cite and could not.
        source = matching_passage(text, evidence, limits)
        if source is not None:
            citations = [replace(citation_for(source), matched_by_code=True)]
            text = _append_mark(text, "[1]")
    text = copy_figure_forms(text, [c.quote for c in citations])
    ungrounded = ungrounded_figures(text, [c.quote for c in citations])
    support = wording_overlap(text, [c.quote for c in citations])
    if (ungrounded or support < limits.citation_min_wording) and numbers and not invented:
        # Small models often copy the right figure or sentence but the id of a neighbouring passage. When
        # one passage the model was shown holds every figure of the reply and more of its wording, cite
        # that one instead, marked as the system's match: the quote shown must be the one that says it.
        source = matching_passage(text, evidence, limits)
        if source is not None and source.id not in numbers and (
            ungrounded or wording_overlap(text, [source.chunk.text]) > support
        ):
            citations = [replace(citation_for(source), matched_by_code=True)]
            text = _append_mark(re.sub(r"(?:\[\d+\])+", "", text), "[1]")
            text = copy_figure_forms(text, [source.chunk.text])
            ungrounded = []
    if mark and ungrounded:
        text = mark_ungrounded(text, ungrounded)
        # Offsets of the returned figures refer to the text before marking; recompute on the marked text.
        ungrounded = _relocate(text, ungrounded)
    return CheckedText(text, citations, invented, ungrounded, refused=False, uncited=not citations, headers=headers)


def copy_figure_forms(text: str, quotes: Sequence[str]) -> str:
    """A figure the reply writes in another form than its quote (两次 for 2次, 2次 for 两次) is written as
    the quote writes it, so the answer and the passage it cites read the same."""
    known = [f for q in quotes for f in find_figures(q)]
    out, pos = [], 0
    for fig in find_figures(text):
        same = next((k for k in known if k.value == fig.value and k.unit == fig.unit), None)
        if same is not None and same.text != fig.text and (fig.text[0].isdigit() != same.text[0].isdigit()):
            out += [text[pos : fig.start], same.text]
            pos = fig.end
    return "".join(out) + text[pos:]


def matching_passage(text: str, evidence: Sequence[Evidence], limits: GuardSettings | None = None) -> Evidence | None:
    """The passage an uncited reply comes from: it holds every figure of the reply (at least one) and a
    share of its wording (more for a reply without figures). None when no passage does."""
    limits = limits or get_settings().guards
    words = bigrams(text)
    if not words:
        return None
    has_figures = bool(find_figures(text))
    needed = limits.match_min_wording_with_figures if has_figures else limits.match_min_wording_without_figures
    best: tuple[float, Evidence] | None = None
    for ev in evidence:
        if has_figures and ungrounded_figures(text, [ev.chunk.text]):
            continue
        overlap = len(words & bigrams(ev.chunk.text)) / len(words)
        if overlap >= needed and (best is None or overlap > best[0]):
            best = (overlap, ev)
    return best[1] if best else None


def cited_by_code(reply: str, source: Evidence, evidence: Sequence[Evidence], limits: GuardSettings | None = None) -> CheckedText:
    """``reply`` checked as if it had cited ``source`` alone, the citation marked as code's match (系统匹配): for a
    reply without a citation, or citing a passage without its figures, whose figures code found given in
    ``source`` on the asked topic (``quote.source_of``)."""
    checked = check_reply(_append_mark(_CITE_GROUP.sub("", reply), f"[{source.id}]"), evidence, limits=limits)
    return replace(checked, citations=[replace(c, matched_by_code=True) for c in checked.citations])


def _append_mark(text: str, mark: str) -> str:
    """'…930件。' → '…930件[1]。'"""
    body = text.rstrip()
    stripped = body.rstrip("。.!！")
    return stripped + mark + body[len(stripped):]


def _relocate(marked: str, figures: list[Figure]) -> list[Figure]:
    """Offsets of each figure inside its ⚠…⚠ marks in ``marked``."""
    out: list[Figure] = []
    shift = 0
    for fig in sorted(figures, key=lambda f: f.start):
        shift += 1  # the opening mark
        out.append(Figure(fig.text, fig.value, fig.unit, fig.start + shift, fig.end + shift))
        shift += 1  # the closing mark
        assert marked[out[-1].start : out[-1].end] == fig.text
    return out


def used_sources_note(citations: Sequence[Citation]) -> str:
    """Numbered source lines for plain-text output: [1] 泾源县 2024年 · 举措成效 · 三、…"""
    return "\n".join(
        f"[{i}] {c.org} {c.year}年 · {c.part.value}" + (f" · {c.heading}" if c.heading else "")
        + (" (系统匹配)" if c.matched_by_code else "")
        for i, c in enumerate(citations, start=1)
    )
