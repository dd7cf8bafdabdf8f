"""Chosen cells of an xlsx, read as a bounded stream: what a returned form needs and nothing more.

A returned form is a few dozen KB, but a zip holds what it likes: a million cells in 48 KB
(cells need no address), a megabyte of compressed whitespace, a sheet that claims to be small.
Loading such a workbook whole took gigabytes. Here every part is checked for its unzipped size
before it is read, read through expat in chunks (a document type declaration — the door to
entity bombs and external entities — is refused), and only the cells asked for are kept; every
other cell is counted, and a sheet of more than ``MAX_CELLS`` cells is refused. Shared strings
are read the same way, keeping only the indexes the kept cells point at.

Memory is bounded by the cells asked for, whatever the file holds; time by the unzipped sizes.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.parsers import expat

from .import_types import ImportFileError

__all__ = ["MAX_CELLS", "MAX_PART_BYTES", "Book", "Cell", "open_book"]

MAX_PART_BYTES = 16 * 1024 * 1024  # one part (a sheet, the shared strings) unzipped; a form's is < 1 MB
MAX_CELLS = 50_000  # cells one sheet may hold; a form has about 600 (Excel may add styled empty ones)
MAX_ENTRIES = 2_000  # parts in the zip
CHUNK = 64 * 1024

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Built-in number formats that show a date or time (ECMA-376 18.8.30; 27–36 and 50–58 are the
# East Asian date formats Excel uses on Japanese Windows).
DATE_FORMAT_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])


@dataclass(frozen=True)
class Cell:
    kind: str  # "n" number, "s" text, "b" boolean, "e" error, "f" formula, "d" number shown as a date
    text: str  # the value as written (a formula's own text for "f")


@dataclass
class Book:
    """What ``open_book`` found: the sheets by name, the defined names, and the open zip."""

    zf: zipfile.ZipFile
    name: str  # the file's name, for messages
    sheets: dict[str, str]  # sheet name → part path
    hidden: dict[str, str]  # sheet name → state ("hidden", "veryHidden") where not visible
    names: dict[str, str]  # defined name (workbook scope) → its formula text, as written
    _dates: frozenset[int] | None = None
    _strings_part: str | None = None
    order: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.zf.close()

    def _refuse(self, what: str) -> ImportFileError:
        return ImportFileError(f"「{self.name}」{what}")

    def _stream(self, part: str, parser, limit: int = MAX_PART_BYTES) -> None:
        try:
            info = self.zf.getinfo(part)
        except KeyError as exc:
            raise self._refuse(f"の中に必要な部分（{part}）がありません。Excel で開いて保存し直してください。") from exc
        if info.file_size > limit:
            raise self._refuse(
                f"の中の {posixpath.basename(part)} は展開すると {info.file_size:,} バイトあり、大きすぎます"
                f"（上限 {limit:,} バイト）。"
            )
        read = 0
        try:
            with self.zf.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    read += len(chunk)
                    if read > limit:  # a size the zip's directory understated
                        raise self._refuse(f"の中の {posixpath.basename(part)} が記録された大きさより大きく、読めません。")
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except ImportFileError:
            raise
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError) as exc:
            raise self._refuse("の中身が壊れていて読めません。Excel で開いて保存し直してください。") from exc

    def date_styles(self) -> frozenset[int]:
        """Indexes of the cell styles (``s=``) that show a number as a date or time."""
        if self._dates is not None:
            return self._dates
        formats: dict[int, str] = {}
        xfs: list[int] = []
        state = {"in_xfs": False}

        def start(name: str, attrs: dict) -> None:
            local = name.rpartition(" ")[2]
            if local == "numFmt":
                formats[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
            elif local == "cellXfs":
                state["in_xfs"] = True
            elif local == "xf" and state["in_xfs"]:
                xfs.append(_int(attrs.get("numFmtId")))

        def end(name: str) -> None:
            if name.rpartition(" ")[2] == "cellXfs":
                state["in_xfs"] = False

        if "xl/styles.xml" in self.zf.NameToInfo:
            self._stream("xl/styles.xml", _parser(start, end))
        self._dates = frozenset(
            i for i, fmt in enumerate(xfs) if fmt in DATE_FORMAT_IDS or (fmt in formats and _is_date_format(formats[fmt]))
        )
        return self._dates

    def cells(
        self, sheet: str, wanted: set[str], *, max_cells: int = MAX_CELLS, max_row_cells: int | None = None,
        max_bytes: int = MAX_PART_BYTES,
        what: str = "調書の様式ではありません（様式のセルは数百です）",
    ) -> dict[str, Cell]:
        """The ``wanted`` cells (addresses like "D12") of ``sheet`` that hold something. A sheet
        of more than ``max_cells`` cells, or a row of more than ``max_row_cells``, is refused
        (``what`` says why that is too many) as soon as the count passes it."""
        part = self.sheets[sheet]
        row_cells = {"n": 0}
        limit = max_bytes
        found: dict[str, tuple[str, int, str, str | None]] = {}  # address → (t, style, value, formula)
        state = {"row": 0, "col": 0, "count": 0, "cell": None, "t": "", "s": 0, "v": [], "f": None, "in": None, "skip": 0}

        def start(name: str, attrs: dict) -> None:
            local = name.rpartition(" ")[2]
            if local == "row":
                state["row"] = _int(attrs.get("r")) or state["row"] + 1
                state["col"] = 0
                row_cells["n"] = 0
            elif local == "c":
                state["count"] += 1
                row_cells["n"] += 1
                if state["count"] > max_cells:
                    raise self._refuse(f"の「{sheet}」シートには {max_cells:,} を超えるセルがあります。{what}。")
                if max_row_cells is not None and row_cells["n"] > max_row_cells:
                    raise self._refuse(
                        f"の「{sheet}」シートの {state['row']} 行目には {max_row_cells:,} を超えるセルがあります。{what}。"
                    )
                ref = attrs.get("r")
                if ref:
                    col, row = _address(ref)
                    state["col"] = col or state["col"] + 1
                    if row:
                        state["row"] = row
                else:
                    state["col"] += 1
                address = _column(state["col"]) + str(state["row"])
                if address in wanted:
                    state.update(cell=address, t=attrs.get("t", "n"), s=_int(attrs.get("s")), v=[], f=None)
                else:
                    state["cell"] = None
            elif state["cell"] is not None:
                if local == "f":
                    state["f"] = []
                    state["in"] = "f"
                elif local in ("v", "t"):
                    state["in"] = "v"
                elif local == "rPh":  # phonetic guide (furigana) of inline text: not the value
                    state["skip"] += 1

        def end(name: str) -> None:
            local = name.rpartition(" ")[2]
            if local == "c" and state["cell"] is not None:
                formula = None if state["f"] is None else "".join(state["f"])
                found[state["cell"]] = (state["t"], state["s"], "".join(state["v"]), formula)
                state["cell"] = None
            elif local in ("f", "v", "t"):
                state["in"] = None
            elif local == "rPh":
                state["skip"] -= 1

        def text(data: str) -> None:
            if state["cell"] is None or state["skip"]:
                return
            if state["in"] == "v":
                state["v"].append(data)
            elif state["in"] == "f":
                state["f"].append(data)

        self._stream(part, _parser(start, end, text), limit=limit)
        strings = self._strings({_int(v) for t, _s, v, f in found.values() if t == "s" and f is None})
        dates = self.date_styles() if any(t == "n" for t, *_ in found.values()) else frozenset()
        out: dict[str, Cell] = {}
        for address, (t, style, value, formula) in found.items():
            if formula is not None:
                out[address] = Cell("f", "=" + formula if formula else "=")
            elif t == "s":
                out[address] = Cell("s", strings.get(_int(value), ""))
            elif t in ("inlineStr", "str"):
                out[address] = Cell("s", value)
            elif t == "b":
                out[address] = Cell("b", "TRUE" if value.strip() == "1" else "FALSE")
            elif t == "e":
                out[address] = Cell("e", value)
            elif value.strip():
                out[address] = Cell("d" if style in dates else "n", _number(value))
        return {a: c for a, c in out.items() if c.kind != "s" or c.text != ""}

    def _strings(self, indexes: set[int]) -> dict[int, str]:
        if not indexes:
            return {}
        part = self._strings_part or "xl/sharedStrings.xml"
        found: dict[int, list[str]] = {}
        state = {"index": -1, "keep": False, "in_t": False, "skip": 0}

        def start(name: str, attrs: dict) -> None:
            local = name.rpartition(" ")[2]
            if local == "si":
                state["index"] += 1
                state["keep"] = state["index"] in indexes
                if state["keep"]:
                    found[state["index"]] = []
            elif local == "rPh":
                state["skip"] += 1
            elif local == "t":
                state["in_t"] = True

        def end(name: str) -> None:
            local = name.rpartition(" ")[2]
            if local == "t":
                state["in_t"] = False
            elif local == "rPh":
                state["skip"] -= 1

        def text(data: str) -> None:
            if state["keep"] and state["in_t"] and not state["skip"]:
                found[state["index"]].append(data)

        self._stream(part, _parser(start, end, text))
        return {i: "".join(parts) for i, parts in found.items()}


def _parser(start, end, text=None):
    parser = expat.ParserCreate(namespace_separator=" ")

    def no_doctype(*_args) -> None:  # entity declarations live there: billion laughs, XXE
        raise expat.ExpatError("document type declaration")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.ExternalEntityRefHandler = no_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _int(text: str | None) -> int:
    try:
        return int(text) if text else 0
    except ValueError:
        return 0


_ADDRESS = re.compile(r"^\$?([A-Za-z]{1,3})?\$?(\d{1,7})?$")


def _address(ref: str) -> tuple[int, int]:
    """("D12") → (4, 12); a part missing is 0."""
    m = _ADDRESS.match(ref.strip())
    if not m:
        return 0, 0
    letters, digits = m.groups()
    col = 0
    for ch in (letters or "").upper():
        col = col * 26 + ord(ch) - 64
    return col, int(digits) if digits else 0


def _column(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _number(text: str) -> str:
    text = text.strip()
    try:
        value = float(text)
    except ValueError:
        return text
    if value != value or value in (float("inf"), float("-inf")):
        return text
    return str(int(value)) if value.is_integer() else repr(value)


def _is_date_format(code: str) -> bool:
    from openpyxl.styles.numbers import is_date_format

    try:
        return bool(is_date_format(code))
    except Exception:  # noqa: BLE001 - a format string openpyxl cannot judge is not a date
        return False


def open_book(path, name: str) -> Book:
    """The workbook's sheets and defined names, from workbook.xml and its relationships only."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error) as exc:
        raise ImportFileError(
            f"「{name}」を Excel ブック（xlsx）として読めません。壊れているか、xlsx ではないファイルです。"
        ) from exc
    book = Book(zf, name, {}, {}, {})
    try:
        if len(zf.infolist()) > MAX_ENTRIES:
            raise book._refuse(f"には {len(zf.infolist()):,} 個の部分があり、調書の様式ではありません。")
        sheets: list[tuple[str, str, str]] = []  # name, relationship id, state
        names: dict[str, list[str]] = {}
        current: dict = {"name": None, "local": False}

        def start(tag: str, attrs: dict) -> None:
            local = tag.rpartition(" ")[2]
            if local == "sheet":
                sheets.append((attrs.get("name", ""), attrs.get(f"{REL} id", ""), attrs.get("state", "visible")))
            elif local == "definedName":
                current["name"] = attrs.get("name", "")
                current["local"] = "localSheetId" in attrs  # a sheet's own name: not the form's
                if not current["local"]:
                    names[current["name"]] = []

        def end(tag: str) -> None:
            if tag.rpartition(" ")[2] == "definedName":
                current["name"] = None

        def text(data: str) -> None:
            if current["name"] is not None and not current["local"]:
                names[current["name"]].append(data)

        book._stream("xl/workbook.xml", _parser(start, end, text), limit=1024 * 1024)
        targets: dict[str, str] = {}

        def rel(tag: str, attrs: dict) -> None:
            if tag.rpartition(" ")[2] == "Relationship":
                target = attrs.get("Target", "")
                targets[attrs.get("Id", "")] = target
                if attrs.get("Type", "").endswith("/sharedStrings"):
                    book._strings_part = _resolve(target)

        book._stream("xl/_rels/workbook.xml.rels", _parser(rel, lambda _t: None), limit=1024 * 1024)
        for sheet, rid, state in sheets:
            if rid in targets:
                book.sheets[sheet] = _resolve(targets[rid])
                book.order.append(sheet)
                if state != "visible":
                    book.hidden[sheet] = state
        book.names = {n: "".join(parts) for n, parts in names.items()}
    except BaseException:
        zf.close()
        raise
    return book


def _resolve(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
