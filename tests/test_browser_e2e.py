"""chosho serve in a real browser: headless Chromium (Debian's package) driven by Selenium.

A clerk logs in, opens a department, keys Q1 and a Japanese text through the IME path, checks
the form (F6), downloads the workbook (F9), leaves with Ctrl+Q and sees the logged-out page;
the store then holds the answers stamped with that person. Two people on one department: the
later save is refused and reported, nothing is overwritten; and a clerk cannot sign off their
own entry from another tab, while another person can. Ctrl+O shows an attached PDF in a new
tab, in the browser's own viewer; F1, Ctrl+P and the browser's paste reach the app.
"""

from __future__ import annotations

import openpyxl
import pytest
from selenium.webdriver.common.keys import Keys

from db import open_store
from survey import Multi, Single

from .browser_support import Browser, add_account, browsers, serve  # noqa: F401 (browsers: a fixture)

PASSWORD = "correct-horse-1"


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "chosho.sqlite"
    open_store(path, "admin").close()
    for name in ("sato", "suzuki"):
        add_account(path, name, PASSWORD)
    return path


def log_in(browser: Browser, served, name: str) -> None:
    browser.login(served, name, PASSWORD)
    browser.wait_for(lambda screen: "所属一覧" in screen and name in screen)  # the person in the header


def open_department(browser: Browser, name: str) -> None:
    browser.ime(name)  # the list's filter, typed in Japanese
    browser.wait_for(lambda screen: name in screen.splitlines()[1])
    browser.press(Keys.ENTER)
    browser.wait_for(f"Q1 · 1/")


def answers_of(db, department: str):
    with open_store(db, "admin") as store:
        dept = next(d for d in store.departments() if d.name == department)
        return store.response(department_id=dept.id)


def test_a_clerk_keys_exports_and_logs_out_in_a_browser(db, browsers):
    with serve(db) as served:
        browser = browsers()
        log_in(browser, served, "sato")
        open_department(browser, "保育課")
        browser.press("1")  # Q1 行った
        browser.wait_for("Q2 · 2/")
        browser.press("1", "2", "5", "5")  # Q2: one code per row
        browser.wait_for("Q3 · 3/")
        browser.press("1", "5", Keys.ENTER)  # Q3: 1 and 5, then 5's text box
        browser.wait_for(lambda screen: "Q3 · 3/" in screen and "5" in screen)
        browser.ime("市ホームページ")  # an IME's committed text
        browser.wait_for("市ホームページ")
        browser.press(Keys.ENTER)
        browser.wait_for("Q4 · 4/")
        browser.press(Keys.F6)  # 点検: the answers as stored
        screen = browser.wait_for("市ホームページ")
        assert "Q1" in screen
        browser.press(Keys.ESCAPE)
        browser.wait_for("所属一覧")

        browser.press(Keys.F9)  # the workbook, to this browser's downloads
        browser.wait_for("ブラウザのダウンロードに届きます")
        browser.press(Keys.ENTER)
        browser.wait_for("ダウンロードに送りました")
        book = openpyxl.load_workbook(browser.downloaded(".xlsx"), read_only=True)
        assert "集計" in book.sheetnames
        browser.press(Keys.ESCAPE)
        browser.wait_for("所属一覧")

        browser.press(Keys.CONTROL + "q")  # ends the session: the logged-out page, not a dead tab
        browser.wait_for("ログアウトしました", what=browser.body_text)
        browser.open(served.url + "/")  # the session is over
        browser.wait_for("ログイン", what=browser.body_text)
    response = answers_of(db, "保育課")
    assert response.answers["Q1"] == Single(1)
    assert response.answers["Q3"] == Multi(frozenset({1, 5}), {5: "市ホームページ"})
    assert {stamp.who for stamp in response.stamps.values()} == {"sato"}


