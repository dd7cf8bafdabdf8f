"""Keys typed ahead while a free-text question's editor has the focus (found by bench/serve.py).

In a browser an IME commits a whole text at once and the next keys follow it over the network,
so "text, Tab, next answer" can reach the app before it has acted on the Tab. The key line
handles its keys in order (tui/widgets/key_line.py), but the free-text editor is a TextArea:
Textual checks the screen's Tab binding only after the key has bubbled up from the editor,
and the characters typed after the Tab reach the editor first. Here the next question's text
and code end up in Q10's answer. Marked xfail (strict: a fix makes it fail until the mark goes).
"""

from __future__ import annotations

import pytest

from db import open_store
from survey import Text
from tui.app import ChoshoApp

from .entry_helpers import burst, open_department, paper_forms, press


@pytest.mark.xfail(strict=True, reason="typed-ahead keys after Tab in a focused free-text editor land in it (issue for the entry screen)")
async def test_keys_typed_after_tab_in_a_text_question_go_to_the_next_question(tmp_path):
    form = next(f for f in paper_forms() if f["expected"]["Q1"].get("single") == 1)
    keys = form["keys"]
    q10 = next(i for i, k in enumerate(keys) if k.startswith("text:周知"))
    store = open_store(tmp_path / "chosho.sqlite", "clerk-a")
    app = ChoshoApp(store, ask_who=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_department(pilot, form["department"])
        await press(pilot, *keys[:q10])  # up to Q10, its editor on screen and focused
        assert app.screen.question_id == "Q10"
        await burst(pilot, *keys[q10:q10 + 5])  # Q10's text, Tab, Q11's text, Tab, Q12's code
        for _ in range(20):
            await pilot.pause()
    response = store.response(department_id=next(d.id for d in store.departments() if d.name == form["department"]))
    assert response.answers["Q10"] == Text("周知強化期間を設けて窓口で案内する。")
    store.close()
