"""The stylesheets (issue 12): ``tui/app.tcss`` styles the first screens and what every screen
uses; ``tui/screens/forms.tcss`` every other screen, read when the first of them opens (each
names it as its CSS_PATH), so that its rules are not parsed before the first frame."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

from textual.screen import Screen

import tui.screens
from db import open_store
from tui.app import ChoshoApp
from tui.screens import FORMS_CSS
from tui.screens.departments import DepartmentsScreen
from tui.screens.filtered import FilteredListScreen
from tui.screens.login import LoginScreen
from tui.screens.who import WhoScreen

from .store_support import db_path, template_db  # noqa: F401 - fixtures

FIRST = (WhoScreen, LoginScreen, DepartmentsScreen)


def _screen_classes() -> list[type[Screen]]:
    found = set()
    for module in pkgutil.iter_modules(tui.screens.__path__):
        loaded = importlib.import_module(f"tui.screens.{module.name}")
        found |= {
            cls for _, cls in inspect.getmembers(loaded, inspect.isclass)
            if issubclass(cls, Screen) and cls.__module__.startswith("tui.screens.")
        }
    return sorted(found, key=lambda cls: cls.__qualname__)


def _forms_selectors() -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", FORMS_CSS.read_text(encoding="utf-8"), flags=re.S)
    heads = re.findall(r"([^{}]+)\{[^}]*\}", text)
    return [part.strip() for head in heads for part in head.split(",")]


def test_every_screen_but_the_first_names_the_forms_stylesheet():
    classes = _screen_classes()
    assert len(classes) >= 15, classes
    for cls in classes:
        paths = cls.CSS_PATH if isinstance(cls.CSS_PATH, list) else [cls.CSS_PATH]
        if cls in FIRST or cls is FilteredListScreen:
            assert FORMS_CSS not in paths, cls
        else:
            assert FORMS_CSS in paths, f"{cls.__qualname__} does not name {FORMS_CSS.name}"


async def test_no_rule_of_the_forms_stylesheet_applies_to_the_first_screens(db_path):
    selectors = _forms_selectors()
    assert "#key-line" in selectors and "ReviewScreen #message" in selectors
    store = open_store(db_path, "clerk", defer_definition=True)
    app = ChoshoApp(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, WhoScreen)
        shown = {selector: len(app.screen.query(selector)) for selector in selectors}
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DepartmentsScreen)
        shown |= {selector: shown[selector] + len(app.screen.query(selector)) for selector in selectors}
        # Not read yet: the first screens were drawn without it.
        assert not app.stylesheet.has_source(str(FORMS_CSS), "")
        await pilot.press("enter")  # the first department: the entry screen reads it
        await pilot.pause()
        assert app.stylesheet.has_source(str(FORMS_CSS), "")
    store.close()
    assert not {selector for selector, count in shown.items() if count}, shown
