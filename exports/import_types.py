"""What an import reads and what it reports: shared by every reader (the 回答一覧 file, returned
forms) and the one function that checks and stores, :func:`exports.importer.import_records`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ImportFileError", "ImportReport", "Record", "Refusal"]

SHOWN = 500  # refusals and warnings printed; a whole sheet of faults is counted, not listed


class ImportFileError(Exception):
    """The file cannot be read as answers at all; the message says why (Japanese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Record:
    """One department's answers as read, before any check.

    ``cells`` maps 回答一覧 variable names (``layout.variables``: "Q1", "Q3_1", "Q3_5_text", …)
    to the cell text exactly as written; a variable absent from it is an empty cell.
    """

    source: str  # what messages name: file name, and sheet/row where it applies
    row: int | None  # row number in a 回答一覧 file; None for a returned form
    bukyoku: str  # 部局 as written ('' when not given)
    name: str  # 所属 as written
    cells: dict[str, str]
    unreadable: set[str] = field(default_factory=set)  # variables already refused by the reader
    # a repeat's rows read from its own sheet (exports/repeat_import.py): repeat id ->
    # [(Excel row, 行, field -> text)], and the sheet they came from
    tables: dict[str, list] = field(default_factory=dict)
    table_sheets: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    row: int | None  # as numbered in the file (Excel's row number, or the CSV record number)
    department: str
    where: str  # the question or column, or "" for the whole row
    message: str
    source: str = ""  # shown instead of the row when there is none (a returned form)

    def __str__(self) -> str:
        place = f"{self.row} 行目" if self.row is not None else self.source
        place += f" {self.department}" if self.department else ""
        return f"{place}{' ' + self.where if self.where else ''}: {self.message}"


@dataclass
class ImportReport:
    source: str  # the file (or set of files) named in the report's first line
    imported: bool = False
    checked_only: bool = False
    departments: int = 0  # departments with answers
    answers: int = 0
    empty_rows: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    warnings: list[Refusal] = field(default_factory=list)  # soft checks: kept, for review
    path: Path | None = None
    # required questions on a department's route that came in as empty cells (stored as 未入力)
    not_entered: list[tuple[Refusal, list[str]]] = field(default_factory=list)
    # Route incomplete: stays (or would stay) 入力中, with what is missing. The others are
    # (or would be) marked 入力済 by the import, so review can start at once.
    gaps: list[Refusal] = field(default_factory=list)
    entered: int = 0  # departments the import marked 入力済
    notes: list[str] = field(default_factory=list)  # harmless remarks (an extra sheet not read)
    department: str = ""  # the (last) department the file's answers are for, as 「所属（部局）」
    replaced: bool = False  # --replace: a department's earlier answers were replaced
    changed: int = 0  # answers written or cleared
    original_kept: bool = False  # the file was kept as the department's original (same transaction)

    def lines(self) -> list[str]:
        out = []
        if self.refusals:
            out.append(f"{self.source}: 取り込めない箇所が {len(self.refusals)} 件あるため、何も取り込んでいません。")
            out += [f"  {r}" for r in self.refusals[:SHOWN]]
            if len(self.refusals) > SHOWN:
                out.append(f"  …ほか {len(self.refusals) - SHOWN:,} 件（最初の {SHOWN} 件を示しました。直して取り込み直すと残りが出ます）")
        elif not self.departments:
            out.append(f"{self.source}: 取り込む回答がありません（列名の行のほかに、回答のある行がありません）。何も取り込んでいません。")
        elif self.imported and self.replaced:
            out.append(
                f"{self.source}: {self.department} の回答を置き換えました（変わった回答 {self.changed} 件。"
                "元の値は監査ログに残っています）。"
            )
        elif self.imported and self.departments == 1 and self.department:
            out.append(f"{self.source}: {self.department} の回答 {self.answers} 件を取り込みました。")
        elif self.imported:
            out.append(f"{self.source}: {self.departments} 所属の回答 {self.answers} 件を取り込みました。")
        else:
            who = f"{self.department} の" if self.departments == 1 and self.department else f"{self.departments} 所属の"
            out.append(f"{self.source}: 点検のみ。{who}回答 {self.answers} 件を取り込めます（まだ取り込んでいません）。")
        if self.warnings:
            out.append(f"要確認 {len(self.warnings)} 件（取り込みは妨げません。レビューで確かめてください）:")
            out += [f"  {w}" for w in self.warnings[:SHOWN]]
            if len(self.warnings) > SHOWN:
                out.append(f"  …ほか {len(self.warnings) - SHOWN:,} 件")
        if self.not_entered and not self.refusals:
            count = sum(len(labels) for _, labels in self.not_entered)
            out.append(
                f"経路上の必須の設問で空のセルが {count} 件（{len(self.not_entered)} 所属）あります。未入力として取り込み"
                + ("ました" if self.imported else "ます")
                + "。用紙が空欄なら、そのセルに「無回答」と書いて取り込んでください（空のセルは「まだ入力していない」の意味です）:"
            )
            for place, labels in self.not_entered:
                out.append(f"  {str(place).rstrip(': ')}: {'・'.join(labels)}")
        if not self.refusals and self.departments:
            done = self.departments - len(self.gaps)
            verb = "入力済にしました" if self.imported else "入力済になります"
            out.append(f"経路のすべての問いに回答（無回答・無効を含む）がある {done} 所属を{verb}。")
            if self.gaps:
                out.append(f"入力中のまま {len(self.gaps)} 所属（画面で残りを入力してください）:")
                out += [f"  {g}" for g in self.gaps]
        out += self.notes
        if self.empty_rows:
            out.append(f"空の行 {self.empty_rows} 行は読み飛ばしました。")
        return out
