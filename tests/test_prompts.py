"""Every prompt file in prompts/ loads, and gets exactly the placeholders the code passes.

The code is read, not imported: every ``load_prompt("name").render(a=…, b=…)`` (chained, or through a
local variable) anywhere in the project is found with ``ast``, so prompt files and callers added by
anyone are checked without editing this test. A file rendered only with ``**values`` (the drafting
writer picks values by ``prompt.placeholders``) cannot be checked statically; it must still load,
render, and be named somewhere in the code (no orphan prompt files).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.prompts import PROMPTS_DIR, load_prompt

REPO = Path(__file__).resolve().parent.parent
CODE_DIRS = ("assistant", "vectorstore", "evals", "ui", "bench")
PROMPT_FILES = sorted(p.stem for p in PROMPTS_DIR.glob("*.md"))


@dataclass
class RenderCall:
    prompt: str
    keywords: set[str]
    dynamic: bool  # has **kwargs: the exact set is decided at run time
    where: str


def _python_files():
    for d in CODE_DIRS:
        yield from sorted((REPO / d).rglob("*.py"))


def _prompt_name(node: ast.AST, local: dict[str, str]) -> str | None:
    """'qa' for load_prompt("qa") or for a variable assigned from it."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "load_prompt":
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            return node.args[0].value
    if isinstance(node, ast.Name):
        return local.get(node.id)
    return None


def _render_calls(path: Path) -> list[RenderCall]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls: list[RenderCall] = []
    scopes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for scope in scopes:
        local: dict[str, str] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = _prompt_name(node.value, {})
                if name:
                    local[node.targets[0].id] = name
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "render":
                name = _prompt_name(node.func.value, local)
                if name:
                    kws = {k.arg for k in node.keywords if k.arg}
                    dynamic = any(k.arg is None for k in node.keywords)
                    calls.append(RenderCall(name, kws, dynamic, f"{path.relative_to(REPO)}:{node.lineno}"))
    # A call inside a function is seen from the module scope too; keep one of each.
    unique = {(c.where, c.prompt): c for c in calls}
    return list(unique.values())


ALL_CALLS = [c for f in _python_files() for c in _render_calls(f)]
ALL_CODE = "\n".join(f.read_text(encoding="utf-8") for f in _python_files())


def test_the_scan_finds_the_known_callers():
    """Guards the scanner itself: if it found nothing, every check below would pass vacuously."""
    found = {c.prompt for c in ALL_CALLS if not c.dynamic}
    assert {"qa", "condense", "summary", "compare"} <= found


@pytest.mark.parametrize("name", PROMPT_FILES)
def test_prompt_loads_and_renders(name):
    prompt = load_prompt(name)
    assert prompt.messages and all(text.strip() for _, text in prompt.messages)
    assert all(role in ("system", "user", "assistant") for role, _ in prompt.messages)
    for placeholder in prompt.placeholders:
        assert re.fullmatch(r"[a-z_][a-z0-9_]*", placeholder), f"{name}: odd placeholder {placeholder!r}"
    messages = prompt.render(**{p: f"<{p}>" for p in prompt.placeholders})  # str.format must not choke
    for p in prompt.placeholders:
        assert any(f"<{p}>" in m["content"] for m in messages)


@pytest.mark.parametrize("name", PROMPT_FILES)
def test_code_passes_exactly_the_placeholders(name):
    placeholders = load_prompt(name).placeholders
    calls = [c for c in ALL_CALLS if c.prompt == name]
    static = [c for c in calls if not c.dynamic]
    for call in static:
        assert call.keywords == placeholders, (
            f"{call.where} renders {name} with {sorted(call.keywords)}, the file has {sorted(placeholders)}"
        )
    if not static:
        # Rendered dynamically (or by a name built at run time): at least the file must be referenced.
        assert f'"{name}"' in ALL_CODE or f"'{name}'" in ALL_CODE, f"prompts/{name}.md is used nowhere"


def test_render_rejects_missing_and_unexpected_values():
    from assistant.errors import AssistantError

    with pytest.raises(AssistantError):
        load_prompt("qa").render(question="q", evidence="e")
    with pytest.raises(AssistantError):
        load_prompt("qa").render(question="q", evidence="e", refusal="r", extra="x")


def test_refusal_phrase_reaches_the_prompts_from_the_constant():
    from assistant.answers.citations import REFUSAL
    from assistant.answers.citations import REFUSAL as QA_REFUSAL

    assert QA_REFUSAL == REFUSAL
    for name in ("qa", "compare"):
        assert REFUSAL not in PROMPTS_DIR.joinpath(f"{name}.md").read_text(encoding="utf-8")  # not hard-coded
        assert "refusal" in load_prompt(name).placeholders
