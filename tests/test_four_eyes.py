"""Issue 13, items 3–5: one person under any spelling of their name; flags, unlocking and sign-off
that the person who entered a form cannot sidestep; the store refuses what no value may hold."""

from __future__ import annotations

import asyncio

import pytest

from db import RefusedError, StoreError, open_store
from db.who import person_key
from survey import InputError, Multi, Single, Text
from tests.review_support import fill, shown_all
from tui.app import ChoshoApp
from tui.screens.dialogs import TextDialog
from tui.screens.review import ReviewScreen

from .store_support import db_path, template_db  # noqa: F401 - fixtures

# Spellings that are accepted as names and are the same person (the look-alike Cyrillic с and
# Greek Α included); names with invisible characters are refused outright (tests/test_person_names.py).
SPELLINGS = ["clerkA ", "ClerkA", "ｃｌｅｒｋＡ", "\u0441lerkA", "\u3000clerk \u0391"]


@pytest.fixture
def entered(db_path):
    """clerkA entered the first department (入力済); reviewer B and a third person C stand by."""
    a = open_store(db_path, "clerkA")
    b = open_store(db_path, "reviewerB")
    c = open_store(db_path, "thirdC")
    rid = fill(a, a.departments()[0].id)
    yield a, b, c, rid
    for store in (a, b, c):
        store.close()


def test_the_key_makes_one_person_of_every_spelling():
    assert {person_key(name) for name in ["clerkA", *SPELLINGS]} == {"clerka"}
    assert person_key("佐藤") != person_key("佐藤二")
    assert person_key("ｻﾄｳ") == person_key("サトウ")


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_of_the_clerk_signs_off_their_own_entry(entered, db_path, spelling):
    a, _, _, rid = entered
    with open_store(db_path, spelling) as same:
        assert shown_all(same, rid) == []  # what the clerk looks at is no review: not even recorded
        reasons = same.sign_off_refusals(rid)
        assert any("自分で確認済にはできません" in r for r in reasons), reasons
        with pytest.raises(RefusedError, match="自分で確認済にはできません"):
            same.sign_off(rid, expected_version=None)
    assert a.response(response_id=rid).status == "entered"


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_no_spelling_of_the_clerk_closes_a_flag_or_unlocks(entered, db_path, spelling):
    a, b, _, rid = entered
    fid = b.raise_flag(rid, "Q1", "用紙では 2 に見えます")
    with open_store(db_path, spelling) as same:
        with pytest.raises(RefusedError, match="疑義を解決済にはできません"):
            same.resolve_flag(fid, "1 で正しい")
        assert b.flags(rid)[0].open
        b.resolve_flag(fid, "確認しました")
        shown_all(b, rid)
        b.finalise(rid, expected_version=b.sign_off(rid, expected_version=None))
        with pytest.raises(RefusedError, match="自分で確定を解除することはできません"):
            same.unlock(rid, "訂正の連絡", expected_version=None)
    assert a.response(response_id=rid).status == "final"


def test_the_queue_marks_the_clerks_own_work_under_any_spelling(entered, db_path):
    from tui.screens.queue import review_queue

    a, b, _, rid = entered
    for spelling in SPELLINGS:
        with open_store(db_path, spelling) as same:
            assert [e.own for e in review_queue(same) if e.state.response_id == rid] == [True]
    assert [e.own for e in review_queue(b) if e.state.response_id == rid] == [False]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_second_user_with_the_same_key_is_refused(db_path, spelling):
    with open_store(db_path, "x") as store:
        store.remember_user("clerkA")
        with pytest.raises(RefusedError, match="登録済みの作業者「clerkA」と同じ名前とみなされます"):
            store.remember_user(spelling)
        assert [name for name, *_ in store.users()] == ["clerkA"]
        assert store.who == "clerkA"  # still the person who was accepted
        store.remember_user("clerkA")  # the same spelling is the same user, seen again
        with pytest.raises(RefusedError, match="作業者名を入力してください"):
            store.remember_user("\u3000 ")
        with pytest.raises(RefusedError, match="書式用の見えない文字"):
            store.remember_user("\u200b\u3000")


def test_the_clerk_replies_the_raiser_or_a_third_person_closes(entered):
    a, b, c, rid = entered
    first = b.raise_flag(rid, "Q1", "用紙では 2 に見えます")
    second = b.raise_flag(rid, "Q3", "その他の記入が読めません")
    a.reply_flag(first, "用紙を見直しました。1 で正しいです")
    flag = a.flags(rid)[0]
    assert flag.open and (flag.replied.who, flag.reply) == ("clerkA", "用紙を見直しました。1 で正しいです")
    last = a.history(rid)[-1]
    assert (last.who, last.action, last.question_id, last.old, last.new) == (
        "clerkA", "reply", "Q1", "用紙では 2 に見えます", "用紙を見直しました。1 で正しいです"
    )
    with pytest.raises(RefusedError, match="疑義への回答を入力してください"):
        a.reply_flag(first, "　")
    with pytest.raises(RefusedError, match="疑義を解決済にはできません"):
        a.resolve_flag(first, "正しい")
    b.resolve_flag(first, "回答を確認")  # its raiser
    c.resolve_flag(second, "用紙で確認")  # someone who neither raised it nor entered the form
    assert [f.resolved.who for f in a.flags(rid)] == ["reviewerB", "thirdC"]
    with pytest.raises(RefusedError, match="すでに解決済み"):
        a.reply_flag(first, "追記")


def test_a_raiser_who_also_changed_the_form_may_close_their_own_flag(entered):
    a, b, _, rid = entered
    fid = a.raise_flag(rid, "Q5", "所属に確認中")  # the clerk's own note on their own entry
    a.resolve_flag(fid, "所属に確認済")
    assert not a.flags(rid)[0].open


