"""Which sentences of the passages are about the question, and the one code quotes when the model fails.

A sentence is *on topic* when it holds a good share of one of the question's topic words (its distinctive
bigrams: those not found in most passages shown — 行政, 执法 … are in nearly every one), or most of the
characters of its topic words ("受理信访" → "共处理群众来信来访83件": the report says it in other words). The guards use this to
tell a figure the reports give on the asked topic (never refused) from one about something else; the
quote fallback uses it to find the sentence that answers a count question the model did not answer.

``sure_quote`` is stricter, because it answers before any model is asked: a question asking one figure is
answered with the report's own clause only when every topic word of the question stands in the clause
that gives the figure, and every such clause in the passages gives one and the same figure of the unit
asked ("接待法律咨询3140人次,…,指派值班律师…65人次": only the first clause is about 接待法律咨询), and no
clause gives a total over a list the question names only part of ("投诉、举报、咨询共5187件" for 投诉). A
question asking several figures ("…多少件?调解成功率是多少?") is read as one sub-question per figure, each
needing its own sure clause, all from one report. Anything less sure goes to the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from assistant.answers.evidence import citation_for
from assistant.answers.question import Kind, Question, parse_question
from assistant.figures import find_figures, same_figure, ungrounded_figures, units_compatible
from assistant.ingest.instructions import find_instructions
from assistant.lexicon import HOW_ASKED, PLAN_SENTENCE, SENTENCE, answers_unit, char_share, only_verbs, terms
from assistant.settings import GuardSettings
from assistant.textnorm import simplified
from assistant.types import Citation, Evidence, Figure, Part


def distinctive_topic(question: Question, shown: list[str], limits: GuardSettings) -> set[str]:
    """The question's topic bigrams, less those found in most passages shown (when enough are shown)."""
    topic = question.topic_bigrams
    shown = [simplified(t) for t in shown]
    if len(shown) >= limits.distinctive_min_passages:
        topic -= {b for b in topic if sum(b in t for t in shown) > limits.distinctive_share * len(shown)}
    return topic


def on_topic(sentence: str, question: Question, topic: set[str], limits: GuardSettings, words_in: str = "") -> bool:
    """Whether ``sentence`` is about what ``question`` asks (see the module docstring). ``topic``: the
    question's distinctive bigrams (``distinctive_topic``). ``words_in``: the part of the sentence whose
    characters must say the topic in other words (the clause giving a figure; default the whole sentence —
    a long sentence holds half the characters of almost anything)."""
    sentence = simplified(sentence)  # 糾紛 in a traditional-character report is 纠纷, 茶葉市場 茶叶市场
    words = [{w[i : i + 2] for i in range(len(w) - 1)} & topic for w in question.topic]
    long_words = [w for w, text in zip(words, question.topic) if len(text) >= 3 and w]
    if long_words:
        covered = any(sum(b in sentence for b in w) >= limits.topic_word_coverage * len(w) for w in long_words)
    else:  # only two-character words: any of them will do
        covered = any(b in sentence for w in words for b in w)
    chars = simplified(words_in) if words_in else sentence
    return covered or (bool(question.topic_chars) and char_share(question.topic_chars, chars) >= limits.topic_char_share)


def unmentioned_terms(question: Question, evidence: list[Evidence]) -> list[str]:
    """The words of the question's topic (``Question.topic_terms``) that no passage holds, how it asks
    (``lexicon.HOW_ASKED``) and bare verbs aside: "查处价格违法案件" over passages on 投诉举报 lacks 价格."""
    shown = [simplified(ev.chunk.text) for ev in evidence]
    how = "|".join(sorted(HOW_ASKED, key=len, reverse=True))
    own = [re.escape(f.text) for f in find_figures(question.text)]  # "超过百分之九十七": its own figure is no topic
    pieces = [p for word in question.topic for p in re.split("|".join([how, *own]), word) if len(p) >= 2]
    words = dict.fromkeys(t for p in pieces for t in terms(p) if not only_verbs(t))  # 新添 for 新增: reports
    return [w for w in words if not any(simplified(w) in text for text in shown)]  # vary verbs, not things


def answer_figures(question: Question, text: str) -> list[Figure]:
    """The figures an answer states (years and the question's own figures left out)."""
    asked = find_figures(question.text)
    return [f for f in find_figures(text) if f.unit != "年" and not any(same_figure(f, a) for a in asked)]


def of_kinds_asked(question: Question, figures: list[Figure]) -> list[Figure]:
    """Those of ``figures`` whose unit answers a unit the question asks (``Question.figure_units``); all of them
    when it names none."""
    kinds = question.figure_units
    return [f for f in figures if not kinds or (f.unit and any(answers_unit(f.unit, u) for u in kinds))]


