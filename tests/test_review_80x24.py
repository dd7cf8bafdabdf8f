"""Issue 22, the reviewer's side at 80×24: stepping through a question taller than the screen,
F6 on the long-text questions, refusals before any dialog asks, the 疑義 thread kept whole,
the cuts of a small terminal, and the department's originals.

Two people on one database file, pressing the keys they would press (Pilot); the store is
checked after.
"""

from __future__ import annotations


import pytest
from textual.widgets import TextArea

from db import open_store
from tests.review_support import fill, showcase
from tests.test_review import clock, stores  # noqa: F401 (fixtures: two people on one file, a ticking clock)
from tui.app import ChoshoApp
from tui.screens.entry import EntryScreen
from tui.screens.review import ReviewScreen
from tui.screens.summary import SummaryScreen

A, B = "佐藤", "鈴木"
SIZE = (80, 24)


def department(store, name):
    return next(d for d in store.departments() if d.name == name)


async def settle(pilot, times: int = 2) -> None:
    for _ in range(times):
        await pilot.pause()


# -- item 5: F6 on the long-text questions ----------------------------------------------------


@pytest.mark.parametrize("question_id", ["Q10", "Q11", "Q20", "Q22"])
async def test_f6_opens_the_summary_from_a_long_text_question(stores, question_id):
    """The text editor once took F6 (select line) for itself: nothing happened, and 点検 was
    missing from the command palette while the editor had the keyboard."""
    a, _ = stores
    did = department(a, "政策課").id
    fill(a, did, mark_entered=False)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(EntryScreen(a, did, question_id))
        await settle(pilot)
        assert isinstance(app.focused, TextArea)
        assert "点検" in {c.title for c in app.get_system_commands(app.screen)}
        await pilot.press("f6")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)


# -- item 4: a question taller than the screen ----------------------------------------------


def footer(app) -> dict[str, str]:
    from textual.widgets._footer import FooterKey

    return {key.description: key.key_display for key in app.screen.query(FooterKey)}


@pytest.mark.parametrize("key, back", [("down", "up"), ("pagedown", "pageup")])
async def test_the_arrows_show_the_rest_of_a_tall_question_then_step_on(stores, key, back):
    """Q7 (14 options) is taller than 80×24: ↓ / PgDn once scrolled it forever and never
    reached Q8. Now they show the rest, then step; the footer says which."""
    a, b = stores
    did = department(a, "政策課").id
    fill(a, did)  # Q5 = 4: Q6 and Q7 on the route
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, "Q6", department_ids=[did]))
        await settle(pilot)
        review = app.screen
        paper = review.query_one("#paper")
        assert footer(app)["次の問い"] == "↓"
        await pilot.press(key)
        await settle(pilot)
        assert review.question_id == "Q7" and paper.max_scroll_y > 0  # taller than the screen
        assert footer(app).get("続き") == "↓" and "次の問い" not in footer(app)
        seen = []
        for _ in range(6):
            await pilot.press(key)
            await settle(pilot)
            seen.append(review.question_id)
            if review.question_id != "Q7":
                break
        assert seen[-1] == "Q8" and len(seen) <= 3  # the rest of Q7 in a page or two, then Q8
        assert footer(app)["次の問い"] == "↓"
        await pilot.press(back)  # ↑ from Q8: Q7 from its top, then Q6
        await settle(pilot)
        assert review.question_id == "Q7" and paper.scroll_y == 0
        await pilot.press(back)
        await settle(pilot)
        assert review.question_id == "Q6"


