"""Driving the app as a clerk does: the keys pressed, in order."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual import events
from textual.keys import _character_to_key

from survey.answers import decode

FORMS = Path(__file__).parent / "fixtures" / "paper_forms.toml"


def paper_forms() -> list[dict]:
    return tomllib.loads(FORMS.read_text(encoding="utf-8"))["forms"]


def expected_answers(form: dict) -> dict:
    return {qid: decode(data) for qid, data in form["expected"].items()}


def expand(keys: list[str]) -> list[str]:
    """Key names, with "text:…" spelled out one character at a time (as an IME commits)."""
    out: list[str] = []
    for key in keys:
        if key.startswith("text:"):
            out.extend(key.removeprefix("text:"))
        else:
            out.append(key)
    return out


def _pilot_cannot_spell(key: str) -> bool:
    # Pilot turns 「、」「。」「・」 into key names it cannot map back to a character (it
    # looks up "IDEOGRAPHIC_COMMA" and fails), so the key arrives unprintable. A terminal sends
    # them as plain characters; so do we.
    return len(key) == 1 and not key.isalnum() and not key.isascii()


async def press(pilot, *keys: str) -> None:
    for key in expand(list(keys)):
        if _pilot_cannot_spell(key):
            pilot.app._driver.send_message(events.Key(_character_to_key(key), key))
            await pilot.pause()
        else:
            await pilot.press(key)
    await pilot.pause()


async def open_department(pilot, name: str) -> None:
    """From the department list: type part of the name, Enter."""
    await press(pilot, f"text:{name}", "enter")
    await pilot.pause()


async def burst(pilot, *keys: str) -> None:
    """Every key sent at once, as a clerk typing ahead of the screen (or a paste of keys):
    nothing waits for the app between keys."""
    from textual.keys import _character_to_key as to_key

    for key in expand(list(keys)):
        if len(key) == 1:
            event = events.Key(to_key(key) if not key.isalnum() else key, key)
        else:
            event = events.Key(key, None)
        pilot.app._driver.send_message(event)
    await pilot.pause()
    await pilot.pause()