def sentences_with(fig: Figure, texts: list[str]) -> list[str]:
    """The sentences of ``texts`` that give ``fig`` (same value, compatible unit)."""
    return [s for t in texts for s in SENTENCE.findall(t) if any(same_figure(fig, f) for f in find_figures(s))]


def figure_on_topic(fig: Figure, question: Question, texts: list[str], topic: set[str], limits: GuardSettings) -> bool:
    """Whether some passage gives ``fig`` in a sentence on the question's topic: then the figure is one the
    reports give for what was asked, and no guard may refuse it. The sentence may leave to its paragraph what
    the paragraph already said ("街道综合行政执法队…。…立案查处违法行为87件，罚款16.4万元。" is the 综合执法
    罚款): see ``in_context``."""
    counted = simplified(question.counted)
    for t in texts:
        for s in sentences_with(fig, [t]):
            clause = clause_with(fig, s)
            if gives_rate_asked(fig, clause, question) and (
                    on_topic(s, question, topic, limits, clause)
                    or in_context(s, t, question, limits.topic_term_coverage)
                    or (counted and counted in simplified(clause))):  # 罚款9.6万元 for "…罚款多少钱?"
                return True
    return False


def gives_rate_asked(fig: Figure, clause: str, question: Question) -> bool:
    """False for a percentage whose clause does not name the rate the question asks (``Question.rate_asked``):
    "纠错率是多少?" is not answered by "申请量同比增长37%" in a sentence on 行政复议. True for anything else."""
    rate = question.rate_asked
    return not rate or fig.unit != "%" or simplified(rate) in simplified(clause)


def source_of(question: Question, text: str, evidence: list[Evidence], limits: GuardSettings) -> Evidence | None:
    """The passage an uncited answer's figures come from, judged by what was asked rather than by wording
    (an answer that echoes "柏阳市监局23年执法终端一共配了24台" shares few words with "配备执法终端24台"): the
    best-ranked passage that holds every figure of the answer and gives each of those of the unit asked in
    a sentence holding every topic word (``covers_topic``), in the item of that sentence that names most of
    the topic ("执法终端24台", not "执法记录仪56台" beside it). None when the answer gives no such figure or
    no passage does."""
    asked = of_kinds_asked(question, answer_figures(question, text))
    if not asked:
        return None
    for ev in evidence:
        if not ungrounded_figures(text, [ev.chunk.text]) and all(
                any(covers_topic(s, question, limits.topic_term_coverage) and _named_best(fig, s, question)
                    for s in sentences_with(fig, [ev.chunk.text])) for fig in asked):
            return ev
    return None


def _named_best(fig: Figure, sentence: str, question: Question) -> bool:
    """Whether the item of ``sentence`` giving ``fig`` names more of the question's topic than every other
    item giving a figure of its kind, and the rate asked when it is a percentage (``gives_rate_asked``)."""
    def named(item: str) -> int:
        item = simplified(item)
        return sum(b in item for b in question.topic_bigrams)

    items = [i for i in ITEM.findall(sentence)
             if any(f.unit and fig.unit and units_compatible(f.unit, fig.unit) for f in find_figures(i))]
    own = [i for i in items if any(same_figure(fig, f) for f in find_figures(i))]
    if not own or not gives_rate_asked(fig, own[0], question):
        return False
    return named(own[0]) > max((named(i) for i in items if i not in own), default=0)


def clause_with(fig: Figure, sentence: str) -> str:
    """The clause of ``sentence`` that gives ``fig`` ("共处理群众来信来访83件"); the sentence when none does alone."""
    return next((c for c in CLAUSE.findall(sentence) if any(same_figure(fig, f) for f in find_figures(c))), sentence)


_LEAD_CHARS = 24  # a sentence this short before an item is its lead ("二是开展两轮案卷评查。"), not another item


def in_context(sentence: str, passage: str, question: Question, coverage: float) -> bool:
    """Whether ``sentence`` holds the head (last word) of one of the question's compound topic words and, with what its
    paragraph says it is about, at least ``coverage`` of that topic word's words (``Question.topic_terms``,
    how it asks aside): 综合执法罚款金额 → 罚款 in the sentence, 综合 and 执法 in the paragraph's opening
    sentence ("街道综合行政执法队…"). What the paragraph is about is its first sentence and the sentence just
    before when it is short (an item's lead: "二是开展两轮案卷评查。"); a word elsewhere is another item's, not this one's
    (特种设备 in "…;检查特种设备使用单位683家次" says nothing of the 100% before it)."""
    said = [simplified(s) for s in SENTENCE.findall(passage)]
    sentence = simplified(sentence)
    at = next((i for i, s in enumerate(said) if sentence in s or s in sentence), None)
    lead = " ".join(said[:1] + ([said[at - 1]] if at and len(said[at - 1]) <= _LEAD_CHARS else []))
    for words in question.topic_terms:
        words = tuple(w for w in words if w not in HOW_ASKED)
        if len(words) >= 2 and words[-1] in sentence \
                and sum(w in sentence or w in lead for w in words) >= coverage * len(words):
            return True  # the head (罚款, 评查) in the sentence, the rest said before
    return False


