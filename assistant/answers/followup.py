"""Follow-up questions ("那徐行镇呢?", "2023年呢?", "化解率呢?") turned into standalone questions.

Retrieval needs a question that stands on its own. Where a short follow-up only names another body or
year, the previous question is reused with that body or year swapped in — exact and free. Anything
else that leans on the conversation (它/该/这些…, or a bare "化解率呢?") goes to the condense prompt.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from assistant.answers.question import parse_question
from assistant.lexicon import YEAR, body_aliases
from assistant.prompts import load_prompt

log = logging.getLogger(__name__)

History = Sequence[tuple[str, str]]  # (question, answer text), oldest first
Catalog = Sequence[tuple[str, int]]  # (body, year) of every report in the library

# Openers and endings that mark a follow-up: 那徐行镇呢? 还有柱山乡? 那么2023年的呢?
_LEAD = re.compile(r"^(?:其中|那么|那|还有|再看看?|再问|换成|改成|如果是|至于|以及|和|跟)")
_TAIL = re.compile(r"(?:的情况|的|呢|怎么样|如何|又如何|又怎样|是多少|有多少|[?？。!！\s])*$")
# Words that point back into the conversation.
_DEIXIS = re.compile(r"它|其(?![中他余实])|该(?:县|镇|乡|单位|报告|项|措施)|这(?:个|些|项|份|一)|那(?:个|些|项|份)|上述|以上|前面|刚才|同样|他们|分别")
SHORT_FOLLOWUP = 16  # characters; longer questions are assumed to say what they mean
CONDENSE_MAX_TOKENS = 96


def is_followup(question: str) -> bool:
    q = question.strip()
    return bool(_LEAD.match(q) or q.endswith(("呢", "呢?", "呢？")) or _DEIXIS.search(q))


def _surfaces(org: str) -> list[str]:
    return sorted([org, *body_aliases(org)], key=len, reverse=True)


def swap_entities(previous: str, followup: str, catalog: Catalog) -> str | None:
    """Previous question with the body/year the follow-up names swapped in; None when that is not enough.

    Only applies when the follow-up, once its body, year and filler words are removed, says nothing
    else ("那徐行镇呢?" → ""), so no part of its meaning can be lost.
    """
    new_orgs = list(parse_question(followup, catalog).bodies)
    new_years = [int(m.group(1)) for m in YEAR.finditer(followup)]
    if not new_orgs and not new_years:
        return None
    rest = followup.strip()
    for org in new_orgs:
        for s in _surfaces(org):
            rest = rest.replace(s, "")
    rest = YEAR.sub("", rest).replace("年度", "").replace("年", "")
    rest = _TAIL.sub("", _LEAD.sub("", rest.strip())).strip("、,， ")
    if rest:
        return None  # it asks something new as well ("徐行镇的化解率呢?"): leave it to the condense prompt

    question = previous
    if new_orgs:
        old_orgs = parse_question(previous, catalog).bodies
        replaced = False
        for org in old_orgs:
            for s in _surfaces(org):
                if s in question:
                    question = question.replace(s, "、".join(new_orgs), 1)
                    replaced = True
                    break
            if replaced:
                break
        if not replaced:
            question = "、".join(new_orgs) + question
    if new_years:
        years = "、".join(str(y) for y in new_years)
        question = YEAR.sub(years, question, count=1) if YEAR.search(question) else f"{years}年" + question
    return question


def condense(question: str, history: History, model) -> str:
    """The condense prompt: the model rewrites the follow-up. Falls back to the question as asked."""
    turns = "\n".join(f"问: {q}\n答: {a[:300]}" for q, a in history[-3:])
    messages = load_prompt("condense").render(history=turns, question=question)
    try:
        reply = model.complete(messages, max_tokens=CONDENSE_MAX_TOKENS, temperature=0)
    except Exception as exc:  # a failed rewrite must not lose the user's question
        log.warning("condense failed, using the question as asked: %s", exc)
        return question
    line = next((ln.strip() for ln in reply.strip().splitlines() if ln.strip()), "")
    line = re.sub(r"^(?:改写|问题|独立问题)\s*[:：]\s*", "", line).strip("“”\"' ")
    if not line or len(line) > 200:
        return question
    return line


def resolve_question(question: str, history: History | None, catalog: Catalog, model=None) -> str:
    """A standalone form of ``question`` given the conversation so far (oldest turn first). ``catalog``:
    the (body, year) of every report in the library."""
    question = question.strip()
    if not history or not is_followup(question):
        return question
    # The base is the last question that stood on its own, with later rule-based swaps applied.
    base = history[0][0]
    for earlier, _ in history[1:]:
        if is_followup(earlier):
            base = swap_entities(base, earlier, catalog) or base
        else:
            base = earlier
    swapped = swap_entities(base, question, catalog)
    if swapped:
        return swapped
    if model is None:
        return question
    return condense(question, history, model)
