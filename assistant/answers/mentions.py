"""Which reports mention something — "哪些单位提到配备或设立了公职律师?" — found by code in every report in scope.

Whether a report says a thing is a question code answers exactly, so no model reads the reports:

1. ``mention_terms(question)``: what to look for. The words after 哪些单位/乡镇/报告, less the framing
   (…的报告里提到了, 提出要); quoted words as they are (“首违不罚”; a quoted number with the word after it:
   “721”工作法 → 721工作法); a negated verb with its object (没有取得执法证 → 未取得执法证: the negation is what is
   asked); else the last phrase once the verbs are taken out (配备或设立了公职律师 → 公职律师, 帮市场主体做信用修复
   → 信用修复: a report says the thing with its own verbs, 发挥…公职律师作用).
2. ``find_mentions(question, library, reports)``: every sentence (and heading) of every report in scope read
   once in the simplified matching form (``textnorm.simplified``: 首違不罰 is 首违不罚), quotation marks and
   spaces left out. A term matches exactly, as a longer form (its characters in order with a few between:
   未取得行政执法证 for 未取得执法证) or as a short form (12345热线 for 12345政务服务便民热线). The first
   sentence of each report that matches is cited.

The reports come from the catalog and their passages from the published snapshot: no report is decoded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant import lexicon as lx
from assistant.answers.evidence import citation_for
from assistant.answers.question import Question
from assistant.settings import get_settings
from assistant.textnorm import simplified
from assistant.types import Chunk, Citation, Evidence, SearchFilter

_QUOTED = re.compile(r"[“\"「『‘']([^“”\"「」『』‘’']{1,30})[”\"」』’']")
_NOT_MATCHED = re.compile(r"[\s\"'“”‘’「」『』《》〈〉]")  # left out on both sides before matching
_PUNCT_END = re.compile(r"[?？!！。,，;；:：、]+.*$")
_ASCII_RUN = re.compile(r"^[0-9A-Za-z.\-]+$")
SENTENCE_CHARS = 90  # a cited sentence longer than this is shown around the match


@dataclass(frozen=True)
class Mention:
    """One report that mentions the term: the sentence (or heading) that says it, cited."""

    report_id: str
    org: str
    year: int
    term: str  # the term as asked
    found: str  # how the report writes it
    how: str  # exact | longer form | short form
    sentence: str  # the sentence (clipped around the match when long)
    citation: Citation


def mention_terms(question: Question) -> list[str]:
    """What "which reports mention …" looks for (alternatives: a report mentioning any one counts)."""
    text = question.text
    cue = lx.MENTION.search(text)
    phrase = text[cue.end() :] if cue else text
    phrase = _PUNCT_END.sub("", phrase.strip())
    quoted = [m.group(1).strip() for m in _QUOTED.finditer(phrase) if m.group(1).strip()]
    if quoted:
        terms = []
        for m in _QUOTED.finditer(phrase):
            term = m.group(1).strip()
            if _ASCII_RUN.match(term):  # “721”工作法: a number alone is not a term, the word after it is part of it
                term += lx.MENTION_VERBS.split(phrase[m.end() :], maxsplit=1)[0]
            terms.append(simplified(_NOT_MATCHED.sub("", term)))
        return [t for t in dict.fromkeys(terms) if t]
    phrase = simplified(_NOT_MATCHED.sub("", lx.MENTION_FRAME.sub("", phrase)))
    negated = lx.NEGATION.search(phrase)
    if negated:  # 没有取得执法证 → 未取得执法证
        return ["未" + phrase[negated.end() :]] if negated.end() < len(phrase) else []
    pieces = [p for p in lx.MENTION_VERBS.split(phrase) if len(p) >= 2]
    return pieces[-1:] if pieces else ([phrase] if len(phrase) >= 2 else [])


def match(term: str, text: str, max_gap: int, short_share: float) -> tuple[str, str] | None:
    """(how, what the text says) when ``text`` (already in matching form) says ``term``, else None."""
    if term in text:
        return "exact", term
    if len(term) < 3:
        return None
    longer = _longer_form(term, text, max_gap)
    if longer:
        return "longer form", longer
    shorter = _short_form(term, text, short_share)
    return ("short form", shorter) if shorter else None


def _longer_form(term: str, text: str, max_gap: int) -> str | None:
    """The shortest run of ``text`` holding the term's characters in order, at most ``max_gap`` between two."""
    best = None
    for start in (i for i, ch in enumerate(text) if ch == term[0]):
        pos, ok = start, True
        for ch in term[1:]:
            nxt = text.find(ch, pos + 1, pos + 2 + max_gap)
            if nxt < 0:
                ok = False
                break
            pos = nxt
        if ok and (best is None or pos + 1 - start < len(best)):
            best = text[start : pos + 1]
    return best