def test_two_people_on_one_department_and_four_eyes(db, browsers):
    with serve(db) as served:
        sato, suzuki = browsers(), browsers()
        log_in(sato, served, "sato")
        log_in(suzuki, served, "suzuki")
        open_department(sato, "出納室")
        open_department(suzuki, "出納室")  # both have Q1 on their screens
        sato.press("2")  # Q1 行っていない, saved first
        sato.wait_for("Q16 ·")
        suzuki.press("1")  # on the version both opened: refused, nothing overwritten
        screen = suzuki.wait_for("上書きせずに止めました")
        assert "sato" in screen
        assert answers_of(db, "出納室").answers["Q1"] == Single(2)

        # sato keys the rest of the form (each question on the screen before its keys) and marks it entered
        for keys, then in (
            (["1"], "Q17 ·"),  # Q16
            (["1", Keys.ENTER, "防災情報", Keys.ENTER], "Q18 ·"),  # Q17 + its text box
            (["2"], "Q19 ·"),  # Q18
            (["2", "窓口での案内", Keys.ENTER], "Q20 ·"),  # Q19 + its text
            ([Keys.F2], "Q21 ·"),  # Q20 無回答
            (["1"], "Q22 ·"),  # Q21
            (["説明会など開催してほしい。", Keys.TAB], "Q23 ·"),  # Q22
            ([Keys.F2], "点検一覧"),  # Q23, the last: the form's check follows
        ):
            for key in keys:
                if len(key) > 1:  # a text, committed by the IME
                    sato.ime(key)
                else:
                    sato.press(key)
            sato.wait_for(then)
        sato.wait_for("入力済にする")
        sato.press(Keys.F9)
        sato.wait_for("入力済にしました")

        # the same person in another tab (the same session) may not sign off their own entry
        sato.new_tab(served.url + "/")
        sato.wait_for("所属一覧")
        sato.ime("出納室")
        sato.wait_for(lambda screen: "出納室" in screen.splitlines()[1])
        sato.press(Keys.F7)  # 確認
        sato.wait_for("確認済")
        sato.press(Keys.F9)
        screen = sato.wait_for("確認済にできません")
        assert "自分で確認済にはできません" in screen
        assert answers_of(db, "出納室").status == "entered"

        # another person may (their refused "1" is still on the key line: cleared, not recorded)
        suzuki.press(Keys.BACKSPACE, Keys.ESCAPE)
        suzuki.wait_for(lambda screen: "所属一覧" in screen and "出納室" in screen.splitlines()[1])  # the filter kept
        suzuki.press(Keys.F7)
        suzuki.wait_for("確認（suzuki） · Q1 ")
        for question in ("Q16", "Q17", "Q18", "Q19", "Q20", "Q21", "Q22", "Q23"):  # every question seen
            suzuki.press(Keys.DOWN)
            suzuki.wait_for(f"確認（suzuki） · {question} ")
        suzuki.press(Keys.F9)
        suzuki.wait_for("確認済にする")
        suzuki.press(Keys.ENTER)
        suzuki.wait_for("確認済にしました")
    response = answers_of(db, "出納室")
    assert response.status == "reviewed"
    assert {stamp.who for stamp in response.stamps.values()} == {"sato"}


def tiny_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_ctrl_o_opens_the_original_in_a_new_tab_of_the_browser(db, browsers, tmp_path):
    from .browser_support import chosho

    original = tmp_path / "保育課_回答.pdf"
    original.write_bytes(tiny_pdf("Hoiku-ka original"))
    done = chosho(db, "attach", "保育課", str(original))
    assert done.returncode == 0, done.stderr
    with serve(db) as served:
        browser = browsers()
        log_in(browser, served, "suzuki")
        open_department(browser, "保育課")
        app_tab = browser.driver.current_window_handle
        browser.press(Keys.CONTROL + "o")
        browser.wait_for("ブラウザの新しいタブで開きました")
        browser.wait_for(lambda handles: len(handles) == 2, what=lambda: browser.driver.window_handles)
        browser.driver.switch_to.window(next(h for h in browser.driver.window_handles if h != app_tab))
        browser.wait_for("/download/", what=lambda: browser.driver.current_url)
        # the browser's own viewer shows it: nothing landed in the downloads
        assert browser.driver.execute_script("return document.contentType") == "application/pdf"
        assert list(browser.downloads.iterdir()) == []


def test_help_palette_and_paste_reach_the_app_in_the_browser(db, browsers):
    with serve(db) as served:
        browser = browsers()
        log_in(browser, served, "sato")
        browser.press(Keys.F1)  # F1–F12 are the app's, not the browser's
        browser.wait_for("Esc / F1: 閉じる")  # the help, at this screen's keys
        browser.press(Keys.ESCAPE)
        browser.wait_for(lambda screen: "F1: 閉じる" not in screen)
        browser.press(Keys.CONTROL + "p")  # the command palette, in Japanese
        browser.wait_for("コマンドを検索")
        browser.press(Keys.ESCAPE)
        browser.wait_for(lambda screen: "コマンドを検索" not in screen)
        browser.paste("保育課")  # the browser's paste: one bracketed paste for the app
        browser.wait_for(lambda screen: "保育課" in screen.splitlines()[1])
        browser.press(Keys.ENTER)
        browser.wait_for("Q1 · 1/")
        assert "保育課" in browser.screen().splitlines()[0]
