from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

import survey
from survey import Questionnaire, Router, load_definition

# CI replays the same examples every run, so a red CI is reproducible; locally they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED = SHARED / "seed" / "000_d54b43fccaa5d2c9.txt"


@pytest.fixture(scope="session")
def niiza() -> Questionnaire:
    return survey.builtin()


@pytest.fixture(scope="session")
def router(niiza: Questionnaire) -> Router:
    return Router(niiza)


@pytest.fixture(scope="session")
def training() -> Questionnaire:
    return load_definition(FIXTURES / "training.toml")
