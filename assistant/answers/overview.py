"""A short overview of one report in the model's own words, cited, and checked by code.

The model sees a small selection of the report (the first passages of each part, round robin, each cut to
its first sentences), so that the local 1.5B model writes it in well under a minute. Code then

* maps the model's evidence ids to numbered citations and checks every figure (``citations.check_reply``);
* keeps whole sentences only: a reply cut off at ``max_tokens`` does not end mid-sentence;
* refuses a copy: when the overview repeats more than ``summary.copy_max_chars`` characters of the report
  word for word, the model is asked once more, quoting the copied run; a second copy (or no time left for
  one) means no overview, never a copied one. An overview citing nothing is asked again the same way, and
  shown with a warning when the second one cites nothing either.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant.answers.citations import check_reply
from assistant.answers.evidence import evidence_block, pack_evidence
from assistant.errors import AssistantError
from assistant.phases import AnswerPhase
from assistant.prompts import load_prompt
from assistant.settings import SummarySettings
from assistant.textnorm import normalize
from assistant.types import Chunk, Citation, Evidence, Figure, Part, Report

_PARTS = (Part.MEASURES, Part.LEADERSHIP, Part.SHORTCOMINGS, Part.CAUSES, Part.PLANS)
_SENTENCE_END = "。;；!！?？"
_CLAUSE_END = ",，、:："
# The last sentence end of a reply, with the citation written right after it ("…。[ev-1a2b3c4d]").
_LAST_SENTENCE = re.compile(r"^(.*[。!！?？](?:\s*[\[【(（]\s*ev-[0-9A-Za-z, ，ev-]*[\]】)）])?)", re.S)
_MARKS = re.compile(r"\[\d+\]|⚠")
_JOINED_MARKS = re.compile(r"(\[\d+\])[、,，\s]+(?=\[\d+\])")


@dataclass(frozen=True)
class SummaryStep(AnswerPhase):
    """A phase of ``summarize`` with its own words (摘取…, 模型撰写概述, 核对…): an ``AnswerPhase``, so the
    clocks that show the chat's phases (``phases.PhaseClock``) show these too; model steps are "thinking"."""

    what: str = ""

    @property
    def label(self) -> str:
        return self.what or super().label


EXTRACTING = SummaryStep("retrieving", "摘取举措、数字、不足和安排")
WRITING = SummaryStep("thinking", "模型撰写概述")
REWRITING = SummaryStep("thinking", "概述照抄原文过多, 模型改写中")
CHECKING = SummaryStep("checking", "核对概述的出处、数字和照抄")


@dataclass
class Overview:
    text: str | None  # with [1][2] citations; None when there is none to show
    citations: list[Citation] = field(default_factory=list)
    ungrounded: list[Figure] = field(default_factory=list)
    note: str = ""  # why there is none, or what to mind
    copied_chars: int = 0  # the longest run of the report's words the last reply repeated
    attempts: int = 0  # model calls made


def _cut(text: str, limit: int) -> str:
    """The first sentences of ``text`` within ``limit`` characters (else its first clauses)."""
    if len(text) <= limit:
        return text
    for ends in (_SENTENCE_END, _CLAUSE_END):
        cut = max((i for i, ch in enumerate(text[:limit]) if ch in ends), default=-1)
        if cut >= limit // 3:
            return text[: cut + 1]
    return text[:limit]


def _passage(chunk: Chunk, limit: int) -> Evidence:
    """A chunk cut to its first sentences; the same id, so the citation points at that chunk."""
    text = _cut(chunk.text, limit)
    return Evidence(Evidence.make_id(chunk.id), dataclasses.replace(chunk, text=text, end=chunk.start + len(text)), 1.0)


def _measure_order(chunks: list[Chunk]) -> list[Chunk]:
    """举措成效 chunks by topic: the first under each top heading, then the second of each …"""
    groups: dict[str, list[Chunk]] = {}
    for c in chunks:
        groups.setdefault(c.heading_path[0] if c.heading_path else "", []).append(c)
    return [g[i] for i in range(max(map(len, groups.values()), default=0)) for g in groups.values() if i < len(g)]


