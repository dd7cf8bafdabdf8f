"""Every key, screen by screen, in Japanese."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label

from ..widgets.folded import Folded, Paragraph, fold
from . import FORMS_CSS

__all__ = ["HelpScreen", "HELP_TEXT", "SCREEN_SECTIONS", "help_entries", "help_paragraphs", "section_for"]

HELP_TEXT = """\
[b]chosho の操作キー[/]（マウスは不要です。Ctrl+P でコマンド一覧も開けます）

[b]所属一覧[/]
  文字を入力      所属名・部局名で絞り込み（日本語入力可）
  ↑ ↓ PgUp PgDn   所属を選ぶ
  Enter           選んだ所属を開く（前回の続き＝経路上の最初の未入力の問いから）
  F3              照合入力（二人目が最初の入力を見ずにもう一度入力）
  F4              突合（二つの入力の相違を解決。入力者以外の人が）
  F5              照合対象の抽出（全所属・N 所属ごと・無作為・手で）
  F6              その所属の点検一覧
  F7              その所属を確認（確認画面。一覧に見えている所属を順に）
  F8              確認待ち一覧
  F9              集計用 Excel ブックを出力（進み具合を表示。chosho export と同じ内容）
  F2              集計画面（設問ごとの所属数と割合を横棒で。Excel の集計と同じ数字）
  Ctrl+T          入力者統計（各入力者の速さと誤りの率、日ごと）
  Esc             絞り込みを解除
  疑義の列        確認者が付けた未解決の疑義の数
  状態の列        未入力・入力中・入力済・確認済・確定
  照合の列        照合入力待ち・照合入力中・突合待ち・照合済（空欄は照合の対象外）

[b]入力画面[/]（経路上の問いを順に表示します）
  番号            用紙の番号をそのまま入力（全角数字も可）。番号が確定した時点で記録し次へ
                  （10 以上の番号がある問いでは「1」は Enter か次の数字を待ちます）
  複数回答        番号を押すたびに選択・解除。Enter で記録して次へ
  記入欄          番号を選ぶと記入欄が開きます。Enter で記録して次へ
  長い記述        Enter は改行。Tab で記録して次へ
  表形式・人数    1 行ずつ入力し、行ごとに記録。Enter で次の行（記録済みの行は空の Enter で
                  そのまま）。Delete（空の欄で）はその行を無回答に
  行の表          契約ごとの表などは 1 行ずつ、列ごとに入力して Enter。行の最後の列で行を記録
                  （↑↓ で行の移動。F2 / F3 はその欄を無回答 / 無効に）
  F8 / F9 / F10   行の表で：行を末尾に追加 / この行の前に挿入 / この行を削除（確認あり）
  Enter / Tab     次へ（記録済みの問いはそのまま次へ）
  Shift+Tab       前の問いへ（PgUp / PgDn も可）
  F2              無回答（用紙が空欄）
  F3              無効（読めない・単一回答に複数の丸など。入力中の文字を控えとして残します）
  F4              非該当（用紙の指示で所属が回答しなかった問いだけ）
  F5              設問番号を指定して移動
  F6              点検一覧（未入力・無回答・要確認の一覧。F9 で入力済にする）
  Ctrl+O          返送された原本（様式の xlsx・PDF）を OS のビューアで開く
  Esc             所属一覧へ戻る

  確定した所属は閲覧のみです（番号・F2～F4 は受け付けません。Enter / Tab で次の問いへ）。

  回答は受け付けた時点で保存されます。経路が変わる回答を直すと、経路から外れる回答の一覧を示して確認します（消去した回答も監査ログに残ります）。
  誤りは赤で理由と入力できる値を示し、要確認（黄）は記録したうえで表示し、Enter でそのまま次へ進めます。

[b]点検一覧[/]
  Enter           選んだ問いへ
  F9              入力済にする（経路上の問いがすべて記録されていること）
  Esc             所属一覧へ

