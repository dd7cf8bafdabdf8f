"""Placeholder until the lead's blind second-keying screen lands (the lead replaces this module
at merge): F3 on the department list calls ``start_second_keying``."""

from __future__ import annotations

from textual.screen import Screen

__all__ = ["start_second_keying"]


def start_second_keying(screen: Screen, department_id: int) -> None:
    screen.app.notify("照合入力の画面は未実装です。", severity="warning", markup=False)
