from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

import survey
from survey import Questionnaire, Router, load_definition

# CI replays the same examples every run, so a red CI is reproducible; locally they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


def _refuse_siblings_of_the_repository(event: str, args: tuple) -> None:
    """Fail any test that opens a file beside the clone (the spec folder CI lays there, say).

    A clone in an empty folder must pass on its own; CI has a folder beside it, so only a check
    like this one makes reaching for it fail there too. Temp folders, the venv and the system are
    elsewhere and unaffected.
    """
    if event != "open" or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    try:
        path = Path(os.fsdecode(args[0])).resolve()
    except (OSError, ValueError):
        return
    if path.is_relative_to(REPO.parent) and not path.is_relative_to(REPO):
        raise PermissionError(f"tests must not read outside the repository: {path}")


if REPO.parent != REPO:
    sys.addaudithook(_refuse_siblings_of_the_repository)
# The form's own words (別紙１ and the roster) as extracted from the audit report; see its header.
PAPER_FORM = FIXTURES / "paper_form.txt"


# The report's chart titles, likewise.
REPORT_CHART_TITLES = FIXTURES / "report_chart_titles.txt"


def fixture_text(path: Path) -> str:
    """A text fixture without its provenance note."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith("#"))


def paper_form_text() -> str:
    return fixture_text(PAPER_FORM)


@pytest.fixture(scope="session")
def niiza() -> Questionnaire:
    return survey.builtin()


@pytest.fixture(scope="session")
def router(niiza: Questionnaire) -> Router:
    return Router(niiza)


@pytest.fixture(scope="session")
def training() -> Questionnaire:
    return load_definition(FIXTURES / "training.toml")
