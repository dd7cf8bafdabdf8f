"""Workbooks for the XLSForm tests, written cell by cell as an author would in Excel."""

from __future__ import annotations

from pathlib import Path


def write_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


SETTINGS = [["form_id", "form_title"], ["broken", "壊れた調書"]]
ROSTER = [["部局", "所属"], ["総務部", "総務課"]]


def broken_workbook(path: Path) -> Path:
    """One of every fault ``chosho check`` names, each at a known cell."""
    survey = [
        ["type", "name", "label", "relevant", "required"],
        ["select_one yn", "Q1", "問1", "", "yes"],  # row 2
        ["select_one nolist", "Q2", "問2", "", ""],  # 3: list missing from choices
        ["select_one yn", "Q2", "問2 もう一つ", "", ""],  # 4: duplicate name
        ["text", "Q3", "問3", "${Q4} = '1'", ""],  # 5: a later question
        ["select_one yn", "Q4", "問4", "${Q9} = '1'", ""],  # 6: unknown name
        ["select_one yn", "Q5", "問5", "${Q1} = = '1'", ""],  # 7: cannot parse, at character 9
        ["date", "Q6", "問6", "", ""],  # 8: a type chosho does not read
        ["begin_group", "sec", "見出し", "", ""],  # 9: never closed
        ["text", "Q7", "問7", "", ""],
    ]
    choices = [["list_name", "name", "label"], ["yn", 1, "はい"], ["yn", 1, "はい"], ["yn", 2, None]]
    return write_sheets(path, {"survey": survey, "choices": choices, "settings": SETTINGS, "所属一覧": ROSTER})
