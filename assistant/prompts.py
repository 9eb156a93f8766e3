"""Prompts are files in ``prompts/`` (Chinese). Each file declares the placeholders it needs.

File format: an optional front block of ``# key: value`` lines, then the template text.
``# system`` / ``# user`` lines split a chat prompt into messages. Placeholders use ``{name}``;
literal braces are written ``{{`` and ``}}`` (str.format rules).
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import AssistantError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    messages: tuple[tuple[str, str], ...]  # (role, template)

    @property
    def placeholders(self) -> set[str]:
        names = set()
        for _, template in self.messages:
            names |= {f for _, f, _, _ in string.Formatter().parse(template) if f}
        return names

    def render(self, **values: object) -> list[dict[str, str]]:
        """Fill every placeholder; a missing or unexpected value is a programming error, said loudly."""
        missing = self.placeholders - values.keys()
        extra = values.keys() - self.placeholders
        if missing or extra:
            raise AssistantError(f"prompt {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        return [{"role": role, "content": template.format(**values)} for role, template in self.messages]


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
    return Prompt(name, tuple((role, "\n".join(lines).strip()) for role, lines in messages))
