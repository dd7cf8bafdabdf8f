"""Small modal dialogs: confirm, jump to a question, ask for a line of text."""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from survey import Questionnaire, Route

from ..keying import question_id_from
from ..widgets.folded import Folded
from . import FORMS_CSS

__all__ = ["ChoiceDialog", "ConfirmDialog", "JumpDialog", "TextDialog"]


class ConfirmDialog(ModalScreen[bool]):
    """Yes with Enter (or y), no with Escape (or n).

    The text scrolls inside the dialog (↑↓ PgUp PgDn) so that a long list, such as the answers
    a route change clears, never pushes the keys off an 80×24 screen. An indented line
    ("  Q2 …") is folded with its text hanging under the text after its first word.
    """

    CSS_PATH = FORMS_CSS

    BINDINGS = [
        Binding("enter,y", "answer(True)", "はい", priority=True),
        Binding("escape,n", "answer(False)", "いいえ", priority=True),
    ]

    def __init__(self, text: str, yes: str = "はい", no: str = "いいえ") -> None:
        super().__init__()
        self.text = text
        self.yes = yes
        self.no = no

    def compose(self) -> ComposeResult:
        paragraphs = []
        for line in self.text.split("\n"):
            item = re.match(r"( +\S+ )(.*)", line)  # "  Q2 ＬＩＮＥ 1 / …": hangs under ＬＩＮＥ
            paragraphs.append((item[1], item[2]) if item else ("", line))
        with Vertical(classes="dialog"):
            with VerticalScroll(classes="dialog-scroll"):
                yield Folded(paragraphs, classes="dialog-text")
            yield Label(self._keys(False), classes="dialog-keys", markup=False)

    def _keys(self, scrolls: bool) -> str:
        return f"Enter: {self.yes}　　Esc: {self.no}" + ("　　↑↓: 続きを表示" if scrolls else "")

    def on_mount(self) -> None:
        self.query_one(".dialog-scroll").focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_scroll_hint)

    def _show_scroll_hint(self) -> None:
        scroll = self.query_one(".dialog-scroll", VerticalScroll)
        self.query_one(".dialog-keys", Label).update(self._keys(scroll.max_scroll_y > 0))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceDialog(ModalScreen[str | None]):
    """One of a few choices by its key (1, 2 …, as written beside it); Escape cancels."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "choose(None)", "やめる", priority=True)]

    def __init__(self, text: str, choices: list[tuple[str, str, str]]) -> None:
        """``choices``: (key, value returned, label)."""
        super().__init__()
        self.text = text
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            with VerticalScroll(classes="dialog-scroll"):
                yield Folded([("", line) for line in self.text.split("\n")], classes="dialog-text")
                yield Folded([(f"{key}: ", label) for key, _, label in self.choices], classes="dialog-choices")
            yield Label("番号を押して選ぶ　　Esc: やめる", classes="dialog-keys", markup=False)

    def on_mount(self) -> None:
        self.query_one(".dialog-scroll").focus()

    def on_key(self, event) -> None:
        from survey.numbers import to_ascii_digits

        key = to_ascii_digits(event.character or "")  # １ typed through the IME is 1
        for shown, value, _ in self.choices:
            if key == shown:
                event.stop()
                self.dismiss(value)
                return

    def action_choose(self, value: str | None) -> None:
        self.dismiss(value)


class TextDialog(ModalScreen[str | None]):
    """One line of text (a reason, a comment); Escape cancels, empty is refused."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "cancel", "やめる")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # Folded, not Static: word wrapping broke 「Ｑ９⏎の疑義」 and 「（監査ログに残ります⏎）」.
            yield Folded([("", self.title_text)], classes="dialog-text")
            yield Input(value=self.value, placeholder=self.placeholder, id="dialog-input")
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Label("Enter: 決定　　Esc: やめる", classes="dialog-keys")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self.query_one("#dialog-error", Static).update("入力してください（やめる場合は Esc）。")
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class JumpDialog(ModalScreen[str | None]):
    """Go to a question by number: 8, Q8 and Ｑ８ all work."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "cancel", "やめる")]

    def __init__(self, questionnaire: Questionnaire, route: Route) -> None:
        super().__init__()
        self.questionnaire = questionnaire
        self.route = route

    def _example(self) -> str:
        """An example from this questionnaire: its eighth question by number and by id."""
        import unicodedata

        question = self.questionnaire.questions[min(7, len(self.questionnaire.questions) - 1)]
        number = "".join(ch for ch in unicodedata.normalize("NFKC", question.label) if ch.isdigit())
        return f"例: {number} または {question.id}" if number and number != question.id else f"例: {question.id}"

    def compose(self) -> ComposeResult:
        on_route = "、".join(self.route.order)
        with Vertical(classes="dialog"):
            yield Folded([("", f"移動する設問の番号（経路: {on_route}）")], classes="dialog-text")
            yield Input(placeholder=self._example(), id="dialog-input")
            yield Static("", id="dialog-error", classes="error", markup=False)
            yield Label("Enter: 移動　　Esc: やめる", classes="dialog-keys")

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        question_id = question_id_from(event.value, self.questionnaire.ids, (q.label for q in self.questionnaire.questions))
        if question_id is None:
            first, last = self.questionnaire.ids[0], self.questionnaire.ids[-1]
            self.query_one("#dialog-error", Static).update(
                f"「{event.value}」という設問はありません（{first}～{last}）。"
            )
            return
        self.dismiss(question_id)

    def action_cancel(self) -> None:
        self.dismiss(None)


def oldest_of(flags: list) -> str:
    """What a flag dialog says when the question has several open flags (it acts on the oldest)."""
    return f"（この問いの未解決の疑義 {len(flags)} 件のうち最も古いもの）" if len(flags) > 1 else ""


def flag_reply_dialog(label: str, flag, raiser: str, more: str) -> TextDialog:
    """The clerk's reply to a 疑義: one dialog from the entry and the review screen alike, holding
    the earlier reply (if any) to be corrected rather than retyped."""
    return TextDialog(
        f"{label} の疑義「{flag.comment}」（{raiser}）{more}に回答します。"
        "入力した内容は疑義を付けた人が確認画面で読み、解決済にします（入力した人は解決済にできません）。",
        placeholder="例: 用紙どおり 2 に修正しました",
        value=flag.reply or "",
    )


FLAG_REPLIED = "{label} の疑義に回答しました。解決済にするのは疑義を付けた人です。"