def topical_figures(question: Question, shown: list[str], topic: set[str], limits: GuardSettings) -> list[Figure]:
    """Figures the passages give in sentences on the question's topic: what a right answer could be."""
    return [f for t in shown for s in SENTENCE.findall(t) if on_topic(s, question, topic, limits)
            for f in find_figures(s) if f.unit != "年"]


def quoted_answer(question: Question, evidence: list[Evidence], limits: GuardSettings) -> tuple[str, list[Citation]] | None:
    """The report sentences that answer a count question — one per unit asked ("多少件…?罚没款多少?" → the
    sentence with 件 and the one with 元, or one sentence with both) — with their citations, marked as code's
    choice; None when none clearly does. A sentence must give a figure of the unit asked (any, when the
    question names none), be on the question's topic (``on_topic``), share at least
    ``limits.quote_min_topic_bigrams`` distinctive topic bigrams with it, and not be a plan (the 安排 part, or a
    target sentence: ``lexicon.PLAN_SENTENCE``) unless the question asks about plans — then a plan outranks
    any other sentence (the earlier report of "2023年报告定的目标是多少?2024年实际做到了多少?")."""
    topic = distinctive_topic(question, [ev.chunk.text for ev in evidence], limits)
    wanted = list(dict.fromkeys(question.figure_units)) or [None]
    plans = Part.PLANS in question.parts  # asked what was planned: a target outranks the year's result
    picks: list[tuple[str, Evidence]] = []
    for unit in wanted:
        if any(unit and any(answers_unit(f.unit, unit) for f in find_figures(s) if f.unit) for s, _ in picks):
            continue  # a sentence already quoted gives this one too
        best: tuple[tuple[bool, int, int], str, Evidence] | None = None
        for rank, ev, sentence in _result_sentences(question, evidence):
            score = sum(b in simplified(sentence) for b in topic)
            clause = next((c for c in CLAUSE.findall(sentence)
                           if any(gives_rate_asked(f, c, question) for f in _figures_of(c, unit))), "")
            if not clause or score < limits.quote_min_topic_bigrams or not on_topic(sentence, question, topic, limits, clause):
                continue
            key = (plans and (ev.chunk.part == Part.PLANS or bool(PLAN_SENTENCE.search(sentence))), score, -rank)
            if (sentence, ev) not in picks and (best is None or key > best[0]):
                best = (key, sentence, ev)
        if best is not None:
            picks.append((best[1], best[2]))
    return cited_quotes(picks) if picks else None


def cited_quotes(picks: list[tuple[str, Evidence]]) -> tuple[str, list[Citation]]:
    """The report's own sentences or clauses, each marked with the citation of its passage ([1], [2] … one per
    passage) and marked as code's choice, joined into one answer; a clause picked twice is quoted once."""
    citations: list[Citation] = []
    parts: list[str] = []
    for text, ev in picks:
        if ev.id not in [c.evidence_id for c in citations]:
            citations.append(replace(citation_for(ev), matched_by_code=True))
        quoted = f"{text.strip().rstrip('。；;！？!?,，')}[{[c.evidence_id for c in citations].index(ev.id) + 1}]"
        if quoted not in parts:
            parts.append(quoted)
    return "；".join(parts) + "。", citations


def covers_topic(sentence: str, question: Question, coverage: float) -> bool:
    """Whether ``sentence`` holds every topic word of ``question`` (at least ``coverage`` of each word's
    character bigrams): "受理法律援助案件" is in "受理法律援助案件120件", "刑事案件法律援助" is not."""
    sentence = simplified(sentence)
    for word in (w for w in question.topic if w not in HOW_ASKED):  # "…定的目标是多少?": 目标 is how it asks
        bigrams = {word[i : i + 2] for i in range(len(word) - 1)}
        if not bigrams or sum(b in sentence for b in bigrams) < coverage * len(bigrams):
            return False
    return bool(question.topic)


