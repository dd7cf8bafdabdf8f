"""Files for the import tests, built in the test from the scenario's own export (no binary
fixtures): the 回答一覧 rows as cells, written back as xlsx or CSV in any encoding."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl

from db import open_store
from exports.workbook import export_workbook

from .export_helpers import scenario_store

# An English exception or parser name inside a message a clerk reads.
ENGLISH_ERROR = re.compile(
    r"\b[A-Z][A-Za-z]*(?:Error|Exception|Warning)\b|BadZipFile|Traceback|Expected \d+ fields|\bline \d+|Errno|zip file"
)


def answer_rows(path: Path) -> list[list]:
    """The 回答一覧 sheet from its row of column names down, cells as the workbook holds them."""
    ws = openpyxl.load_workbook(path)["回答一覧"]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(min_row=3, values_only=True)]


def scenario_rows(tmp_path: Path) -> tuple[object, list[list]]:
    source = scenario_store(tmp_path / "source.sqlite")
    exported = export_workbook(source, tmp_path / "scenario.xlsx")
    return source, answer_rows(exported.path)


def empty_store(tmp_path: Path, name: str = "target"):
    return open_store(tmp_path / f"{name}.sqlite", "importer")


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], extra: dict[str, object] | None = None) -> Path:
    """``rows`` from A1 of a sheet named 回答一覧; ``extra``: cells by address (formulas as "=…")."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "回答一覧"
    for row in rows:
        ws.append([None if v == "" else v for v in row])
    for line in ws.iter_rows():
        for cell in line:
            if cell.data_type == "f":
                cell.data_type = "s"  # an answer such as "=1+1" is text, as the export writes it
    for address, value in (extra or {}).items():
        ws[address] = value
    book.save(path)
    return path


def rewrite_sheet(path: Path, change) -> Path:
    """The workbook with its first sheet's XML passed through ``change`` (bytes → bytes)."""
    out = path.with_name(path.stem + "_edited.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            dst.writestr(item, data)
    return out


def column(rows: list[list], name: str) -> int:
    return rows[0].index(name)


def row_of(rows: list[list], department: str) -> int:
    return next(i for i, r in enumerate(rows) if r[1] == department)