[b]確認画面[/]（用紙と同じ並びで、回答・入力者と日時・要確認・疑義を表示）
  ↓ Enter PgDn    次の問い（↑ PgUp で前の問い）
  Home / End      最初の問い / 最後の問い
  Ctrl+↓ Ctrl+↑   長い問いの続きを表示
  F2              この問いに疑義を付ける（入力者の画面と所属一覧に表示）
  F3              この問いの疑義を解決済にする（どう解決したかを入力）。
                  入力・変更した人は回答を記録（解決済にするのは疑義を
                  付けた人か、入力していない人）
  F5              設問番号を指定して移動
  F6              一覧（全設問を 1 画面で。Enter でその問いへ）
  F7 / F8         前の所属 / 次の所属
  F9              確認済にする（自分が入力・変更した所属、未解決の
                  疑義や誤りがある所属、照合が済んでいない所属は
                  できません（理由は上の行に表示）。経路上の問いを
                  すべて表示してから：一問ずつか F6 の一覧で）
  Ctrl+F          確定する（確認済の所属だけ。以後は入力画面で編集不可）
  Ctrl+U          確定を解除する（理由を入力。確認済も取り消される。
                  入力・変更した人は解除できません）
  Ctrl+O          返送された原本（様式の xlsx・PDF）を OS のビューアで開く
  Esc             戻る
  文字キーは使いません（日本語入力がオンのままで操作できます）。

[b]集計画面[/]（所属一覧の F2。開いた時点の集計）
  ↑ ↓ PgUp PgDn   設問を送る（Home / End で最初 / 最後）
  F2              集計する所属を切り替え（入力済以降／確認済のみ／入力中も含む）
  F5              読み直して集計し直す
  Esc             所属一覧へ戻る

[b]確認待ち一覧[/]（確認待ち・疑義の解決・確定待ちの所属）
  文字を入力      所属名・部局・状態・入力者で絞り込み
                  （「疑義」「要確認」「自分」でも絞り込めます）
  ↑ ↓ Enter       選んで確認画面へ（F7 / F8 でこの一覧の所属を順に）
  Esc             絞り込みを解除（空なら所属一覧へ）

[b]突合画面[/]（所属一覧の F4。相違を経路を決める回答から順に表示）
  ↑ ↓ PgUp PgDn   相違を選ぶ（下の欄に両方の入力の全文）。Home / End で最初 / 最後
  1               1回目（最初の入力）を採用
  2               2回目（照合入力）を採用
  3 / F2          第三の値を入力。どちらの入力とも違う値なら理由も入力。
                  無回答・無効（用紙の記載）・非該当・記入なし も入力できます
  F9              突合を終え、結果をこの所属の回答にする（すべて解決してから）
  Esc             所属一覧へ
  経路外になった相違は「不要（経路外）」と表示し、解決は要りません。
  経路上に入ったのにどちらにも値がない問いは「値が必要」（3 で入力）。
  最初の入力者と照合入力者は突合できません。

[b]照合対象の抽出[/]（所属一覧の F5）
  ↑ ↓ / 1～4     抽出方法（全所属・N 所属ごと・無作為 k%・手で選ぶ）
  Tab             次の欄（間隔・割合、シード、所属）
  Enter           抽出結果を表示。もう一度 Enter で記録
                  （シードが空欄なら新しいシードを決めて表示・記録）
  Esc             やめる
  手で選ぶ        所属名（一部でも可）か名簿の番号を 、 や , で区切って
                  （例: 政策課、総務課 / 1,5,10-12）。一度選んだ所属は対象のまま

[b]入力者統計[/]（上が入力者ごとの合計、下が日ごと。Excel の「入力者統計」シートと同じ数）
  ↑ ↓ PgUp PgDn   スクロール
  Esc             所属一覧へ

[b]全体[/]
  F1              このヘルプ
  Ctrl+P          コマンド一覧
  Ctrl+Q          終了（入力済みの回答はすべて保存済みです）