def sure_quote(question: Question, evidence: list[Evidence], coverage: float) -> tuple[str, list[Citation]] | None:
    """The report's own clause that gives each figure a question asks about one named body, cited — when it
    is sure (see the module docstring); None otherwise. One figure (one 多少/几, its unit known), or one per
    sub-question ("…多少件?调解成功率是多少?": each its own sure clause, all from one report). Plans are left
    out as in ``quoted_answer``: a target is not what a year achieved."""
    if question.kind is not Kind.FIGURE or len(question.bodies) != 1 or not evidence or not question.units:
        return None
    asks = [question] if len(question.units) == 1 else sub_questions(question)
    found = [_sure_clause(ask, evidence, coverage) for ask in asks]
    if not found or any(f is None for f in found):
        return None
    for ask, (clause, _) in zip(asks, found):
        # Another half, asking another unit, whose clause gives a different figure of this half's unit
        # ("减税降费1420户1500万元" when "金额多少?" found 7800万元 elsewhere): which amount is meant is the model's call.
        own = _figures_of(clause, ask.units[0])
        others = [c for other, (c, _) in zip(asks, found) if c != clause and other.units[0] != ask.units[0]]
        if any(not same_figure(f, own[0]) for c in others for f in _figures_of(c, ask.units[0])):
            return None
    if len({(ev.chunk.org, ev.chunk.year) for _, ev in found}) != 1:
        return None  # the halves answered from two reports: which year is meant is the model's call
    return cited_quotes(found)  # one clause that gives both figures is quoted once


def sub_questions(question: Question) -> list[Question]:
    """A question asking several figures as several questions ("…多少件?化解率多少?"), each read on its own
    with the whole question's body; empty unless each of them asks exactly one figure of a known unit."""
    parts = [p for p in re.split(r"[?？;；]", question.text) if p.strip()]
    if len(parts) != len(question.units):
        return []
    asks = [replace(parse_question(p, question.catalog), bodies=question.bodies) for p in parts]
    return asks if all(len(a.units) == 1 and a.topic for a in asks) else []


def _sure_clause(question: Question, evidence: list[Evidence], coverage: float) -> tuple[str, Evidence] | None:
    """The clause that surely gives the one figure ``question`` asks, and its passage; None when no clause
    covers the question's topic, or clauses that do give different figures (then the model reads them)."""
    unit = question.units[0]
    found: list[tuple[str, Evidence, list[Figure]]] = []
    for _, ev, sentence in _result_sentences(question, evidence):
        for clause in CLAUSE.findall(sentence):
            figures = _figures_of(clause, unit)
            if figures and covers_topic(clause, question, coverage) and not total_of_others(clause, question):
                found.append((clause.strip(), ev, figures))
    figures = [f for _, _, fs in found for f in fs]
    if not found or any(not same_figure(f, figures[0]) for f in figures[1:]):
        return None  # nothing sure, or two figures that could be the answer: the model reads the passages
    if len({(ev.chunk.org, ev.chunk.year) for _, ev, _ in found}) != 1:
        return None  # the same figure in two reports: which year is meant is the model's (or the user's) call
    if any(find_instructions(ev.chunk.text) for _, ev, _ in found):
        return None  # a paragraph that speaks to an AI is not quoted as the answer: the instruction guard decides
    return found[0][0], found[0][1]


def _result_sentences(question: Question, evidence: list[Evidence]) -> Iterator[tuple[int, Evidence, str]]:
    """(rank, evidence, sentence) of the sentences that may state what a report year achieved, best evidence
    first: the 安排 part ("不少于10场次" in next year's plans) and target sentences elsewhere ("力争调解成功率
    达到95%以上", ``lexicon.PLAN_SENTENCE``) are left out unless the question asks about plans."""
    plans_asked = Part.PLANS in question.parts or bool(question.plan_years)
    for rank, ev in enumerate(evidence):
        if ev.chunk.part == Part.PLANS and not plans_asked:
            continue
        for sentence in SENTENCE.findall(ev.chunk.text):
            if plans_asked or not PLAN_SENTENCE.search(sentence):
                yield rank, ev, sentence


def _figures_of(text: str, unit: str | None) -> list[Figure]:
    """The figures ``text`` gives (years left out) of the kind ``unit`` asks for; any, when ``unit`` is None."""
    figures = [f for f in find_figures(text) if f.unit != "年"]
    return [f for f in figures if f.unit and answers_unit(f.unit, unit)] if unit else figures


def total_of_others(clause: str, question: Question) -> bool:
    """Whether ``clause`` gives a total over a list of things the question does not all ask about
    ("受理消费者投诉、举报、咨询共5187件" for 投诉 alone: the count of 投诉 is another figure)."""
    m = _LIST_TOTAL.search(clause)
    if not m:
        return False
    topic = question.topic_bigrams
    items = [simplified(i) for i in m.group(1).split("、")]
    return any(not any(b in item for b in topic) for item in items)


# A 、-list, then the word that makes the figure after it their sum: "投诉、举报、咨询共5187件".
_LIST_TOTAL = re.compile(r"([^、,，:：]+(?:、[^、,，:：]+)+?)(?:共计|合计|总计|累计|共)\s*\d")
# A clause: a sentence's run between commas or colons (not 、, which joins the items of one list).
CLAUSE = re.compile(r"[^,，:：]+")
ITEM = re.compile(r"[^,，:：;；、。]+")  # a clause or list item: "执法终端24台" of "配备执法记录仪56台、执法终端24台"
