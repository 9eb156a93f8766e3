"""Do pyproject.toml's dependencies match what the code imports?

    python scripts/check_deps.py          # a table; exit status 1 when something is off

Reads every ``import`` (with ``ast``) under the runtime packages (assistant, vectorstore, ui, evals),
``bench/``, ``tests/`` and ``examples/``, maps each third-party module to the distribution that provides
it (``importlib.metadata.packages_distributions``, so run it in the project's environment), and checks:

- runtime code imports only declared runtime dependencies, and every runtime dependency is used by it;
- bench/ needs nothing beyond runtime + the ``bench`` extra, and every bench extra is used there;
- tests/ and examples/ need nothing beyond runtime + the ``test`` extra;
- evals/corpus/ (the tools that build and render the development corpus, not run by the product) needs
  nothing beyond runtime + the ``corpus`` extra.

A few packages are used without an ``import`` of their own name; those uses are found in the code too:
``importlib.resources.files("pkg")`` (data shipped in a package) and ``BeautifulSoup(markup, "parser")``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RUNTIME_DIRS = ("assistant", "vectorstore", "ui", "evals")
CORPUS_TOOLS = REPO / "evals" / "corpus"  # inside evals/, but developer tools: checked on their own
FIRST_PARTY = set(RUNTIME_DIRS) | {"tests", "bench", "examples"}


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalize(re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0])


def used_modules(path: Path) -> set[str]:
    """Top-level modules a file imports, plus packages it uses by name (resources.files, bs4 parsers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if name == "files" and args:
                found.add(args[0].split(".")[0])
            elif name == "BeautifulSoup" and len(node.args) > 1 and len(args) >= 1 and args[-1] != "html.parser":
                found.add(args[-1])
    return found


def third_party(modules: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m not in FIRST_PARTY and m != "__future__"}


def distributions(modules: set[str], local: set[str]) -> tuple[dict[str, str], set[str]]:
    """module → normalized distribution name; and modules no installed distribution provides."""
    provided = packages_distributions()
    mapping, unknown = {}, set()
    for module in modules:
        dists = provided.get(module)
        if dists:
            mapping[module] = normalize(dists[0])
        elif module not in local:
            unknown.add(module)
    return mapping, unknown


def scan(dirs: list[Path], skip: Path | None = None) -> tuple[set[str], set[str]]:
    """Third-party modules imported under ``dirs``, and the module names the repository defines itself
    (tests import helpers such as ``fake_library`` or ``check_deps`` by their bare names)."""
    modules = set()
    for d in dirs:
        for path in sorted(d.rglob("*.py")):
            if skip is None or not path.is_relative_to(skip):
                modules |= used_modules(path)
    local = {p.stem for d in (*RUNTIME_DIRS, *FIRST_PARTY, "scripts") for p in (REPO / d).rglob("*.py")}
    return third_party(modules), local


def main() -> int:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {requirement_name(r) for r in project["dependencies"]}
    extras = {name: {requirement_name(r) for r in reqs} for name, reqs in project.get("optional-dependencies", {}).items()}
    problems: list[str] = []
    rows: list[tuple[str, str, str]] = []

    def check(label: str, dirs: list[Path], allowed: set[str], must_use: set[str], skip: Path | None = None) -> set[str]:
        modules, local = scan([d for d in dirs if d.exists()], skip)
        mapping, unknown = distributions(modules, local)
        used = set(mapping.values())
        for module, dist in sorted(mapping.items()):
            ok = dist in allowed
            rows.append((label, module, dist if ok else f"{dist}  ← 未声明"))
            if not ok:
                problems.append(f"{label}: imports {module} ({dist}), not declared for it")
        for module in sorted(unknown):
            problems.append(f"{label}: imports {module}, which no installed package provides")
        for dist in sorted(must_use - used):
            problems.append(f"{label}: declares {dist} but never uses it")
        return used

    check("runtime", [REPO / d for d in RUNTIME_DIRS], runtime, runtime, skip=CORPUS_TOOLS)
    check("bench", [REPO / "bench"], runtime | extras.get("bench", set()), extras.get("bench", set()))
    check("tests", [REPO / "tests", REPO / "examples"], runtime | extras.get("test", set()), extras.get("test", set()))
    check("corpus", [CORPUS_TOOLS], runtime | extras.get("corpus", set()), extras.get("corpus", set()))

    width = max(len(m) for _, m, _ in rows) if rows else 10
    for label, module, dist in rows:
        print(f"{label:8} {module:{width}}  {dist}")
    if problems:
        print("\n" + "\n".join(problems), file=sys.stderr)
        return 1
    print(f"\nOK: {len(runtime)} runtime dependencies, each used by runtime code; every import declared.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
