"""Keys typed ahead while a free-text question's editor has the focus (found by bench/serve.py).

In a browser an IME commits a whole text at once and the next keys follow it over the network,
so "text, Tab, next answer" can reach the app before it has acted on the Tab. Textual checks the
screen's Tab binding only after the key has bubbled up from the editor, and the characters
typed after the Tab reached the editor first: the next question's text and code ended up in
Q10's answer. The editor now hands the entry keys on at once, and keys that reach it after the
clerk moved on go to the next question (tui/widgets/fields.py, _Editor).
"""

from __future__ import annotations

from db import open_store
from survey import Text
from tui.app import ChoshoApp

from .entry_helpers import burst, expected_answers, open_department, paper_forms, press


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
        assert response.answers["Q11"] == expected_answers(form)["Q11"]
        assert response.answers["Q12"] == expected_answers(form)["Q12"]
        await burst(pilot, *keys[q10 + 5:])  # the rest of the form, every key at once, through Q20 and Q22
        for _ in range(30):
            await pilot.pause()
    response = store.response(department_id=response.department.id)
    assert dict(response.answers) == expected_answers(form)
    store.close()
