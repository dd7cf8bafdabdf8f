"""The department list's progress (answered / on the route) is recorded with every change
(issue 12: the list is drawn from SQL alone, before the questionnaire is read), and is always
what the one routing engine gives for the department's answers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db import ConflictError, open_store
from db.verify import verify_database
from survey import Single

from .store_support import FORM, db_path, recorded_progress, routed_progress, store, template_db  # noqa: F401

REPO = Path(__file__).resolve().parents[1]


def listed(store) -> dict[int, tuple[int, int]]:
    return {state.response_id: (state.answered, state.on_route) for state in store.overview()}


def assert_recorded(store) -> None:
    """Every row's recorded progress is current and is what routing gives; the list shows it."""
    expected = routed_progress(store)
    assert recorded_progress(store) == expected
    assert listed(store) == expected


def test_a_new_database_records_every_department_untouched(store):
    assert_recorded(store)
    assert set(listed(store).values()) == {(0, 23)}  # the whole form until Q1 is answered


def test_every_kind_of_write_records_the_progress_routing_gives(db_path):
    clerk = open_store(db_path, "clerk")
    first, second, third = (d.id for d in clerk.departments()[:3])
    response = clerk.response(department_id=first)
    version = response.version
    for qid, value in FORM[:4]:
        version = clerk.save_answer(response.id, qid, value, expected_version=version)
        assert_recorded(clerk)
    assert listed(clerk)[response.id] == (4, 20)  # Q1 = 1: Q16–Q18 are off the route
    # A route change: Q1 = 2 takes Q2–Q15 off the route (their answers cleared).
    version = clerk.save_answer(
        response.id, "Q1", Single(2), expected_version=version, clear=("Q2", "Q3", "Q4")
    )
    assert listed(clerk)[response.id] == (1, 9)
    assert_recorded(clerk)
    version = clerk.clear_answers(response.id, ["Q1"], expected_version=version)
    assert listed(clerk)[response.id] == (0, 23)
    assert_recorded(clerk)
    # A whole form, made 入力済, signed off by a reviewer: status changes record it too.
    other = clerk.response(department_id=second)
    version = other.version
    for qid, value in FORM:
        if qid not in ("Q16", "Q17", "Q18"):
            version = clerk.save_answer(other.id, qid, value, expected_version=version)
    version = clerk.mark_entered(other.id, expected_version=version)
    reviewer = open_store(db_path, "reviewer")
    reviewer.record_shown(other.id, [qid for qid, _ in FORM], "一問ずつ")
    reviewer.sign_off(other.id, expected_version=version)
    assert listed(reviewer)[other.id] == (20, 20)
    assert_recorded(reviewer)
    # An import of many departments in one transaction.
    imported = clerk.response(department_id=third)
    clerk.import_answers({imported.id: {"Q1": Single(2), "Q16": Single(1)}}, why="取り込みの点検")
    assert listed(clerk)[imported.id] == (2, 9)
    assert_recorded(clerk)
    clerk.close()
    reviewer.close()


def test_a_refused_write_records_nothing_and_leaves_nothing_pending(store):
    response = store.response(department_id=store.departments()[0].id)
    store.save_answer(response.id, "Q1", Single(2), expected_version=response.version)
    with pytest.raises(ConflictError):
        store.save_answer(response.id, "Q16", Single(1), expected_version=response.version)  # stale
    assert not store._touched
    assert_recorded(store)
    assert listed(store)[response.id] == (1, 9)


def test_a_row_recorded_at_another_version_is_routed_when_read(db_path):
    with open_store(db_path, "clerk") as store:
        response = store.response(department_id=store.departments()[0].id)
        store.save_answer(response.id, "Q1", Single(2), expected_version=response.version)
    # Changed outside chosho's writes (its version moved on, its record did not).
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE responses SET version = version + 1, answered = 17 WHERE id = ?", (response.id,))
    raw.commit()
    raw.close()
    with open_store(db_path, "clerk") as store:
        assert listed(store)[response.id] == (1, 9)
    result = verify_database(db_path)
    # The version is what the log says it is (issue 23): the raw edit is named, and the progress
    # recorded at another version is still routed when read.
    assert not result.ok
    assert "回答票の版が監査ログと違います（データベース「2」、監査ログ「1」）" in result.report()
    assert "58 所属すべて回答と一致（うち 1 所属は記録が古く、読むときに計算し直します）" in result.report()


def test_verify_reports_a_recorded_progress_that_routing_does_not_give(db_path):
    with open_store(db_path, "clerk") as store:
        name = store.departments()[1].name
        rid = store.response(department_id=store.departments()[1].id).id
    assert "所属一覧の進捗: 58 所属すべて回答と一致" in verify_database(db_path).report()
    raw = sqlite3.connect(db_path)
    raw.execute("UPDATE responses SET answered = 5 WHERE id = ?", (rid,))  # same version: looks current
    raw.commit()
    raw.close()
    result = verify_database(db_path)
    assert not result.ok
    assert f"所属一覧の進捗の記録が回答と一致しません（{name}）" in result.report()


def test_the_department_list_reads_neither_answers_nor_the_questionnaire(db_path):
    with open_store(db_path, "clerk") as store:
        response = store.response(department_id=store.departments()[0].id)
        store.save_answer(response.id, "Q1", Single(1), expected_version=response.version)
    script = (
        "import sys\n"
        "from db import open_store\n"
        f"store = open_store({str(db_path)!r}, 'a', defer_definition=True)\n"
        "states = store.overview(); store.verification_states()\n"
        "print(states[0].answered, states[0].on_route)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    progress, modules = done.stdout.splitlines()
    assert progress == "1 20"
    domain = {"survey.answers", "survey.model", "survey.routing", "survey.loader", "tomllib"}
    assert domain.isdisjoint(modules.split()), domain & set(modules.split())