def overview_material(report: Report, settings: SummarySettings) -> list[Evidence]:
    """What the model is shown: passages from every part, round robin (举措, 第一责任人, 不足, 原因, 安排), each
    cut to ``passage_chars``, as many as fit in ``material_tokens``; in report order."""
    by_part = {p: [c for c in report.chunks if c.part == p] for p in _PARTS}
    by_part[Part.MEASURES] = _measure_order(by_part[Part.MEASURES])
    picked = [by_part[p][i] for i in range(max(map(len, by_part.values()))) for p in _PARTS if i < len(by_part[p])]
    evidence = pack_evidence([_passage(c, settings.passage_chars) for c in picked], settings.material_tokens)
    return sorted(evidence, key=lambda ev: ev.chunk.start)


def _matching_form(text: str) -> str:
    return "".join(normalize(text).split())  # one punctuation style, no line breaks (PDF text wraps)


def copied_run(text: str, source: str) -> str:
    """The longest run of ``text`` that ``source`` holds word for word (in matching form)."""
    t, s = _matching_form(text), _matching_form(source)
    best = ""
    for i in range(len(t)):
        j = i + len(best) + 1  # only a longer run matters
        if j > len(t):
            break
        if t[i:j] not in s:
            continue
        while j < len(t) and t[i : j + 1] in s:
            j += 1
        best = t[i:j]
    return best


def whole_sentences(raw: str) -> str:
    """The reply up to its last finished sentence (and the citation after it); as is when none finished."""
    m = _LAST_SENTENCE.match(raw.strip())
    return m.group(1) if m else raw.strip()


def stream_overview(report: Report, model, settings: SummarySettings) -> Iterator[SummaryStep | str | Overview]:
    """``WRITING``, the model's text as it comes (raw, with its [ev-…] ids), ``CHECKING``; ``REWRITING`` and
    the second reply when the first copied the report or cited nothing; the ``Overview`` last."""
    evidence = overview_material(report, settings)
    if not evidence:
        yield Overview(None, note="报告没有可供概述的段落。")
        return
    messages = load_prompt("summary").render(
        report_label=report.meta.label, evidence=evidence_block(evidence), copy_limit=settings.copy_max_chars
    )
    started = time.monotonic()
    result = Overview(None)
    for step in (WRITING, REWRITING):
        if step is REWRITING:
            spent = time.monotonic() - started
            if spent > settings.deadline_s - spent:  # a second try would not end within the budget
                if result.text is None:
                    result.note = f"概述照抄了原文 {result.copied_chars} 字, 来不及让模型改写, 不显示概述。"
                break
        yield step
        result.attempts += 1
        raw = []
        try:
            for delta in model.stream(messages, max_tokens=settings.overview_max_tokens):
                raw.append(delta)
                yield delta
        except AssistantError as exc:
            result.note = f"概述未生成: {exc}"
            break
        yield CHECKING
        reply = whole_sentences("".join(raw))
        checked = check_reply(reply, evidence)
        if checked.refused:
            result.note = result.note if result.text else "模型没有给出概述。"
            break
        text = _JOINED_MARKS.sub(r"\1", checked.text)  # [1]、[2] → [1][2]
        copied = copied_run(_MARKS.sub("", text), report.text)
        result.copied_chars = len(copied)
        if len(copied) > settings.copy_max_chars:
            if result.text is None:  # (an earlier one that only lacked citations is kept)
                result.note = f"模型两次都照抄了原文(最长 {len(copied)} 字), 不显示概述。"
            problem = f"照抄了报告原文“{copied}”({len(copied)}字)"
        else:
            result.text, result.citations, result.ungrounded = text, checked.citations, checked.ungrounded
            result.note = "概述没有引用任何段落, 请谨慎使用。" if checked.uncited else ""
            if not checked.uncited:
                break
            problem = "没有在句末标注所依据的材料编号"
        messages = messages + [
            {"role": "assistant", "content": reply},
            *load_prompt("summary_rewrite").render(problem=problem, copy_limit=settings.copy_max_chars),
        ]
    yield result
