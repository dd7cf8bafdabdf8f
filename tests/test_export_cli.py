"""chosho export / import on the command line, the workbook in LibreOffice, and import hygiene."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tui.cli import main

from .export_helpers import scenario_store
from .test_purity import loaded_after


@pytest.fixture()
def database(tmp_path):
    scenario_store(tmp_path / "db.sqlite").close()
    return tmp_path / "db.sqlite"


def test_help_lists_export_and_import(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "export" in out and "import" in out
    with pytest.raises(SystemExit):
        main(["export", "--help"])
    out = capsys.readouterr().out
    assert "--confirmed-only" in out and "確認済・確定の所属だけ" in out


def test_export_then_import(tmp_path, database, capsys):
    out = tmp_path / "集計"
    assert main(["--db", str(database), "export", "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"出力しました: {out}.xlsx（集計対象 6 所属／全 58 所属）" in captured.out
    assert "注意: 入力済でない所属が 53 あります" in captured.err
    empty = tmp_path / "empty.sqlite"
    assert main(["--db", str(empty), "import", "--check", f"{out}.xlsx"]) == 0
    assert "点検のみ" in capsys.readouterr().out
    assert main(["--db", str(empty), "import", f"{out}.xlsx"]) == 0
    assert "6 所属の回答" in capsys.readouterr().out
    # the same again: every department already has answers, so nothing is written
    assert main(["--db", str(empty), "import", f"{out}.xlsx"]) == 1
    err = capsys.readouterr().err
    assert "何も取り込んでいません" in err and "すでに回答が入力されています" in err


def test_export_confirmed_only_and_default_name(tmp_path, database, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(database), "export", "--confirmed-only"]) == 0
    made = list(tmp_path.glob("ソーシャルメディアの利活用に関する調書_集計_*.xlsx"))
    assert len(made) == 1
    assert "集計対象 1 所属" in capsys.readouterr().out


def test_export_failure_exit_code(tmp_path, database, capsys):
    assert main(["--db", str(database), "export", "-o", str(tmp_path / "missing" / "x.xlsx")]) == 3
    assert "フォルダ「" in capsys.readouterr().err
    assert main(["--db", str(database), "import", str(tmp_path / "missing.csv")]) == 3


def test_import_layers_stay_light():
    """The app starts fast: the exports package, its tallies and the store load no pandas or
    XlsxWriter until an export or import runs."""
    heavy = {"pandas", "xlsxwriter", "openpyxl"}
    assert not loaded_after("import exports, exports.tally, exports.layout, exports.records") & heavy
    assert not loaded_after("import db, db.store, tui.cli; tui.cli.build_parser()") & {"pandas"}
    assert "pandas" not in loaded_after("import exports.workbook")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_workbook(tmp_path, database):
    from db import open_store
    from exports.workbook import export_workbook

    with open_store(database, "clerk") as store:
        result = export_workbook(store, tmp_path / "book.xlsx")
    profile = tmp_path / "lo-profile"
    run = subprocess.run(
        [
            "soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(result.path),
        ],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HOME": str(tmp_path)},
    )
    pdf = tmp_path / "book.pdf"  # soffice exits 0 even when it fails: the file is the proof
    assert pdf.exists() and pdf.stat().st_size > 10_000, (run.stdout, run.stderr)


def test_console_script_export(tmp_path, database):
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(database), "export", "-o", str(tmp_path / "x.xlsx")],
        capture_output=True, text=True,
    )
    assert run.returncode == 0 and (tmp_path / "x.xlsx").exists(), run.stderr
