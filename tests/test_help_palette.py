"""F1 opens the help at the section of the screen it was called from, folds each entry whole at
80×24, and the command palette speaks Japanese: its keys written as the footer writes them, 「該当
するコマンドはありません」 for a search that finds nothing. With SVG snapshots at 80×24 and 120×40.

Regenerate on purpose with
    .venv/bin/python -m pytest tests/test_help_palette.py --snapshot-update
and look at the SVGs before committing.
"""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from tui.app import ChoshoApp
from tui.screens.help import HELP_TEXT, SCREEN_SECTIONS, HelpScreen, help_entries, help_paragraphs, section_for
from tui.widgets.folded import fold

from .entry_helpers import open_department, press

# The snapshots' database, as for the other screens' snapshots (新座駅北口土地区画整理事務所 入力済).
from .test_screen_snapshots import SIZES, _run, store  # noqa: F401 - a fixture

REVIEWED = "新座駅北口土地区画整理事務所"


# Keys from the department list to each screen, and the section F1 must open at there.
SCREENS = [
    ((), "所属一覧"),
    (("text:保育課", "enter"), "入力画面"),
    (("text:保育課", "enter", "f6"), "点検一覧"),
    ((f"text:{REVIEWED}", "f7"), "確認画面"),
    (("f8",), "確認待ち一覧"),
    (("ctrl+t",), "入力者統計"),
]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@pytest.mark.parametrize("keys, section", SCREENS, ids=[s for _, s in SCREENS])
async def test_f1_opens_the_help_at_the_section_of_its_screen(store, keys, section, size):
    async with ChoshoApp(store, ask_who=False).run_test(size=size) as pilot:
        await pilot.pause()
        await press(pilot, *keys)
        called_from = type(pilot.app.screen).__name__
        await press(pilot, "f1")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen) and help_screen.section == section, called_from
        scroll = help_screen.query_one("#help-scroll")
        text = help_screen.query_one("#help-text")
        lines = [line.plain for line in text._lines(text.content_size.width)]
        top = round(scroll.scroll_y)
        if scroll.max_scroll_y > top:  # the last sections may not reach the top of the view
            assert lines[top].startswith(section), lines[top - 1 : top + 2]
        else:
            assert any(line.startswith(section) for line in lines[top : top + scroll.size.height])
        await press(pilot, "escape")
        assert type(pilot.app.screen).__name__ == called_from


def test_every_section_a_screen_opens_at_is_in_the_help():
    headings = {heading for heading, _ in help_entries()}
    assert set(SCREEN_SECTIONS.values()) <= headings


def test_a_dialog_opens_the_help_of_the_screen_under_it():
    from tui.screens.dialogs import ConfirmDialog
    from tui.screens.review import ReviewScreen

    review = ReviewScreen.__new__(ReviewScreen)
    assert section_for([object(), review, ConfirmDialog.__new__(ConfirmDialog)]) == "確認画面"
    assert section_for([object()]) is None


@pytest.mark.parametrize("width", [72, 96, 40])
def test_each_entry_folds_whole_without_blank_or_short_lines(width):
    """Every line of an entry but its last is filled to the width: the source's own line breaks
    (kept short to read as code) no longer break a sentence on screen."""
    for prefix, body in help_paragraphs():
        lines = [line.plain for line in fold(prefix, body, width)]
        for line in lines[:-1]:
            assert line.strip(), (prefix, body)
            # Kinsoku and a Latin word carried down whole leave a few cells at most.
            assert cell_len(line) >= width - 8, (width, lines)


def test_help_entries_read_as_key_and_description():
    sections = dict(help_entries())
    entry = dict(sections["入力画面"])
    assert entry["表形式・人数"] == (
        "1 行ずつ入力し、行ごとに記録。Enter で次の行（記録済みの行は空の Enter でそのまま）。Delete（空の欄で）はその行を無回答に"
    )
    assert dict(sections["確認画面"])["F9"].startswith("確認済にする（自分が入力・変更した所属、未解決の疑義や誤りがある所属")


# -- the command palette ---------------------------------------------------------------------


async def test_the_palette_names_keys_as_the_footer_does(store):
    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await open_department(pilot, "保育課")
        app = pilot.app
        footer_keys = {app.get_key_display(b.binding) for b in app.screen.active_bindings.values()}
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert helps["一覧"] == "キー: Esc" and helps["前へ"].startswith("キー: S-Tab") and helps["原本"] == "キー: ^O"
        for title, text in helps.items():
            if text.startswith("キー: "):
                assert set(text[4:].split(" / ")) <= footer_keys, (title, text)
            assert not re.search(r"escape|shift\+|ctrl\+|\bf\d", text), (title, text)


async def test_a_search_that_finds_nothing_says_so_in_japanese(store):
    from textual.command import CommandList

    async with ChoshoApp(store, ask_who=False).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await press(pilot, "ctrl+p", "text:zzzz")
        await pilot.pause(0.8)  # Textual waits half a second before saying nothing matched
        await pilot.pause()
        options = pilot.app.screen.query_one(CommandList)
        shown = " ".join(str(options.get_option_at_index(i).prompt.renderable) for i in range(options.option_count))
        assert "該当するコマンドはありません" in shown and "No matches" not in shown


def _waiting(*keys):
    """As the other snapshots' steps, then half a second more: Textual waits that long before it
    says that nothing matched."""
    steps = _run(*keys)

    async def run_before(pilot) -> None:
        await steps(pilot)
        await pilot.pause(0.8)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_help_from_the_entry_screen(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run("text:保育課", "enter", "f1"))


@pytest.mark.parametrize("size", SIZES)
def test_help_from_the_review_screen(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run(f"text:{REVIEWED}", "f7", "f1"))


@pytest.mark.parametrize("size", SIZES)
def test_palette_on_the_entry_screen(snap_compare, store, size):
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=_run("text:保育課", "enter", "ctrl+p"))


@pytest.mark.parametrize("size", SIZES)
def test_palette_finding_nothing(snap_compare, store, size):
    run_before = _waiting("ctrl+p", "text:zzzz")
    assert snap_compare(ChoshoApp(store, ask_who=False), terminal_size=size, run_before=run_before)


def test_help_entries_hold_all_of_the_help():
    """help_entries (what the guides are checked against) loses no word of HELP_TEXT."""
    words = "".join(heading + "".join(k + d for k, d in entries) for heading, entries in help_entries())
    assert re.sub(r"\s", "", words) == re.sub(r"\s", "", re.sub(r"\[/?b\]|\[/\]", "", HELP_TEXT))


def test_the_palettes_own_keys_are_described_in_japanese():
    from textual.command import CommandPalette

    from tui.palette import ChoshoCommandPalette

    merged = ChoshoCommandPalette._merged_bindings.key_to_bindings
    keys = {key.strip() for binding in CommandPalette.BINDINGS for key in binding.key.split(",")}
    assert keys and keys <= merged.keys()
    for key in keys:  # a subclass's bindings for a key replace its base's
        assert all(not b.description.isascii() for b in merged[key]), (key, merged[key])
