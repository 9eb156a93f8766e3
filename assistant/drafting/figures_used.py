"""Material that is given must show up: every figure of the user's material is stated in the draft where
its topic belongs (the unit its passage was routed to), or listed as unused.

A unit's paragraph that leaves out a figure of its own material passages gets the material clause holding
it appended in the user's words; figures of passages no unit was given are listed in ``Draft.unused_figures``
(shown in the UI, the CLI and the Markdown/Word appendix).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.drafting.checks import PLACEHOLDER, figure_clauses
from assistant.drafting.material import Passage
from assistant.figures import find_figures, same_figure
from assistant.types import Draft, Figure


def _stated(fig: Figure, text: str) -> bool:
    return any(same_figure(fig, f) for f in find_figures(PLACEHOLDER.sub("", text)))


def add_material_figures(text: str, passages: Sequence[Passage]) -> tuple[str, list[str]]:
    """``text`` with the clauses of ``passages`` whose figures it leaves out appended (one sentence, the
    user's words); returns the new text and the figures added."""
    missing, added = [], []
    for passage in passages:
        for clause, figures in figure_clauses(passage.text):
            lost = [f.text for f in figures if not _stated(f, text)]
            if lost and clause not in missing:
                missing.append(clause)
                added += lost
    if not missing:
        return text, []
    sentence = "，".join(missing) + "。"
    tail = re.search(r"(?:〔待补充[:：][^〕]*〕)+$", text)  # keep the visible gaps at the end
    if tail and not text[: tail.start()].strip():
        return sentence + text, added
    if tail:
        return text[: tail.start()] + sentence + text[tail.start():], added
    return text + sentence, added


def unused_material_figures(draft: Draft, passages: Sequence[Passage]) -> list[str]:
    """Each material clause with a figure the draft does not state: “调解成功率95%(材料1第5段)”."""
    body = "\n".join(p.heading + p.text for s in draft.sections for p in s.paragraphs)
    out = []
    for passage in passages:
        for clause, figures in figure_clauses(passage.text):
            if any(not _stated(f, body) for f in figures):
                out.append(f"{clause}({passage.label.strip()})")
    return out