async def test_the_review_footer_names_the_arrow_and_keeps_f8_when_wide(stores):
    a, b = stores
    did = department(a, "政策課").id
    fill(a, did)
    for size in (SIZE, (120, 40)):
        app = ChoshoApp(b, ask_who=False)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            app.push_screen(ReviewScreen(b, did, "Q1", department_ids=[did, department(a, "総務課").id]))
            await settle(pilot)
            from textual.widgets._footer import FooterKey

            keys = list(app.screen.query(FooterKey))
            assert all(k.region.right <= size[0] for k in keys)
            assert ("次の所属" in footer(app)) == (size[0] >= 100)
            assert "次の所属" in {c.title for c in app.get_system_commands(app.screen)}
            await pilot.press("f8")  # at any width
            await settle(pilot)
            assert app.screen.department_id == department(a, "総務課").id


# -- item 6: a refusal the store can tell in advance comes before any dialog ------------------


def signed_off(a, b, name="政策課"):
    from tests.review_support import shown_all

    did = department(a, name).id
    rid = fill(a, did)
    shown_all(b, rid)
    b.sign_off(rid, expected_version=None)
    return did, rid


async def test_unlock_by_the_one_who_entered_is_refused_before_a_reason_is_asked(stores):
    from tui.screens.dialogs import TextDialog

    a, b = stores
    did, rid = signed_off(a, b)
    b.finalise(rid, expected_version=None)
    app = ChoshoApp(a, ask_who=False)  # 佐藤 entered it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(a, did, department_ids=[did]))
        await settle(pilot)
        await pilot.press("ctrl+u")
        await settle(pilot)
        assert not isinstance(app.screen, TextDialog)  # no reason typed in vain
        assert "自分で確定を解除することはできません" in app.screen.message
        assert a.unlock_refusal(rid) in app.screen.message
    assert a.response(department_id=did).status == "final"


async def test_finalising_a_form_chosen_for_double_entry_is_refused_before_the_confirm(stores):
    from tui.screens.dialogs import ConfirmDialog

    a, b = stores
    did, rid = signed_off(a, b)
    b.choose_for_verification("by_hand", chosen=[did])  # chosen after its sign-off
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, department_ids=[did]))
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmDialog)
        assert "確定できません" in app.screen.message
    assert b.response(department_id=did).status == "reviewed"


def test_each_refusal_asked_early_is_the_one_the_write_enforces(stores):
    """One rule, asked before the dialog and enforced at the write: the same words both times."""
    from db import RefusedError

    a, b = stores
    did, rid = signed_off(a, b)
    for person in (a, b):
        assert person.unlock_refusal(rid)  # not final yet
        with pytest.raises(RefusedError) as refused:
            person.unlock(rid, "理由", expected_version=None)
        assert str(refused.value) == person.unlock_refusal(rid)
    b.choose_for_verification("by_hand", chosen=[did])
    with pytest.raises(RefusedError) as refused:
        b.finalise(rid, expected_version=None)
    assert str(refused.value) == b.finalise_refusal(rid)


def test_double_entry_refusals_asked_early_are_the_ones_the_writes_enforce(stores, tmp_path):
    from db import RefusedError
    from survey import Single

    a, b = stores
    did = department(a, "政策課").id
    fill(a, did)
    a.choose_for_verification("by_hand", chosen=[did])
    keying = b.start_second_keying(did)
    b.save_second_answer(keying.id, "Q1", Single(1), expected_version=keying.version)
    assert "終わっていない問い" in b.completion_refusal(keying.id)
    with pytest.raises(RefusedError) as refused:
        b.complete_second_keying(keying.id)
    assert str(refused.value) == b.completion_refusal(keying.id)
    with open_store(tmp_path / "chosho.sqlite", "山田") as c:  # a third person, before the keying ends
        assert c.finish_refusal(did)
        with pytest.raises(RefusedError) as refused:
            c.finish_adjudication(did)
        assert str(refused.value) == c.finish_refusal(did)


# -- item 7 (review side): the whole 疑義 thread, on screen and in the workbook ---------------


def flagged(a, b):
    """市民課 (showcase: a resolved and an open flag on Q3) with a Q9 flag answered then resolved."""
    did = showcase(a, b)
    rid = a.response(department_id=did).id
    fid = b.raise_flag(rid, "Q9", "記入欄の文字が用紙と違います")
    a.reply_flag(fid, "用紙どおり「集客が伸びた」に直しました")
    b.resolve_flag(fid, "修正を用紙で確認")
    return did, rid


