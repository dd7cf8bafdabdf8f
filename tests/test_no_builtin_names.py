"""Nothing in the adapters names a question of the built-in 調書: every question is data.

Read from the source: a string in tui/, db/ or exports/ (docstrings and comments aside, which
may use the built-in form as an example) that names Q1…Q23 or Ｑ１…Ｑ２３ is a question's
behaviour or text written into code, and a second survey (tests/test_second_form.py) would
not get it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"(?<![A-Za-z0-9_])[QＱ](?:[1-9]|1[0-9]|2[0-3]|[１-９]|１[０-９]|２[０-３])(?![0-9０-９])")


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def test_no_string_in_the_adapters_names_a_builtin_question():
    found = []
    for package in ("tui", "db", "exports"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            skip = _docstrings(tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                    if NAMED.search(node.value):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert not found, "\n".join(found)