def test_unlocking_is_refused_to_anyone_who_changed_the_form(entered):
    a, b, c, rid = entered
    b.save_answer(rid, "Q3", Multi(frozenset({1})), expected_version=None)  # the reviewer edits too
    a.mark_entered(rid, expected_version=None)
    shown_all(c, rid)
    c.finalise(rid, expected_version=c.sign_off(rid, expected_version=None))
    for editor in (a, b):
        with pytest.raises(RefusedError, match="自分で確定を解除することはできません"):
            editor.unlock(rid, "訂正の連絡", expected_version=None)
    c.unlock(rid, "所属から訂正の連絡", expected_version=None)
    assert c.response(response_id=rid).status == "entered"


def test_a_sign_off_waits_until_every_route_question_was_shown(entered):
    a, b, _, rid = entered
    route = b.router.route(b.response(response_id=rid).answers).order
    with pytest.raises(RefusedError, match=f"まだ表示していない問いが {len(route)} 問あります（Q1、"):
        b.sign_off(rid, expected_version=None)  # from Q1, without looking at anything
    for qid in route[:-1]:
        assert b.record_shown(rid, [qid], "一問ずつ") == [qid]
    assert b.record_shown(rid, [route[0]], "一問ずつ") == []  # shown already: logged once
    assert b.unseen(rid) == [route[-1]]
    a.save_answer(rid, "Q3", Multi(frozenset({2})), expected_version=None)  # changed after B saw it
    a.mark_entered(rid, expected_version=None)
    assert b.unseen(rid) == ["Q3", route[-1]]
    b.record_shown(rid, route, "一覧")
    b.sign_off(rid, expected_version=None)
    status = b.history(rid)[-1]
    assert (status.who, status.new, status.why) == ("reviewerB", "reviewed", f"経路上の {len(route)} 問をすべて表示して確認")
    shown = [e.new for e in b.history(rid) if e.action == "shown"]
    assert shown[-1] == f"Q3 {route[-1]}"  # the overview logs only what was not yet seen


def test_the_clerk_answers_a_flag_from_the_review_screen(entered):
    asyncio.run(_clerk_replies(*entered))


async def _clerk_replies(a, b, _c, rid):
    fid = b.raise_flag(rid, "Q1", "用紙では 2 に見えます")
    department_id = a.response(response_id=rid).department.id
    async with ChoshoApp(a, ask_who=False).run_test(size=(80, 24)) as pilot:
        app = pilot.app
        app.push_screen(ReviewScreen(a, department_id))
        await pilot.pause()
        await pilot.pause()
        review = app.screen
        assert review.question_id == "Q1"
        await pilot.press("f3")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog) and "に回答します" in app.screen.query_one(".dialog-text").plain
        app.focused.insert_text_at_cursor("1 で正しいです")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        assert "疑義に回答しました" in review.message
        assert "回答 1 で正しいです" in review.query_one("#review-notes").plain
        # The entry screen shows the reply under the 疑義 until the reviewer closes it.
        from tui.screens.entry import EntryScreen

        app.pop_screen()
        app.push_screen(EntryScreen(a, department_id, "Q1"))
        await pilot.pause()
        await pilot.pause()
        flags = app.screen.query_one("#flags").plain  # the flag line under the title (issue 11)
        assert "疑義: 用紙では 2 に見えます（reviewerB）" in flags and "回答: 1 で正しいです（clerkA）" in flags
    flag = a.flags(rid)[0]
    assert flag.open and flag.id == fid and flag.reply == "1 で正しいです"
    assert not [e for e in a.history(rid) if e.action == "shown"]  # the clerk's own look is no review


# -- what no value may hold ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Text("a\x00b"),
        lambda: Text("ベル\x07"),
        lambda: Single(True),
        lambda: Single("1"),
        lambda: Single(1, {1: "記入\x1b[31m"}),
        lambda: Multi(frozenset({1, 2.0})),
    ],
    ids=["nul", "bell", "bool-code", "str-code", "escape-in-box", "float-code"],
)
def test_values_refuse_what_they_cannot_hold(build):
    with pytest.raises(InputError):
        build()


def test_the_store_refuses_an_unknown_question_and_a_foreign_value(entered):
    a, _, _, rid = entered
    before = len(a.history())
    for qid in ("Q99", "q1", None):
        with pytest.raises(StoreError, match="という問いはこの調書にありません"):
            a.save_answer(rid, qid, Single(1), expected_version=None)
    with pytest.raises(StoreError, match="という問いはこの調書にありません"):
        a.import_answers({rid: {"Q99": Single(1)}}, why="test")
    with pytest.raises(StoreError, match="str は保存できません"):
        a.save_answer(rid, "Q10", "生の文字列", expected_version=None)
    assert len(a.history()) == before


def test_the_who_screen_refuses_another_spelling_of_a_known_name(db_path):
    asyncio.run(_who_screen(db_path))


async def _who_screen(db_path):
    from textual.widgets import Input, Static

    from tui.screens.who import WhoScreen

    with open_store(db_path, "x") as store:
        store.remember_user("clerkA")
        async with ChoshoApp(store).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            screen.query_one("#who", Input).value = "ｃｌｅｒｋＡ"
            await pilot.press("enter")
            await pilot.pause()
            assert pilot.app.screen is screen and isinstance(screen, WhoScreen)
            message = str(screen.query_one("#message", Static).render())
            assert "登録済みの作業者「clerkA」と同じ名前とみなされます" in message
        assert [name for name, *_ in store.users()] == ["clerkA"] and store.who == "clerkA"