async def test_the_clerks_reply_stays_on_the_review_screen_after_the_flag_is_resolved(stores):
    a, b = stores
    did, _ = flagged(a, b)
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, "Q9", department_ids=[did]))
        await settle(pilot)
        notes = app.screen.query_one("#review-notes").plain
        assert "記入欄の文字が用紙と違います" in notes
        assert "用紙どおり「集客が伸びた」に直しました" in notes and A in notes  # the reply and who
        assert "修正を用紙で確認" in notes


async def test_the_queue_opens_a_flagged_department_on_its_flagged_question(stores):
    from tui.screens.queue import ReviewQueueScreen

    a, b = stores
    did = showcase(a, b)  # the open flag is on Q3
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewQueueScreen(b))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.department_id == did
        assert review.question_id == "Q3"


def test_the_workbook_has_a_record_of_every_flag(stores, tmp_path):
    import openpyxl

    from exports.workbook import export_workbook
    from tests.export_helpers import sheet_rows

    a, b = stores
    flagged(a, b)
    result = export_workbook(a, tmp_path / "集計.xlsx")
    rows = sheet_rows(openpyxl.load_workbook(result.path)["疑義"])
    heads = rows[2]
    assert heads[:5] == ["部局", "所属", "設問", "状態", "疑義の内容"]
    records = [dict(zip(heads, row)) for row in rows[3:]]
    assert [(r["所属"], r["設問"], r["状態"]) for r in records] == [
        ("市民課", "Ｑ３", "解決済"), ("市民課", "Ｑ３", "未解決"), ("市民課", "Ｑ９", "解決済"),
    ]
    q9 = records[2]
    assert q9["部局"] == "市民生活部" and q9["疑義の内容"] == "記入欄の文字が用紙と違います"
    assert (q9["疑義を付けた人"], q9["入力者の回答"], q9["回答した人"]) == (B, "用紙どおり「集客が伸びた」に直しました", A)
    assert (q9["解決の内容"], q9["解決した人"]) == ("修正を用紙で確認", B)
    assert q9["付けた日時"] and q9["回答日時"] and q9["解決日時"]
    assert records[1]["解決の内容"] is None and records[1]["解決した人"] is None
    assert "未解決 1 件" in rows[1][0]
    # 入力状況 and 入力者統計 stay last; a workbook without any flag has no 疑義 sheet (as 職員登録状況
    # only for a form with counts).
    assert openpyxl.load_workbook(result.path).sheetnames[-3:] == ["疑義", "入力状況", "入力者統計"]
    with open_store(tmp_path / "other.sqlite", A) as clean:
        assert "疑義" not in export_workbook(clean, tmp_path / "other.xlsx").sheets


# -- item 9: the cuts at 80×24 --------------------------------------------------------------


def rendered(widget) -> list[str]:
    """The lines a widget draws on screen now (as a terminal shows them), trailing blanks dropped."""
    from textual.geometry import Region

    width, height = widget.outer_size  # with its border and padding
    strips = widget.render_lines(Region(0, 0, width, height))
    return ["".join(segment.text for segment in strip).rstrip() for strip in strips]


async def test_the_list_with_the_verification_column_keeps_the_names_whole_at_80_columns(stores):
    from rich.cells import cell_len

    from tui.screens.departments import DepartmentsScreen

    a, _ = stores
    a.choose_for_verification("every_nth", parameter=5, seed=1)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DepartmentsScreen) and screen.verifying
        headings = [c.heading for c in screen.columns()]
        assert "照合" in headings
        widths = dict(zip(headings, screen.widths))
        departments = a.departments()
        assert all(cell_len(d.bukyoku) <= widths["部局"] for d in departments)  # 「総合政策…」 no more
        cut = [d.name for d in departments if cell_len(d.name) > widths["所属"]]
        assert cut == ["（仮称）三軒屋公園等複合施設整備推進室", "新座駅北口土地区画整理事務所"]  # 38, 28 cells


