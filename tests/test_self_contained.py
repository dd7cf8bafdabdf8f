"""The suite needs nothing beside the clone: a clone in an empty folder passes on its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import REPO

# Ways a test could name a place outside the repository: a parent-relative path, a parents[N]
# climb past the root, or the sibling folders CI happens to lay beside the clone.
LEAVING = re.compile(r"\.\./|\.\.\\\\|parents\[[2-9]\]|['\"/]shared['\"/]|\.library")


def test_no_test_source_names_a_path_outside_the_repository():
    offenders = []
    for source in sorted((REPO / "tests").rglob("*.py")):
        if source.name == Path(__file__).name:
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if LEAVING.search(line):
                offenders.append(f"{source.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_opening_a_file_beside_the_clone_fails_the_test(tmp_path):
    """The audit hook in conftest refuses it, whether or not such a file exists."""
    beside = REPO.parent / "shared" / "seed" / "anything.txt"
    with pytest.raises(PermissionError, match="outside the repository"):
        beside.open(encoding="utf-8")
    inside = tmp_path / "fine.txt"
    inside.write_text("ok", encoding="utf-8")
    assert inside.read_text(encoding="utf-8") == "ok"
