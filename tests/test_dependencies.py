"""Every library the app imports at run time is installed by ``pip install .`` alone.

A plain install (the README's run command) has only ``[project] dependencies`` and what they
require in turn. This scans every module of the app for the modules it imports (and the
engines it names to pandas, which imports them itself) and checks each is provided by that
closure, so a runtime import that only the test extras happen to install fails here.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("survey", "tui", "db", "exports")


def declared() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return [Requirement(r).name for r in data["project"]["dependencies"]]


def closure(names: list[str]) -> set[str]:
    """The distributions a plain install brings: the named ones and, recursively, what they
    require outside any extra (markers evaluated for this interpreter)."""
    seen: set[str] = set()
    todo = [n.lower().replace("_", "-") for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for raw in metadata.distribution(name).requires or []:
            requirement = Requirement(raw)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(requirement.name.lower().replace("_", "-"))
    return seen


def provided(distributions: set[str]) -> set[str]:
    """Top-level modules those distributions install."""
    out = set()
    for module, owners in metadata.packages_distributions().items():
        if any(o.lower().replace("_", "-") in distributions for o in owners):
            out.add(module)
    return out


def runtime_imports() -> dict[str, str]:
    """Top-level module → the first file importing it, for every module of the app."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = []
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.append(node.module)
                elif isinstance(node, ast.keyword) and node.arg == "engine" and isinstance(node.value, ast.Constant):
                    names.append(str(node.value.value))  # pandas imports the engine it is given
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def missing(distributions: list[str]) -> dict[str, str]:
    have = provided(closure(distributions))
    own = set(PACKAGES)
    return {
        module: where for module, where in runtime_imports().items()
        if module not in sys.stdlib_module_names and module not in own and module not in have and module != "__future__"
    }


def test_every_runtime_import_is_a_declared_dependency():
    assert missing(declared()) == {}


def test_the_check_finds_a_missing_one():
    """Without openpyxl among the dependencies (the state issue 14 found), the check fails on it."""
    assert "openpyxl" in runtime_imports()  # the import reads .xlsx with it
    gaps = missing([name for name in declared() if name != "openpyxl"])
    assert set(gaps) == {"openpyxl"}, gaps
