"""A file of answers as a table of texts: xlsx read as a bounded stream, CSV decoded from its bytes.

Nothing is converted or guessed: codes stay text, "NA" stays "NA", an empty cell is "". What a
cell cannot honestly be read as text (a formula, an error value, a date) is kept aside with its
place, so the import refuses it by name instead of reading a cached value or nothing.

Bounds: a workbook says how big its sheet is (its dimension), and one stray cell at XFD1048576
makes a table of 17 billion cells for any reader that believes it. The sheet is therefore
streamed cell by cell (openpyxl's read-only parser, which yields only the cells the file
holds), and refused, naming the sheet and the cell, when its claimed or real extent passes
``max_rows`` × ``max_cols``. Memory stays flat in the claimed size.
"""

from __future__ import annotations

import csv
import io
import math
import re
import stat
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from db.location import name_problem, shown_name

from .import_types import ImportFileError

__all__ = ["MAX_BYTES", "MAX_CSV_BYTES", "MAX_ROWS", "Table", "cell_problem", "column_letter", "decode_csv", "file_problem", "read_table"]

MAX_ROWS = 10_000  # rows of a 回答一覧: one per department, far above any roster
MAX_BYTES = 100 * 1024 * 1024  # one sheet's XML once unzipped
# 10,000 rows of every column is about 20 MB; a bound also on one line of nothing but commas
MAX_CSV_BYTES = 32 * 1024 * 1024
EXCEL_COLUMNS = 16_384  # XFD: no row of a real sheet holds more cells
MAX_XLSX_BYTES = 64 * 1024 * 1024  # a 回答一覧 workbook on disk (compressed); refused before it is opened


