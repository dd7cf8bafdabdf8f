"""A definition as TOML text: how a questionnaire read from a workbook is stored and bound.

The database keeps the definition's text and its SHA-256 binds forms and returns to it. For a
workbook that text is this canonical TOML of the questionnaire read, not the file's bytes, so
re-saving the workbook in Excel changes nothing unless the form changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["DefinitionText", "dump_definition"]


@dataclass(frozen=True)
class DefinitionText:
    """A definition already read: ``name`` says where from, ``text`` is TOML."""

    name: str
    text: str


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_value(v)}" for key, v in value.items()) + " }"
    raise TypeError(f"TOML に書けない値です: {type(value).__name__}")


def _table(entries: dict) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in entries.items()]


def dump_definition(data: dict) -> str:
    """TOML text of a definition shaped as ``survey.loader.parse_definition`` reads it."""
    lines = [f"{key} = {_value(value)}" for key, value in data.items() if not isinstance(value, (dict, list))]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]", *_table(value)]
        elif isinstance(value, list):
            for entry in value:
                lines += ["", f"[[{key}]]", *_table(entry)]
    return "\n".join(lines) + "\n"
