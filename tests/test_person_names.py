"""Issue 23, item 4: one person, one key. Every spelling of alice the issue found signing off
alice's own department is now refused as a name or recognised as alice (UTS #39 skeleton)."""

from __future__ import annotations

import pytest

from db import RefusedError, open_store
from survey import Single
from survey.people import name_problem, person_key
from survey.verification import take_second
from tests.review_support import fill, shown_all

from .store_support import FORM, db_path, template_db  # noqa: F401 - fixtures

# Each variant of the issue, and what must become of it.
REFUSED = {
    "alice\u034f": "表示されない文字",  # combining grapheme joiner
    "alice\ufe0f": "表示されない文字",  # variation selector
    "alice\u3164": "表示されない文字",  # Hangul filler
    "alice\uffa0": "表示されない文字",  # half-width Hangul filler
    "alice\u2800": "文字・数字以外",  # braille blank
    "alice\u17b4": "表示されない文字",  # Khmer inherent vowel
    "alice\u0323": "結合文字",  # a dot below, alone
    "alice\x00": "制御文字",
    "alice\x1b[0m": "制御文字",
    "alice\u200b": "書式用の見えない文字",
    "alice\u00a0bob": "使えない空白",
}
MATCHED = ["\u0430lice", "alic\u0435", "al\u03b9ce", "al\u0131ce", "ALICE", "ａｌｉｃｅ", " alice "]


@pytest.mark.parametrize("name", list(REFUSED))
def test_names_with_what_cannot_be_seen_are_refused(name):
    problem = name_problem(name)
    assert problem and REFUSED[name] in problem
    assert "\x00" not in problem and "\x1b" not in problem  # the message shows U+XXXX instead


@pytest.mark.parametrize("name", MATCHED)
def test_look_alikes_are_one_person(name):
    assert name_problem(name) is None
    assert person_key(name) == person_key("alice")


def test_real_names_are_names_and_stay_apart():
    for name in ("田中　太郎", "佐藤", "ﾀﾅｶ", "José", "clerk 2", "か\u3099とう"):
        assert name_problem(name) is None, name
    assert person_key("田中太郎") != person_key("田中次郎")
    assert person_key("alice") != person_key("alicia")


@pytest.fixture
def alices_department(db_path):
    with open_store(db_path, "alice") as alice:
        alice.remember_user()
        rid = fill(alice, alice.departments()[0].id)
    return rid


@pytest.mark.parametrize("name", list(REFUSED))
def test_no_refused_spelling_opens_the_store_or_registers(alices_department, db_path, name):
    with pytest.raises(RefusedError, match=REFUSED[name]):
        open_store(db_path, name)
    with open_store(db_path, "carol") as carol:
        with pytest.raises(RefusedError, match=REFUSED[name]):
            carol.remember_user(name)  # what the who screen calls
        assert [n for n, *_ in carol.users()] == ["alice"]


@pytest.mark.parametrize("name", MATCHED)
def test_no_look_alike_signs_off_alices_department(alices_department, db_path, name):
    rid = alices_department
    with open_store(db_path, name) as same:
        with pytest.raises(RefusedError, match="自分で確認済にはできません"):
            same.sign_off(rid, expected_version=None)
        if name.strip() != "alice":
            with pytest.raises(RefusedError, match="同じ名前とみなされます"):
                same.remember_user()
    with open_store(db_path, "alice") as alice:
        assert alice.response(response_id=rid).status == "entered"


def test_the_second_keyer_whose_value_was_taken_may_not_sign_off(db_path):
    """bob keyed the second entry, carol adjudicated taking bob's value, bob signs off: refused."""
    alice, bob, carol = (open_store(db_path, n) for n in ("alice", "bob", "carol"))
    try:
        dept = alice.departments()[0].id
        response = alice.response(department_id=dept)
        version = response.version
        for qid, value in FORM:
            version = alice.save_answer(response.id, qid, value, expected_version=version)
        alice.mark_entered(response.id, expected_version=version)
        alice.choose_for_verification("by_hand", chosen=[dept])
        keying = bob.start_second_keying(dept)
        version = keying.version
        for qid, value in FORM:
            version = bob.save_second_answer(
                keying.id, qid, Single(3) if qid == "Q5" else value, expected_version=version
            )
        bob.complete_second_keying(keying.id)
        carol.resolve(dept, take_second("Q5"))
        carol.finish_adjudication(dept)
        assert alice.response(department_id=dept).answers["Q5"] == Single(3)
        shown_all(bob, response.id)
        reasons = bob.sign_off_refusals(response.id)
        assert any("照合入力（二回目の入力）をしているため" in r for r in reasons), reasons
        with pytest.raises(RefusedError, match="二回目の入力"):
            bob.sign_off(response.id, expected_version=None)
        with open_store(db_path, "ＢＯＢ") as same:  # any spelling of bob
            assert same.sign_off_refusals(response.id)
        assert alice.response(department_id=dept).status == "entered"
    finally:
        for store in (alice, bob, carol):
            store.close()


@pytest.mark.parametrize("typed, said", [("alice\u3164", "表示されない文字"), ("\u0430lice", "同じ名前とみなされます")])
async def test_the_who_screen_refuses_a_filler_and_a_look_alike(db_path, typed, said):
    """The who screen accepted ``aliceㅤ`` (issue 23): now it says why, and stays."""
    from textual.widgets import Input, Static

    from tui.app import ChoshoApp
    from tui.screens.who import WhoScreen

    with open_store(db_path, "x") as store:
        store.remember_user("alice")
        async with ChoshoApp(store).run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            screen = pilot.app.screen
            screen.query_one("#who", Input).value = typed
            await pilot.press("enter")
            await pilot.pause()
            assert pilot.app.screen is screen and isinstance(screen, WhoScreen)
            assert said in str(screen.query_one("#message", Static).render())
        assert [name for name, *_ in store.users()] == ["alice"]
