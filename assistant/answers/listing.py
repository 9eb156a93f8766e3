"""Questions asking for a report's whole list of 不足, 原因 or 安排, answered by code from its own items.

"泾源县存在哪些问题和不足?" has an exact answer: the items ingestion found in the report's 不足 part.
Measured with the 1.5B model on sample-qa, such questions got paraphrased, partly invented or uncited
lists (5 of 8 failed). Read off the report, every item is the report's own words with its passage cited,
and no model is needed. A question that narrows the list ("…在执法人员方面存在什么不足?") is left to
the model.
"""

from __future__ import annotations

import re

from assistant.answers.evidence import citation_for
from assistant.answers.question import Question
from assistant.figures import ungrounded_figures
from assistant.types import Answer, Chunk, Citation, Evidence, Item, Part, Report, SearchFilter

LISTED = {Part.SHORTCOMINGS: "不足", Part.CAUSES: "原因", Part.PLANS: "安排"}
_SENTENCE_END = re.compile(r"[。；;]")  # an item's first sentence ends at 。 or ；, not at a comma
DESCRIPTION_CHARS = 80


def pick_report(catalog: list, question: Question, part: Part, given: SearchFilter | None = None):
    """The catalog entry of the one report the question is about: one body (the filter's, when given), its
    named year (a plan year reads the report of the year before), else its latest report."""
    orgs = (given.orgs if given is not None and given.orgs else None) or list(question.bodies)
    if len(orgs) != 1:
        return None
    own = sorted((e for e in catalog if e.org == orgs[0]), key=lambda e: e.year)
    if not own:
        return None
    years = (given.years if given is not None and given.years else None) or [*question.report_years, *question.plan_years]
    for year in years:
        for e in own:
            if e.year == year or (part == Part.PLANS and e.year == year - 1):
                return e
    return own[-1]


def describe(item: Item) -> str:
    """An item in a line, in the report's words: its title and the first sentence after it when it has a title
    line ("（一）推动物业矛盾源头治理：推进“红色物业”建设，年内新组建业主委员会5个…" — a title alone says what
    the item is about, not what it says), else its first sentence ("1、对法治建设重视程度还不够,部分干部…")."""
    head, body = item.heading.strip(), item.text.strip()
    titled = (
        len(re.sub(r"^[(（]?[一二三四五六七八九十\d]+[)）、.是]?", "", head)) >= 4
        and body.startswith(head)
        and (len(body) == len(head) or body[len(head)] in " \t\n\u3000。")
    )
    if not titled:
        return _clip(_SENTENCE_END.split(body, maxsplit=1)[0])
    after = _clip(_SENTENCE_END.split(body[len(head) :].lstrip(" \t\n\u3000。"), maxsplit=1)[0])
    return head.rstrip("。;；,，") + (f"：{after}" if after else "")


def _clip(text: str) -> str:
    """``text`` without its end mark, cut to DESCRIPTION_CHARS (never inside a figure)."""
    text = text.strip().rstrip("。;；,，")
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = DESCRIPTION_CHARS
    while cut > 0 and text[cut - 1].isdigit() and text[cut].isdigit():
        cut -= 1  # never cut a figure in two (2600… for 26000)
    return text[:cut] + "…"


def list_answer(question: str, report: Report, part: Part, chunks: list[Chunk]) -> Answer | None:
    """The report's items of ``part``, each cited to the passage that holds it; None without items."""
    items = report.items_of(part)
    if not items:
        return None
    evidence: list[Evidence] = []
    citations: list[Citation] = []
    lines = []
    for item in items:
        chunk = next((c for c in chunks if c.report_id == report.id and c.start <= item.start < c.end), None)
        if chunk is None:
            return None  # the store and the report disagree: let retrieval and the model answer
        ev_id = Evidence.make_id(chunk.id)
        if ev_id not in {e.id for e in evidence}:
            evidence.append(Evidence(ev_id, chunk, 1.0))
            citations.append(citation_for(evidence[-1]))
        number = [e.id for e in evidence].index(ev_id) + 1
        lines.append(f"{describe(item)}[{number}]")
    meta = report.meta
    # No "共N条": a count code adds is a figure no quote holds; the list shows how many there are.
    text = f"{meta.org}{meta.year}年度报告列出的{LISTED[part]}:" + ";".join(lines) + "。"
    ungrounded = ungrounded_figures(text, [c.quote for c in citations])
    return Answer(question=question, text=text, citations=citations, evidence=evidence, ungrounded=ungrounded,
                  note=f"以上各条由程序从报告的“{LISTED[part]}”部分逐条摘录(原文措辞),未经模型改写。")
