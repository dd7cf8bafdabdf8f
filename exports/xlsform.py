"""XLSForm workbooks on disk: read their cells (with openpyxl, for each cell's row and column)
for ``survey.xlsform`` to parse, and write a questionnaire as one.

Any definition file goes through ``read_definition``: a workbook (.xlsx) or a TOML file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from survey import DefinitionError, Questionnaire
from survey.definition_text import DefinitionText, dump_definition

__all__ = ["WORKBOOK_SUFFIXES", "is_workbook", "read_cells", "read_definition", "write_workbook"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps 1 as 1.0 in some files
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _regular_file(path: Path) -> None:
    """Refuse, in Japanese, what is not a file to read (a folder, a FIFO that would block)."""
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise DefinitionError(str(path), ["ファイルがありません。"]) from exc
    except OSError as exc:
        raise DefinitionError(str(path), ["ファイルを読めません（場所と権限を確認してください）。"]) from exc
    if stat.S_ISDIR(mode):
        raise DefinitionError(str(path), ["フォルダです。調書定義のファイルを指定してください。"])
    if not stat.S_ISREG(mode):
        raise DefinitionError(str(path), ["通常のファイルではありません。調書定義のファイルを指定してください。"])


def read_cells(path: Path) -> dict[str, list[tuple[int, list[str]]]]:
    """Every sheet's rows as (Excel row number, cell texts). Raises DefinitionError, in
    Japanese, for a file that is not a readable workbook."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    _regular_file(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError as exc:
        raise DefinitionError(str(path), ["ファイルを読めません（権限を確認してください）。"]) from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DefinitionError(str(path), ["Excel のブック（.xlsx）として読めません。"]) from exc
    try:
        return {
            sheet.title: [
                (row[0].row, [_text(cell.value) for cell in row])
                for row in sheet.iter_rows()
                if row and getattr(row[0], "row", None) is not None
            ]
            for sheet in book.worksheets
        }
    finally:
        book.close()


def read_definition(path: Path) -> tuple[Questionnaire, DefinitionText]:
    """The questionnaire of a workbook or TOML file, and the definition text a database stores:
    a TOML file's own text; a workbook's canonical TOML (its digest survives re-saving)."""
    from survey import load_definition
    from survey.xlsform import definition_from_cells, questionnaire_from_cells

    path = Path(path)
    _regular_file(path)
    if not is_workbook(path):
        questionnaire = load_definition(path)
        return questionnaire, DefinitionText(str(path), path.read_text(encoding="utf-8"))
    cells = read_cells(path)
    questionnaire = questionnaire_from_cells(cells, source=str(path))
    data, _ = definition_from_cells(cells, source=str(path))
    return questionnaire, DefinitionText(str(path), dump_definition(data))


def write_workbook(questionnaire: Questionnaire, path: Path) -> Path:
    """Write ``questionnaire`` as an XLSForm workbook (through a temporary file: a failed write
    leaves no half-written workbook)."""
    import os

    import xlsxwriter

    from survey.xlsform_write import sheets_from_questionnaire

    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    book = xlsxwriter.Workbook(str(partial), {"strings_to_numbers": False, "strings_to_formulas": False})
    try:
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
        for name, rows in sheets_from_questionnaire(questionnaire).items():
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value != "":
                        sheet.write_string(r, c, value, header if r == 0 else wrap)
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, max(len(rows[0]) - 1, 0), 18)
        book.close()
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path