def _short_form(term: str, text: str, share: float) -> str | None:
    """A run of ``text`` that is the term with characters left out (12345热线 for 12345政务服务便民热线): it starts
    and ends with the term's first two and last two characters and keeps at least ``share`` of its characters
    (法治长廊 does not shorten 法治副校长)."""
    if len(term) < 5:
        return None
    need = max(4, int(len(term) * share + 0.999))
    for start in (i for i, ch in enumerate(text) if ch == term[0]):
        t, i = 0, start
        while i < len(text) and t < len(term):
            if text[i] == term[t]:
                i += 1
            t += 1
        run = text[start:i]
        if len(run) >= need and run[:2] == term[:2] and run[-2:] == term[-2:]:
            return run
    return None


def find_mentions(question: Question, library, reports: list[tuple[str, str, int]] | None = None,
                  filter: SearchFilter | None = None) -> list[Mention]:
    """The reports (``(id, org, year)``; None: every report the filter allows) whose text mentions what
    ``question`` asks about, each with the first sentence that says it, in report order."""
    terms = mention_terms(question)
    if not terms:
        return []
    limits = get_settings().compare
    wanted = {rid for rid, _, _ in reports} if reports is not None else None
    found: dict[str, Mention] = {}
    for chunk in library.chunks(filter):
        if chunk.report_id in found or (wanted is not None and chunk.report_id not in wanted):
            continue
        hit = _in_chunk(chunk, terms, limits.mention_max_gap, limits.mention_short_share)
        if hit is not None:
            found[chunk.report_id] = hit
    return sorted(found.values(), key=lambda m: (m.org, m.year))


def _in_chunk(chunk: Chunk, terms: list[str], max_gap: int, short_share: float) -> Mention | None:
    """The first sentence of ``chunk`` (or its heading) that says one of ``terms``."""
    places = [(m.group(0), m.start()) for m in lx.SENTENCE.finditer(chunk.text)]
    places += [(h, -1) for h in chunk.heading_path]
    for sentence, start in places:
        plain = _NOT_MATCHED.sub("", simplified(sentence))
        for term in terms:
            hit = match(term, plain, max_gap, short_share)
            if hit is None:
                continue
            how, said = hit
            citation = replace(citation_for(Evidence(Evidence.make_id(chunk.id), chunk, 1.0)), matched_by_code=True)
            return Mention(chunk.report_id, chunk.org, chunk.year, term, said, how,
                           _around(sentence.strip(), said), citation)
    return None


def _around(sentence: str, said: str) -> str:
    """The sentence, or about SENTENCE_CHARS of it around what matched when it is long."""
    if len(sentence) <= SENTENCE_CHARS:
        return sentence
    kept = [i for i, ch in enumerate(simplified(sentence)) if not _NOT_MATCHED.match(ch)]  # plain → sentence
    at = "".join(simplified(sentence)[i] for i in kept).find(said)
    centre = kept[at] if at >= 0 else 0
    start = max(0, min(centre - SENTENCE_CHARS // 3, len(sentence) - SENTENCE_CHARS))
    end = start + SENTENCE_CHARS
    return ("…" if start else "") + sentence[start:end] + ("…" if end < len(sentence) else "")