@dataclass
class Table:
    rows: list[tuple[int, list[str]]]  # (row number as the file numbers it, cells as text)
    unreadable: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column index) → why
    sheet: str = ""  # the sheet read (xlsx), for messages
    csv: bool = False  # rows keep their own length (a short CSV row is a fault, not padding)

    def place(self, row: int, index: int) -> str:
        """A cell as a clerk finds it: 「セル C5」 in a workbook, 「5 行目の 3 列目」 in a CSV."""
        if self.csv:
            return f"{row} 行目の {index + 1} 列目"
        return f"セル {column_letter(index + 1)}{row}"


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def file_problem(path: Path, limit: int) -> str | None:
    """What makes ``path`` no file to read, said before opening it (opening a FIFO waits for a
    writer; /dev/zero never ends): missing, a folder, a device or pipe, or too big."""
    shown = shown_name(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"ファイル「{shown}」がありません。"
    except PermissionError:
        return f"「{shown}」を読む権限がありません。"
    except OSError as exc:
        return f"「{shown}」を読めません（読み込めませんでした。ファイルと権限を確かめてください）。"
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        return f"「{shown}」はフォルダです。ファイルを指定してください。"
    if not stat.S_ISREG(mode):
        kind = (
            "名前付きパイプ（FIFO）" if stat.S_ISFIFO(mode) else "デバイス" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "ソケット" if stat.S_ISSOCK(mode) else "特殊なファイル"
        )
        return f"「{shown}」は{kind}で、通常のファイルではありません。取り込めるのは通常のファイルだけです。"
    if info.st_size > limit:
        return f"「{shown}」は {info.st_size:,} バイトあり、大きすぎます（上限 {limit:,} バイト）。"
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def read_table(path: Path, *, max_cols: int, preferred_sheet: str, max_rows: int = MAX_ROWS) -> Table:
    """The file's rows as text, or ImportFileError (Japanese) saying why it cannot be read."""
    if problem := name_problem(path, "取り込むファイル"):
        raise ImportFileError(problem)
    if problem := file_problem(path, max(MAX_CSV_BYTES, MAX_XLSX_BYTES)):
        raise ImportFileError(problem)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            return _read_xlsx(path, max_cols=max_cols, max_rows=max_rows, preferred_sheet=preferred_sheet)
        if suffix in (".csv", ".txt"):
            return _read_csv(path, max_rows=max_rows, max_cols=max_cols)
    except PermissionError as exc:
        raise ImportFileError(f"「{shown_name(path)}」を読む権限がありません。") from exc
    except OSError as exc:  # the OS's own text is English: say what happened in Japanese
        raise ImportFileError(f"「{shown_name(path)}」を読めません（ファイルを読み込めませんでした）。") from exc
    if suffix == ".xls":
        raise ImportFileError(
            f"「{shown_name(path.name)}」は古い Excel 形式（.xls）です。Excel で「Excel ブック（*.xlsx）」として保存し直してください。"
        )
    raise ImportFileError(f"「{shown_name(path.name)}」は読めない形式です。xlsx か CSV を指定してください。")


# -- xlsx -------------------------------------------------------------------------------------

_TOO_BIG = "回答一覧として読めるのは {cols} 列（{last}）× {rows:,} 行までです。不要な行・列を削除して保存し直してください。"


def _read_xlsx(path: Path, *, max_cols: int, max_rows: int, preferred_sheet: str) -> Table:
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser

    limits = {"cols": max_cols, "last": column_letter(max_cols), "rows": max_rows}
    _count_cells(path, preferred_sheet, max_rows=max_rows, max_cols=max_cols)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl's own: the file is not a workbook it can read
        raise ImportFileError(
            f"「{shown_name(path.name)}」を Excel ブック（xlsx）として読めません。壊れているか、xlsx ではないファイルです。"
            "Excel で開けるなら「Excel ブック（*.xlsx）」として保存し直してください。"
        ) from exc
    try:
        names = book.sheetnames
        sheet = preferred_sheet if preferred_sheet in names else names[0]
        ws = book[sheet]
        claimed = None
        if (ws.max_row or 0) > max_rows or (ws.max_column or 0) > max_cols:
            # refused whatever the cells say; streaming them first (never padded, so as cheap as
            # the file is small) finds the cell to name, which the claimed range alone does not
            claimed = f"{column_letter(ws.min_column or 1)}{ws.min_row or 1}:{column_letter(ws.max_column or 1)}{ws.max_row or 1}"
        try:
            size = book._archive.getinfo(ws._worksheet_path).file_size
        except (KeyError, AttributeError):
            size = 0
        if size > MAX_BYTES:
            raise ImportFileError(
                f"「{shown_name(path.name)}」の「{sheet}」シートは展開すると {size // 2**20:,} MB あり、回答一覧としては大きすぎます。"
            )
        rows: list[tuple[int, list[str]]] = []
        unreadable: dict[tuple[int, int], str] = {}
        width = 0
        with ws._get_source() as source:
            parser = WorkSheetParser(
                source, ws._shared_strings, data_only=False, epoch=book.epoch,
                date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
            )
            for number, cells in parser.parse():
                held = [c for c in cells if c["value"] is not None and c["value"] != ""]
                if not held:
                    continue  # a formatted but empty row says nothing
                far = next((c for c in held if c["column"] > max_cols or number > max_rows), None)
                if far is not None:
                    raise ImportFileError(
                        f"「{shown_name(path.name)}」の「{sheet}」シートのセル {column_letter(far['column'])}{number} に値があります。"
                        + _TOO_BIG.format(**limits)
                    )
                texts = [""] * held[-1]["column"]
                for c in held:
                    index, value, kind = c["column"] - 1, c["value"], c["data_type"]
                    if isinstance(value, (datetime, date, time, timedelta)):
                        kind = "d"
                    if why := cell_problem(kind, _text(value)):
                        unreadable[(number, index)] = why
                    texts[index] = _text(value)
                width = max(width, len(texts))
                rows.append((number, texts))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML or openpyxl faults inside a workbook that opened
        # a damaged sheet inside a readable zip, or a sheet that holds no cells (a chart sheet)
        raise ImportFileError(f"「{shown_name(path.name)}」のシートの中身が壊れていて読めません。Excel で開いて保存し直してください。") from exc
    finally:
        book.close()
    if claimed is not None:  # no value beyond the bounds, but formats or a stale range claim them
        raise ImportFileError(
            f"「{shown_name(path.name)}」の「{sheet}」シートは使用範囲が {claimed} と記録されています（値のあるセルはその内側です）。"
            + _TOO_BIG.format(**limits)
        )
    # a workbook leaves trailing empty cells out: pad, so only a CSV can have a short row
    return Table([(n, t + [""] * (width - len(t))) for n, t in rows], unreadable, sheet=sheet)


def _count_cells(path: Path, preferred_sheet: str, *, max_rows: int, max_cols: int) -> None:
    """Count the sheet's cells before openpyxl parses it: its parser builds a whole row in
    memory, and a row of a million cells without addresses is 48 KB zipped and a gigabyte
    parsed. Counting with expat keeps nothing; a row of more cells than a sheet can have
    columns, or a sheet of far more cells than a 回答一覧 can hold, is refused here."""
    from .xlsx_cells import open_book

    import zipfile

    if not zipfile.is_zipfile(path):
        return  # not a workbook at all: openpyxl says so in its own words below
    try:
        book = open_book(path, shown_name(path.name))  # a damaged or entity-laden workbook.xml is refused here
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - what zipfile raises for a damaged directory varies
        raise ImportFileError(f"「{shown_name(path.name)}」の中身が壊れていて読めません。Excel で開いて保存し直してください。") from exc
    try:
        sheet = preferred_sheet if preferred_sheet in book.sheets else (book.order[0] if book.order else None)
        if sheet is not None:
            book.cells(
                sheet, set(), max_cells=2 * max_rows * max_cols, max_row_cells=EXCEL_COLUMNS, max_bytes=MAX_BYTES,
                what=f"回答一覧として読めるのは {max_rows:,} 行・{max_cols} 列までです",
            )
    finally:
        book.close()


def cell_problem(kind: str, text: str) -> str | None:
    """Why a cell cannot be read as an answer, or None: the one rule for every xlsx import (a
    回答一覧 sheet and a returned form). ``kind``: "f" formula, "e" error value (#N/A), "b" a
    TRUE/FALSE cell, "d" a number shown as a date or time; anything else is read as written."""
    if kind == "f":
        return f"数式のセルです（{_short(text)}）。数式は取り込みません。値として貼り付けてから取り込んでください。"
    if kind == "e":
        return f"エラー値のセルです（{_short(text)}）。"
    if kind == "b":
        return f"論理値（{text}）のセルです。回答は番号か文字で書いてください（セルの書式を「文字列」にして入力し直してください）。"
    if kind == "d":
        return "日付・時刻のセルです。回答は番号か文字で書いてください（セルの書式を「文字列」にして入力し直してください）。"
    return None


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- CSV --------------------------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"))


def decode_csv(raw: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV and the encoding it was in: a BOM (UTF-8, UTF-16 LE/BE) decides; without
    one, strict UTF-8, then CP932 (「CSV（コンマ区切り）」 from Excel on Japanese Windows)."""
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec), label
            except UnicodeDecodeError as exc:
                line = raw[: exc.start].decode(codec, errors="replace").count("\n") + 1
                raise ImportFileError(
                    f"「{name}」は {label} の印（BOM）で始まりますが、{line} 行目が {label} として読めません。"
                ) from exc
    if b"\x00" in raw:  # no text file holds NUL; UTF-16 without a BOM is full of them
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise ImportFileError(
            f"「{name}」の {line} 行目に NUL 文字があります。BOM のない UTF-16 のファイルかもしれません。"
            "Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。"
        )
    for decode, label in ((_utf8, "UTF-8"), (_cp932, "Shift_JIS（CP932）")):
        try:
            return decode(raw), label
        except UnicodeDecodeError:
            continue
    lines = raw.split(b"\n")
    bad = next((i for i, line in enumerate(lines, 1) if not _decodes(line)), None)
    if bad is None:  # every line is one or the other: two files pasted together
        bad = next(i for i, line in enumerate(lines, 1) if not _decodes(line, (_utf8,)))
        raise ImportFileError(
            f"「{name}」は UTF-8 の行と Shift_JIS（CP932）の行が混ざっています（{bad} 行目から UTF-8 として読めません）。"
            "一つの文字コードで保存し直してください。"
        )
    raise ImportFileError(
        f"「{name}」の {bad} 行目が UTF-8 としても Shift_JIS（CP932）としても読めません。"
        "Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。"
    )


def _utf8(raw: bytes) -> str:
    return raw.decode("utf-8")


# Bytes Python's cp932 maps although no Japanese text holds them (0x80, 0xA0, 0xFD–0xFF): a file
# that needs them is not Shift_JIS text, so it is refused rather than read as odd characters.
_NOT_CP932_TEXT = re.compile("[\x80\uf8f0-\uf8f3]")


def _cp932(raw: bytes) -> str:
    text = raw.decode("cp932")
    odd = _NOT_CP932_TEXT.search(text)
    if odd:
        raise UnicodeDecodeError("cp932", raw, odd.start(), odd.start() + 1, "not text")
    return text


def _decodes(line: bytes, decoders=(_utf8, _cp932)) -> bool:
    for decode in decoders:
        try:
            decode(line)
        except UnicodeDecodeError:
            continue
        return True
    return False


def _read_csv(path: Path, *, max_rows: int, max_cols: int) -> Table:
    size = path.stat().st_size
    if size > MAX_CSV_BYTES:
        raise ImportFileError(f"「{shown_name(path.name)}」は {size // 2**20:,} MB あり、回答一覧としては大きすぎます。")
    with open(path, "rb") as f:  # at most the ceiling, though the file grew since it was measured
        raw = f.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise ImportFileError(f"「{shown_name(path.name)}」は読んでいる間に大きくなり、回答一覧としては大きすぎます。")
    text, _encoding = decode_csv(raw, shown_name(path.name))
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)  # an unclosed quote is refused, not read to the end
    rows = []
    try:
        for record in reader:
            number = len(rows) + 1
            if number > max_rows:
                raise ImportFileError(
                    f"「{shown_name(path.name)}」は {max_rows:,} 行を超えています（{reader.line_num} 行目）。回答一覧として読めるのは {max_rows:,} 行までです。"
                )
            if len(record) > max_cols:
                far = next((i for i in range(max_cols, len(record)) if record[i].strip()), None)
                if far is not None:
                    raise ImportFileError(
                        f"「{shown_name(path.name)}」の {reader.line_num} 行目の {far + 1} 列目に値があります。"
                        f"回答一覧として読めるのは {max_cols} 列までです。列がずれていないか確かめてください。"
                    )
                del record[max_cols:]  # trailing empty fields say nothing
            rows.append((number, record))
    except csv.Error as exc:
        raise ImportFileError(
            f"「{shown_name(path.name)}」の {reader.line_num} 行目を CSV として読めません（引用符「\"」の閉じ忘れや、長すぎる値がないか確かめてください）。"
        ) from exc
    return Table(rows, csv=True)

