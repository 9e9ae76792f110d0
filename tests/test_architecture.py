"""The package's shape is a contract: the tree reads as the pipeline (docs/architecture.md).

- every module imports on its own, in a fresh interpreter (no hidden import-order coupling);
- no import cycles among module-level imports;
- a stage never imports a front end, and data flows one way through the early stages;
- every module says in its docstring what it is, and a module over the size limit says why.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "safesh"

# Front ends wire stages together for one kind of user; no stage may import one. The resident
# judge (safesh.judge) serves the command-line front ends from a long-lived process.
FRONT_ENDS = ("safesh.cli", "safesh.interactive", "safesh.web", "safesh.mcp", "safesh.judge")

# The pipeline's stages in data-flow order: a stage may import earlier ones, never later ones.
PIPELINE = ("safesh.parse", "safesh.unwrap", "safesh.rules", "safesh.analyze", "safesh.api")

# Deliberate exceptions to the one-way rule, each with its reason.
BACKWARD_IMPORTS_ALLOWED = {
    # Rule examples are specifications of whole-line judgements, so `safesh rules test`
    # runs them through the whole analysis (imported lazily, only by that command and tests).
    ("safesh.rules.examples", "safesh.analyze"),
}

# "About 600 lines": past this a module must be split or say why it is one room.
SIZE_LIMIT = 650


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path, *, top_level_only: bool) -> Iterator[str]:
    """The safesh modules `path` imports; with top_level_only, those executed at import time
    (not inside functions, not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]

    def executed_at_import(nodes: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                yield node
            elif isinstance(node, ast.If):
                guarded = isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
                if not guarded:
                    yield from executed_at_import(node.body)
                yield from executed_at_import(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody):
                    yield from executed_at_import(block)
                for handler in node.handlers:
                    yield from executed_at_import(handler.body)

    if top_level_only:
        statements = list(executed_at_import(tree.body))
    else:
        statements = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]

    def names() -> Iterator[str]:
        for node in statements:
            if isinstance(node, ast.Import):
                yield from (alias.name for alias in node.names)
                continue
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)

    known = {_module_name(p) for p in _modules()}
    for name in names():
        if name.startswith("safesh") and name in known:
            yield name


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


MODULES = [_module_name(path) for path in _modules()]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_imports_on_its_own(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("top_level_only", [True, False], ids=["at-import", "anywhere"])
def test_imports_have_no_cycle(top_level_only: bool) -> None:
    """Not at import time, and not through imports inside functions either (they still tie
    two rooms together), apart from the deliberate exceptions listed above."""
    graph = {
        _module_name(path): {
            target
            for target in _imports(path, top_level_only=top_level_only)
            if (_module_name(path), target) not in BACKWARD_IMPORTS_ALLOWED
        }
        for path in _modules()
    }
    state: dict[str, int] = {}  # 1: on the current path, 2: finished

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target == module or _within(module, target):
                continue  # a submodule importing its own package's __init__ is not a cycle
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target) :], target] if target in trail else [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if state.get(target) is None:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if state.get(module) is None:
            visit(module, [module])


@pytest.mark.parametrize("path", _modules(), ids=_module_name)
def test_no_stage_imports_a_front_end(path: Path) -> None:
    module = _module_name(path)
    if any(_within(module, front) for front in FRONT_ENDS) or module == "safesh.__main__":
        return
    wrong = [
        target
        for target in _imports(path, top_level_only=False)
        if any(_within(target, front) for front in FRONT_ENDS)
    ]
    assert not wrong, f"{module} is a stage but imports front end(s) {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=_module_name)
def test_data_flows_one_way_through_the_pipeline(path: Path) -> None:
    module = _module_name(path)
    own = [i for i, stage in enumerate(PIPELINE) if _within(module, stage)]
    if not own:
        return
    later = PIPELINE[own[0] + 1 :]
    wrong = [
        target
        for target in _imports(path, top_level_only=False)
        if any(_within(target, stage) for stage in later)
        and (module, target) not in BACKWARD_IMPORTS_ALLOWED
    ]
    assert not wrong, f"{module} imports later stage(s) {wrong}"


@pytest.mark.parametrize("path", _modules(), ids=_module_name)
def test_every_module_says_what_it_is(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring, f"{_module_name(path)} has no module docstring"


@pytest.mark.parametrize("path", _modules(), ids=_module_name)
def test_a_long_module_says_why_it_is_long(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    if lines <= SIZE_LIMIT:
        return
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    says_why = any(line.startswith("Size") for line in docstring.splitlines())
    assert says_why, (
        f"{_module_name(path)} has {lines} lines (limit {SIZE_LIMIT}); split it, or say in its "
        "docstring, in a paragraph starting 'Size', why it is one module"
    )
