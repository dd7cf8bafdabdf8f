"""Issue 23, item 5: no circle of imports in db/. Every import counts — at the top, inside a
function, or for type checking only: two files that import each other are one thing in two
places. Also: the store's rules are modules of functions that use the store, not its mixins."""

from __future__ import annotations

import ast
from pathlib import Path

DB = Path(__file__).resolve().parent.parent / "db"


def imports() -> dict[str, set[str]]:
    modules = {path.stem for path in DB.glob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in DB.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:  # from .x import y
                    graph[path.stem].add(node.module.split(".")[0])
                else:  # from . import x, y
                    graph[path.stem].update(a.name for a in node.names if a.name in modules)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("db."):
                graph[path.stem].add(node.module.split(".")[1])
    graph.pop("__init__", None)
    for targets in graph.values():
        targets.discard("__init__")
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_circle_of_imports_in_db():
    graph = imports()
    assert {"store", "journal", "replay", "answers", "review", "verification"} <= set(graph)
    assert cycles(graph) == []


def test_the_checker_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_the_rules_use_the_store_and_are_not_its_mixins():
    from db import Store

    assert Store.__mro__ == (Store, object)
    graph = imports()
    for module in ("answers", "review", "verification", "journal", "replay"):
        assert "store" not in graph[module], module
    # one module writes the log and the tables it determines; one replays it
    assert "journal" in graph["store"] and "journal" in graph["replay"]


def test_only_the_journal_writes_the_tables_the_log_determines():
    """Every INSERT, UPDATE or DELETE in db/ is in journal.py (the tables), audit.py (the log
    itself) or schema.py (migrations): a write anywhere else would not be in the log. The one
    exception is the browser's ``sessions`` (db/accounts.py), which are not a record."""
    import re

    write = re.compile(r"\b(INSERT\s+(OR\s+\w+\s+)?INTO\s+(\w+)|UPDATE\s+(\w+)\s+SET|DELETE\s+FROM\s+(\w+)|REPLACE\s+INTO\s+(\w+))")
    offenders, sessions = [], []
    for path in sorted(DB.glob("*.py")):
        if path.name in ("journal.py", "audit.py", "schema.py"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for match in write.finditer(line):
                table = next(g for g in match.groups()[2:] if g)
                if table == "sessions" and path.name == "accounts.py":
                    sessions.append(n)
                else:
                    offenders.append(f"{path.name}:{n}")
    assert offenders == []
    assert sessions  # the checker sees the session writes it lets through