async def test_the_summary_shows_the_highlighted_rows_checks_in_full(stores):
    a, b = stores
    did = department(a, "政策課").id
    rid = fill(a, did)
    comment = "記入欄の文字が読めません。もう一度用紙を確認し、所属に電話で確かめてください"
    b.raise_flag(rid, "Q9", comment)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SummaryScreen(a, did))
        await settle(pilot)
        table = app.screen.query_one("#answers")
        table.move_cursor(row=8)  # Q9
        await settle(pilot)
        detail = app.screen.query_one("#summary-detail")
        assert comment in "".join(line.strip() for line in rendered(detail))


async def test_the_review_header_keeps_the_workers_name_at_80_columns(stores):
    a, b = stores
    did, rid = signed_off(a, b)
    b.finalise(rid, expected_version=None)
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, "Q1", department_ids=[did]))
        await settle(pilot)
        shown = "".join(rendered(app.screen.query_one("#progress")) + rendered(app.screen.query_one("#totals")))
        assert f"（{B}）" in shown and "確定 鈴木" in shown
        await pilot.press("f6")  # the overview gives the stamps' line to the table at 80×24: the name stays
        await settle(pilot)
        assert f"（{B}）" in "".join(rendered(app.screen.query_one("#progress")))


@pytest.mark.parametrize("question_id", ["Q2", "Q7"])
async def test_the_recorded_line_stays_in_sight_on_a_tall_question(stores, question_id):
    a, _ = stores
    did = department(a, "政策課").id
    fill(a, did)
    app = ChoshoApp(a, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(EntryScreen(a, did, question_id))
        await settle(pilot)
        # Three lines of warnings under the body, as after keying a row 無回答: the body shrinks.
        app.screen.set_message("要確認: 一行目\n要確認: 二行目\n（記録済みです。Enter か Tab で次へ）", "warning")
        await settle(pilot)
        recorded = app.screen.query_one("#recorded")
        assert recorded in app.screen._compositor.visible_widgets  # not scrolled away below the footer
        assert recorded.region.height >= 1 and recorded.region.bottom <= SIZE[1] - 1
        assert any(line.strip().startswith("記録:") for line in rendered(recorded))


async def test_dialogs_fold_japanese_at_sensible_places(stores):
    """Word wrapping broke 「Ｑ９⏎の疑義」 and 「（監査ログに残ります⏎）」."""
    from tui.screens.dialogs import TextDialog

    a, b = stores
    did, rid = signed_off(a, b)
    b.finalise(rid, expected_version=None)
    b.raise_flag(rid, "Q9", "記入欄の文字が読めません。もう一度用紙を確認してください")
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, "Q9", department_ids=[did]))
        await settle(pilot)
        for key in ("f3", "ctrl+u"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, TextDialog)
            lines = [line.strip() for line in rendered(app.screen.query_one(".dialog-text"))]
            assert lines and all(lines), lines  # no blank line inside a sentence
            assert not any(line[0] in "）」。、" for line in lines), lines
            assert not any(line.endswith("Ｑ９") for line in lines), lines
            await pilot.press("escape")
            await settle(pilot)


async def test_a_quick_arrow_on_arriving_at_a_tall_question_shows_its_rest_first(stores):
    """↓ ↓ typed at once from Q6: the second ↓ waits for Q7's layout and scrolls, never skipping Q7."""
    a, b = stores
    did = department(a, "政策課").id
    fill(a, did)
    app = ChoshoApp(b, ask_who=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(ReviewScreen(b, did, "Q6", department_ids=[did]))
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.screen.question_id == "Q7" and app.screen.query_one("#paper").scroll_y > 0
