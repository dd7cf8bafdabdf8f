"""A crash outside a handler (Textual's panic, as when the terminal's input thread fails) ends
chosho with a non-zero status, like any other crash."""

from __future__ import annotations

from tui.app import ChoshoApp


async def test_a_panic_sets_a_failing_return_code(tmp_path):
    from db import open_store

    with open_store(tmp_path / "chosho.sqlite", "佐藤") as store:
        app = ChoshoApp(store, ask_who=False)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            app.panic("入力の読み取りで異常が起きました")  # the app closes on its own
        assert app.return_code == 1
