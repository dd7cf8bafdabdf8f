from __future__ import annotations

from pathlib import Path

import pytest

import survey
from survey import Questionnaire, Router, load_definition

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
