"""The start (issue 12): neither first screen ("who is entering", the department list) reads the
questionnaire, so their first frame imports none of its classes; the app reads it right after
the first frame; a damaged stored definition then stops the app with its Japanese message and
status 3, as a failed open does."""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from db import open_store
from tui.app import ChoshoApp
from tui.screens.departments import DepartmentsScreen
from tui.screens.who import WhoScreen

from .store_support import db_path, template_db  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]
DOMAIN = ("survey.answers", "survey.model", "survey.conditions", "survey.routing", "survey.loader", "tomllib")


def _modules_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO)
    return set(out.stdout.split())


def test_who_is_entering_opens_the_store_without_the_questionnaire(db_path):
    modules = _modules_after(
        "import tui.app, tui.cli\n"
        "from db import open_store\n"
        f"store = open_store({str(db_path)!r}, 'a', defer_definition=True)\n"
        "assert store.title.startswith('ソーシャルメディア'), store.title\n"
        "store.users()"
    )
    assert modules.isdisjoint(DOMAIN), modules & set(DOMAIN)
    # Read at its first use, the same questionnaire as an eager open.
    deferred, eager = open_store(db_path, "a", defer_definition=True), open_store(db_path, "b")
    assert deferred.questionnaire == eager.questionnaire and deferred.title == eager.questionnaire.title
    assert len(deferred.overview()) == 58
    deferred.close()
    eager.close()


def _damage(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE questionnaires SET source = '[[[questions'")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("ask_who", [True, False], ids=["who-is-entering", "department-list"])
async def test_the_questionnaire_is_read_right_after_the_first_frame(db_path, ask_who):
    store = open_store(db_path, "a", defer_definition=True)
    app = ChoshoApp(store, ask_who=ask_who)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WhoScreen if ask_who else DepartmentsScreen)
        await pilot.pause()
        assert store._questionnaire is not None and store._router is not None
        assert app.is_running
    store.close()


@pytest.mark.parametrize("ask_who", [True, False], ids=["who-is-entering", "department-list"])
async def test_a_damaged_definition_stops_the_app_once_its_first_screen_is_drawn(db_path, ask_who):
    _damage(db_path)
    store = open_store(db_path, "a", defer_definition=True)  # opens: only the title is read
    app = ChoshoApp(store, ask_who=ask_who)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WhoScreen if ask_who else DepartmentsScreen)
        await pilot.pause()
    assert app.return_code == 3
    assert "保存されている調書定義が読めません" in app.failure
    store.close()


def test_the_command_reports_the_damaged_definition_with_status_3(db_path):
    _damage(db_path)
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(db_path), "--user", "a"],
        capture_output=True, text=True, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 3
    assert "保存されている調書定義が読めません" in done.stderr and "Traceback" not in done.stderr


def test_the_command_resumes_the_garbage_collector_after_the_first_frame(db_path):
    """cli.cmd_app pauses it for the start; after the first frame one pass runs, what is left is
    frozen (it lives as long as the app) and the collector works again."""
    script = (
        "import gc, sys\n"
        "import tui.app, tui.cli\n"
        "App = tui.app.ChoshoApp\n"
        "run, after = App.run, App._after_first_frame\n"
        "App.run = lambda self, **kw: run(self, headless=True, size=(80, 24))\n"
        "def checked(self):\n"
        "    print('paused', not gc.isenabled(), flush=True)\n"
        "    after(self)\n"
        "    print('resumed', gc.isenabled(), gc.get_freeze_count() > 10000, flush=True)\n"
        "    self.exit()\n"
        "App._after_first_frame = checked\n"
        f"sys.exit(tui.cli.main(['--db', {str(db_path)!r}, '--user', 'a']))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60, stdin=subprocess.DEVNULL
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:2] == ["paused True", "resumed True True"], done.stdout
    assert gc.isenabled()


def test_the_app_start_builds_only_its_own_options_and_every_other_word_gets_the_whole_parser(capsys):
    from tui.cli import _app_start, build_parser, cmd_app, main

    for argv in ([], ["--db", "a.sqlite"], ["--db", "a.sqlite", "--user", "田中"], ["--db=a.sqlite", "--user=b"]):
        assert _app_start(argv), argv
        assert build_parser(with_commands=False).parse_args(argv).handler is cmd_app
    for argv in (["--help"], ["-h"], ["--db", "a", "export"], ["--us", "b"], ["verify"], ["--db", "a", "--user"]):
        assert not _app_start(argv), argv
    # A mistyped command is still named with the commands there are.
    with pytest.raises(SystemExit) as stopped:
        main(["--db", "a.sqlite", "expotr"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "'expotr' は選べません" in err and "'export'" in err