"""


# "  F9              確認済にする…": the key and the spaces after it (two or more) are the
# prefix, so that a description folded on a narrow screen hangs under itself, not under F9.
_KEY_COLUMN = re.compile(r"( *(?:\S.*?\s{2,})?)(\S.*)")
# A line indented to the description column continues the entry above it: HELP_TEXT keeps
# its lines short to be read as source, the screen folds each entry to its own width.
_CONTINUATION = re.compile(r" {18}(\S.*)")
_HEADING = re.compile(r"\[b\](.+?)\[/\]")

# The section of the help each screen opens it at (by class name, so that a subclass such as
# the second keying's entry screen opens at its parent's), F1 opening at the top elsewhere.
SCREEN_SECTIONS = {
    "DepartmentsScreen": "所属一覧",
    "EntryScreen": "入力画面",
    "SummaryScreen": "点検一覧",
    "ReviewScreen": "確認画面",
    "ReviewQueueScreen": "確認待ち一覧",
    "AdjudicationScreen": "突合画面",
    "KeyersScreen": "入力者統計",
}


def _joined(text: str) -> list[str]:
    """HELP_TEXT's lines with each entry's continuation lines joined to it."""
    lines: list[str] = []
    for line in text.splitlines():
        more = _CONTINUATION.fullmatch(line)
        if more and lines and lines[-1].strip():
            before, after = lines[-1], more[1]
            space = " " if before[-1:].isascii() and after[:1].isascii() else ""
            lines[-1] = before.rstrip() + space + after
        else:
            lines.append(line)
    return lines


def help_entries(text: str = HELP_TEXT) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help as (section heading, [(key, what it does)]) in order; a line without a key
    column (a note, the words after a heading) has the key ""."""
    sections: list[tuple[str, list[tuple[str, str]]]] = [("", [])]
    for line in _joined(text):
        heading = _HEADING.match(line)
        if heading:
            rest = line[heading.end():].strip()  # 「（経路上の問いを順に表示します）」
            sections.append((heading[1], [("", rest)] if rest else []))
            continue
        if not line.strip():
            continue
        match = _KEY_COLUMN.fullmatch(Text.from_markup(line).plain)
        sections[-1][1].append((match[1].strip(), match[2].strip()))
    return sections


def section_for(screens: Sequence[object]) -> str | None:
    """The section for the topmost screen of ``screens`` (a stack, bottom first) that has one."""
    for screen in reversed(screens):
        for cls in type(screen).__mro__:
            if cls.__name__ in SCREEN_SECTIONS:
                return SCREEN_SECTIONS[cls.__name__]
    return None


def help_paragraphs(text: str = HELP_TEXT) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    for line in _joined(text):
        styled = Text.from_markup(line)
        match = _KEY_COLUMN.fullmatch(styled.plain)
        if match is None:  # an empty line
            paragraphs.append(("", styled))
            continue
        prefix, body = styled.divide([len(match[1])]) if match[1] else (Text(""), styled)
        paragraphs.append((prefix, body))
    return paragraphs


class HelpScreen(ModalScreen[None]):
    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape,f1,q", "close", "閉じる")]

    def __init__(self, section: str | None = None) -> None:
        super().__init__()
        self.section = section
        self._paragraphs = help_paragraphs()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            with VerticalScroll(id="help-scroll"):
                yield Folded(self._paragraphs, id="help-text")
            yield Label("Esc / F1: 閉じる　　↑↓ PgUp PgDn: スクロール", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
        if self.section:
            self.call_after_refresh(self._show_section)

    def section_line(self, width: int) -> int:
        """The line the section's heading is on, with the help folded to ``width``."""
        line = 0
        for prefix, body in self._paragraphs:
            heading = isinstance(body, Text) and bool(body.spans) and not str(prefix)  # [b]…[/]
            if heading and body.plain.startswith(self.section):
                return line
            line += len(fold(prefix, body, width))
        return 0

    def _show_section(self) -> None:
        text = self.query_one("#help-text", Folded)
        self.query_one("#help-scroll", VerticalScroll).scroll_to(
            y=self.section_line(text.content_size.width), animate=False, immediate=True
        )

    def action_close(self) -> None:
        self.dismiss(None)
