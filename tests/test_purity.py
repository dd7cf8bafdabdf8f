"""The domain core stays free of adapters, so every adapter can depend on it and not the reverse."""

from __future__ import annotations

import subprocess
import sys

FORBIDDEN = ("textual", "sqlite3", "sqlite_utils", "pandas", "openpyxl", "xlsxwriter")


def loaded_after(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_importing_survey_loads_no_adapter_library():
    modules = loaded_after("import survey, survey.routing, survey.validation; survey.builtin()")
    assert modules.isdisjoint(FORBIDDEN), modules & set(FORBIDDEN)


def test_the_command_line_starts_without_heavy_imports():
    modules = loaded_after("import tui.cli; tui.cli.build_parser()")
    assert modules.isdisjoint(FORBIDDEN), modules & set(FORBIDDEN)


def test_survey_source_imports_no_adapter():
    """Also by reading the source, so a lazy import inside a function is caught too."""
    from pathlib import Path

    import survey

    for path in Path(survey.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in FORBIDDEN + ("tui", "db", "exports"):
            assert f"import {name}" not in text and f"from {name}" not in text, (path.name, name)


def test_the_app_and_every_screen_load_without_dataframe_or_workbook_libraries():
    """pandas, openpyxl, XlsxWriter and sqlite-utils (which imports pandas) load only when a
    workbook is written or a database created; never on the way to the first screen."""
    modules = loaded_after(
        "import tui.app, tui.screens.who, tui.screens.departments, tui.screens.entry, "
        "tui.screens.summary, tui.screens.review, tui.screens.queue, tui.screens.export, "
        "tui.screens.help, db"
    )
    heavy = {"pandas", "openpyxl", "xlsxwriter", "sqlite_utils", "numpy"}
    assert modules.isdisjoint(heavy), modules & heavy
