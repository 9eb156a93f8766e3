"""Prompts are files in ``prompts/`` (Chinese), loaded as LangChain ``ChatPromptTemplate``s.

File format: an optional front block of ``# key: value`` lines, then the template text.
``# system`` / ``# user`` / ``# assistant`` lines split a chat prompt into messages. Placeholders use
``{name}``; literal braces are written ``{{`` and ``}}`` (f-string rules, which LangChain's templates share).

The files are the one source: ``Prompt.template`` is the ``ChatPromptTemplate`` a LangChain user composes
(``load_prompt("qa").template | chat_model``), and ``Prompt.render`` fills that same template and hands
the project's code OpenAI-style message dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from assistant.errors import AssistantError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
# LangChain's message types → the OpenAI roles our ChatModel speaks.
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}
_LC_ROLES = {"system": "system", "user": "human", "assistant": "ai"}


@dataclass(frozen=True)
class Prompt:
    name: str
    messages: tuple[tuple[str, str], ...]  # (role, template) as written in the file
    template: ChatPromptTemplate = field(compare=False, repr=False)

    @property
    def placeholders(self) -> set[str]:
        return set(self.template.input_variables)

    def render(self, **values: object) -> list[dict[str, str]]:
        """Fill every placeholder; a missing or unexpected value is a programming error, said loudly."""
        missing = self.placeholders - values.keys()
        extra = values.keys() - self.placeholders
        if missing or extra:
            raise AssistantError(f"prompt {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return [{"role": _ROLES[m.type], "content": m.content} for m in self.template.format_messages(**values)]


@lru_cache(maxsize=None)
def load_prompt(name: str) -> Prompt:
    path = PROMPTS_DIR / f"{name}.md"
    if not path.exists():
        raise AssistantError(f"prompt file not found: {path}")
    messages: list[tuple[str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        marker = line.strip().lower()
        if marker in ("# system", "# user", "# assistant"):
            messages.append((marker[2:], []))
        elif messages:
            messages[-1][1].append(line)
        elif line.strip():
            messages.append(("user", [line]))
    if not messages:
        raise AssistantError(f"prompt file is empty: {path}")
    written = tuple((role, "\n".join(lines).strip()) for role, lines in messages)
    try:
        template = ChatPromptTemplate.from_messages(
            [(_LC_ROLES[role], text) for role, text in written], template_format="f-string"
        )
    except (ValueError, KeyError) as exc:
        raise AssistantError(f"prompt {name}: not a valid template ({exc})") from exc
    return Prompt(name, written, template)
