"""The report draft's wording: phrase templates read from TOML, never written in code.

Three layers, each replacing only the keys it names: the defaults (``report_phrases.toml``
beside this module), the phrases shipped beside a definition (``survey/definitions/*.report.toml``
whose ``survey_id`` is the questionnaire's id), and the office's own file (``--phrases``).
"""

from __future__ import annotations

import string
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["DEFAULTS", "Phrases", "PhrasesError", "load_phrases"]

DEFAULTS = Path(__file__).with_name("report_phrases.toml")
_FULL = str.maketrans("0123456789,.%-", "０１２３４５６７８９，．％－")


class PhrasesError(Exception):
    """The phrases file cannot be used; the message says why, in Japanese."""


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise PhrasesError(f"文言のファイル「{path}」がありません。") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PhrasesError(f"文言のファイル「{path}」を読めません（UTF-8 のテキストファイルか確かめてください）。") from exc
    except tomllib.TOMLDecodeError as exc:
        raise PhrasesError(f"文言のファイル「{path}」の書き方に誤りがあります（{exc}）。") from exc


def _merge(base: dict[str, Any], extra: dict[str, Any], source: Path) -> None:
    for section, values in extra.items():
        if section == "survey_id":
            continue
        if section not in base or not isinstance(values, dict):
            known = "、".join(f"[{s}]" for s in base)
            raise PhrasesError(f"文言のファイル「{source}」の [{section}] は使えません。使える表: {known}")
        for key, value in values.items():
            if key not in base[section]:
                known = "、".join(base[section])
                raise PhrasesError(f"文言のファイル「{source}」の [{section}] {key} は使えません。使える項目: {known}")
            if type(value) is not type(base[section][key]):
                raise PhrasesError(f"文言のファイル「{source}」の [{section}] {key} の値の種類が違います（既定値: {base[section][key]!r}）。")
            base[section][key] = value


def _beside_definition(survey_id: str) -> Path | None:
    from survey import BUILTIN_DEFINITION

    for path in sorted(BUILTIN_DEFINITION.parent.glob("*.report.toml")):
        if _read(path).get("survey_id") == survey_id:
            return path
    return None


class Phrases:
    """The templates, and the numbers written as the settings say (full-width by default)."""

    def __init__(self, data: dict[str, Any], sources: tuple[Path, ...]) -> None:
        self.data = data
        self.sources = sources
        self.full_width = data["settings"]["digits"] != "half"

    def text(self, section: str, key: str, **values: object) -> str:
        template = self.data[section][key]
        try:
            return template.format(**values)
        except (KeyError, IndexError, ValueError) as exc:
            names = "、".join("{" + name + "}" for name in values) or "なし"
            raise PhrasesError(
                f"文言 [{section}] {key} 「{template}」に使えない差し込み（{exc}）があります。使える差し込み: {names}"
            ) from exc

    def setting(self, key: str) -> Any:
        return self.data["settings"][key]

    def digits(self, text: str) -> str:
        return text.translate(_FULL) if self.full_width else text

    def number(self, n: int) -> str:
        return self.digits(f"{n:,}")

    def percent(self, whole: int | None) -> str:
        return self.digits("-" if whole is None else f"{whole}%")

    def rate(self, share: float | None) -> str:
        """A rate with one decimal, as the workbook's 割合 column shows it (0.0%)."""
        return self.digits("-" if share is None else f"{share * 100:.1f}%")


def load_phrases(survey_id: str, override: str | Path | None = None, *, half_width: bool | None = None) -> Phrases:
    """The defaults, then the definition's phrases, then ``override``; ``half_width`` (when
    given) sets the digits whatever the files say."""
    data = _read(DEFAULTS)
    sources = [DEFAULTS]
    layers = [p for p in (_beside_definition(survey_id), Path(override).expanduser() if override else None) if p]
    for path in layers:
        _merge(data, _read(path), path)
        sources.append(path)
    if data["settings"]["digits"] not in ("full", "half"):
        raise PhrasesError(f"[settings] digits は \"full\"（全角）か \"half\"（半角）です（「{data['settings']['digits']}」）。")
    if half_width is not None:
        data["settings"]["digits"] = "half" if half_width else "full"
    for section, values in data.items():
        for key, value in values.items():
            if isinstance(value, str) and section != "settings":
                try:
                    list(string.Formatter().parse(value))
                except ValueError as exc:
                    raise PhrasesError(f"文言 [{section}] {key} 「{value}」の {{ }} の対応が取れていません。") from exc
    return Phrases(data, tuple(sources))
