"""Every package says what it is today: a docstring of whole sentences (none stopping mid-way,
none promising what is still to land), naming only modules that exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGES = sorted(p.parent for top in ("survey", "tui", "db", "exports") for p in (REPO / top).rglob("__init__.py"))


def _docstring(package: Path) -> str:
    return ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_the_package_docstring_is_whole_and_current(package):
    text = _docstring(package)
    assert len(text) > 40, "no docstring"
    for paragraph in re.split(r"\n\s*\n", text):
        assert paragraph.rstrip().endswith((".", "。", ":", ")")), paragraph
    assert not re.search(r"as they land|\bnow\b|\bTODO\b|\bwill\b|\bsoon\b|\blater\b", text), text
    for name in re.findall(r"``(\w+)\.py``|``(\w+)/``", text):
        module = next(n for n in name if n)
        assert (package / f"{module}.py").exists() or (package / module).is_dir(), (package, module)
