"""SVG snapshots of the review screen and its one-page overview, at 80x24 and 120x40.

Deterministic: fixed workers, every timestamp the same, no blinking cursor on these screens.
Regenerate on purpose with ``pytest tests/test_review_snapshots.py --snapshot-update`` and look.
"""

from __future__ import annotations

import pytest

import db.store
from db import open_store
from tests.review_support import showcase
from tui.app import ChoshoApp
from tui.screens.review import ReviewScreen

FIXED = "2024-10-01T09:30:00+09:00"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def reviewer(tmp_path, monkeypatch):
    """Reviewer 鈴木's app on the showcase department entered by 佐藤."""
    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    path = tmp_path / "chosho.sqlite"
    clerk = open_store(path, "佐藤")
    store = open_store(path, "鈴木")
    department_id = showcase(clerk, store)
    clerk.close()
    yield ChoshoApp(store, ask_who=False), store, department_id
    store.close()


def _opener(store, department_id, question_id, keys=()):
    async def run_before(pilot) -> None:
        await pilot.pause()
        ids = [d.id for d in store.departments()]
        pilot.app.push_screen(ReviewScreen(store, department_id, question_id, department_ids=ids))
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_review_question(snap_compare, reviewer, size):
    """Q3: a text box, an open and a resolved flag, who entered it and when."""
    app, store, department_id = reviewer
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q3"))


@pytest.mark.parametrize("size", SIZES)
def test_review_matrix_with_empty_rows(snap_compare, reviewer, size):
    """Q2: 無効 and 無回答 rows marked apart, with the warning."""
    app, store, department_id = reviewer
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q2"))


@pytest.mark.parametrize("size", SIZES)
def test_review_overview(snap_compare, reviewer, size):
    """The whole form on one page (F6): states, who, flags and warnings; off-route runs folded."""
    app, store, department_id = reviewer
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q3", keys=("f6",)))


@pytest.fixture
def tall(tmp_path, monkeypatch):
    """政策課 entered by 佐藤 on the long route (Q6, Q7 on it), a Q9 flag answered and resolved."""
    from tests.review_support import fill

    monkeypatch.setattr(db.store, "now", lambda: FIXED)
    path = tmp_path / "chosho.sqlite"
    clerk = open_store(path, "佐藤")
    store = open_store(path, "鈴木")
    department_id = next(d.id for d in clerk.departments() if d.name == "政策課")
    rid = fill(clerk, department_id)
    flag = store.raise_flag(rid, "Q9", "記入欄の文字が用紙と違います")
    clerk.reply_flag(flag, "用紙どおり「集客が伸びた」に直しました")
    store.resolve_flag(flag, "修正を用紙で確認")
    clerk.close()
    yield ChoshoApp(store, ask_who=False), store, department_id
    store.close()


@pytest.mark.parametrize("size", SIZES)
def test_review_tall_question(snap_compare, tall, size):
    """Q7, taller than 80×24: the footer says ↓ shows the rest (続き) before it steps on."""
    app, store, department_id = tall
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q7"))


@pytest.mark.parametrize("size", SIZES)
def test_review_resolved_thread(snap_compare, tall, size):
    """A resolved 疑義 keeps its whole thread: the comment, the clerk's reply, the resolution."""
    app, store, department_id = tall
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q9"))


@pytest.mark.parametrize("size", SIZES)
def test_originals_dialog(snap_compare, tall, size, monkeypatch):
    """Ctrl+O on a department with two originals: the list to pick from, newest on top; the
    header says how many there are."""
    import db.originals
    from db.originals import add_original

    app, store, department_id = tall
    monkeypatch.setattr(db.originals, "now", lambda: FIXED)  # it holds its own reference to now
    add_original(store, department_id, "政策課_回答.xlsx", b"PK first")
    add_original(store, department_id, "政策課_回答_訂正.pdf", b"%PDF corrected")
    assert snap_compare(app, terminal_size=size, run_before=_opener(store, department_id, "Q1", keys=("ctrl+o",)))
