"""Code's last word on a checked reply: keep it, repair it, replace it by the report's own sentence, or refuse.

The guards after the model run in a fixed order and the first that acts decides (see ``guards``). A
refusal by the model stays one. Whatever acts, the verdict names the guard and says why. A reply no guard
touched whose figure is uncited (or cited to a passage without it) is cited to the passage that gives it on
the asked topic, marked as code's match: it is kept, so it should be traceable.
"""

from __future__ import annotations

from assistant.answers import guards, quote
from assistant.answers.citations import CheckedText, cited_by_code
from assistant.answers.guards import Verdict
from assistant.answers.question import Question
from assistant.settings import GuardSettings, get_settings
from assistant.types import Evidence


def settle(question: Question, checked: CheckedText, evidence: list[Evidence], reply: str = "",
           limits: GuardSettings | None = None) -> tuple[CheckedText, Verdict | None]:
    """``checked`` is ``citations.check_reply(reply, evidence)``; ``reply`` the model's text as written."""
    limits = limits or get_settings().guards
    if checked.refused:
        return checked, None
    for step in (
        lambda: guards.echo(question, checked, reply),
        lambda: guards.dump(question, checked, evidence, limits),
        lambda: guards.instruction(question, checked, evidence, limits),
        lambda: guards.narrower(question, checked, evidence, limits),
        lambda: guards.invented_count(question, checked, evidence, limits),
        lambda: guards.quote_over(question, checked, evidence, limits),
    ):
        outcome = step()
        if outcome is not None:
            return outcome
    if (checked.uncited or checked.ungrounded) and question.asks_figure and reply and not checked.invented_ids:
        # Kept as it is, but it should not stay uncited (or cite a passage without its figure) when code can
        # tell where its figure is given.
        source = quote.source_of(question, checked.text, evidence, limits)
        if source is not None:
            checked = cited_by_code(reply, source, evidence, limits)
    return checked, guards.header_repair(checked)
