"""Answer fields, one class per question *type*, built from the definition.

A field is a small state machine plus its display. It owns no input box: the entry screen's
single key line (``KeyLine``) feeds it every keystroke *synchronously*, in the order typed,
so a clerk typing ahead of the screen (「1」 for Q1, then Q2's codes at once) never has a key
land in the wrong question. The field answers with an ``Outcome``; the screen validates,
stores and moves on. No question has a field of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text as RichText
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, TextArea

from survey import Blank, Counts, Grid, InputError, Invalid, Multi, Question, QuestionType, Single, Text, Value
from survey.answers import EMPTY_LABELS, clean_text, parse_amount, parse_cell, parse_code, parse_count, parse_day
from survey.numbers import grouped, is_whole, parse_whole

from ..keying import CodeLineRest, complete_code, normalize, split_codes
from .editor import AnswerEditor
from .folded import Folded

__all__ = ["AnswerField", "Outcome", "field_for", "options_paragraphs"]


@dataclass(frozen=True)
class Outcome:
    """What a keystroke led to. ``line``: the key line's new content (None leaves it)."""

    value: Value | None = None
    advance: bool = True
    problem: str | None = None
    move_on: bool = False
    line: str | None = None
    row: tuple | None = None  # a repeat's row to store at once: (op "set" / "insert", index, cells)


def options_paragraphs(question: Question, chosen=frozenset(), multi: bool = False, recorded=None) -> list:
    """Options as folded paragraphs, so long labels (Q14) hang under their own text.

    ``recorded``: a multiple choice's recorded ticks, when ``chosen`` holds ticks not recorded
    yet: a new tick shows [+] and a removed one [-], neither in reverse, until Enter records.
    """
    recorded = chosen if recorded is None else recorded
    rows = []
    for option in question.options:
        picked = option.code in chosen
        if multi and picked != (option.code in recorded):
            mark, style = ("[+]", "bold underline") if picked else ("[-]", "strike")
            label = option.label + ("（記入欄あり）" if question.text_box(option.code) else "")
            rows.append((RichText(f"{mark}{option.code:>2} ", style=style), RichText(label, style=style)))
            continue
        mark = ("[x]" if picked else "[ ]") if multi else (" * " if picked else "   ")
        style = "bold reverse" if picked else ""
        label = option.label + ("（記入欄あり）" if question.text_box(option.code) else "")
        rows.append((RichText(f"{mark}{option.code:>2} ", style=style), RichText(label, style=style)))
    return rows


def _codes_hint(question: Question) -> str:
    codes = question.codes
    return f"{min(codes)}～{max(codes)}" if codes else ""


class AnswerField(Vertical):
    """Base: what every field offers the entry screen."""

    uses_key_line = True

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.value = value
        self.route_choice_for: type | None = None
        self.invalid_raw: str = ""  # what the paper showed, kept with 無効
        self.taking_invalid = False  # F3 pressed: the key line takes the paper's marks
        self.rest = CodeLineRest()  # what follows a code taken as typed: never this field's text

    # -- what the key line shows -----------------------------------------------------------

    def prompt(self) -> str:
        if self.taking_invalid:
            return "無効の記載"
        if self.route_choice_for is not None:
            return "経路の番号"
        return "番号"

    def placeholder(self) -> str:
        if self.taking_invalid:
            return "用紙の記載（例: 1,2）を控えて Enter（空でも可）"
        if self.route_choice_for is not None:
            return "仮定する番号（仮定しない場合はそのまま Enter）"
        return f"番号 {_codes_hint(self.question)}"

    def line_text(self) -> str:
        """What the key line holds when the field (or a phase of it) starts."""
        return ""

    @property
    def takes_codes(self) -> bool:
        """The key line takes codes or numbers now (not an option's text, not 無効's marks)."""
        return self.uses_key_line and not self.taking_invalid and not self.in_text_box

    @property
    def in_text_box(self) -> bool:
        return False

    # -- keys (called synchronously by the key line) ---------------------------------------

    def typed(self, text: str) -> Outcome | None:
        return None

    def entered(self, text: str) -> Outcome:
        return Outcome(move_on=True)

    def commit(self, text: str) -> Outcome:
        """Tab / PageDown: as Enter."""
        return self.entered(text)

    def raw_text(self, text: str) -> str:
        """The paper's marks kept with 無効, as typed (「１と２に〇」 stays full-width)."""
        return clean_text(text)

    def after_save(self, value: Value) -> bool:
        """The value was stored; return True to stay (a text box or a later row follows)."""
        self.value = value
        self.route_choice_for = None
        self.taking_invalid = False
        self.refresh_display()
        return False

    def refresh_display(self) -> None:
        pass

    def refused(self) -> None:
        """The screen could not store the value this field offered."""

    def empty_entered(self, kind: type, raw: str) -> Outcome | None:
        """F2 / F3 on a field with parts of its own (a repeat's cell): its outcome, or None
        when 無回答 / 無効 is the whole question's."""
        return None

    def reset(self) -> None:
        """Back to what is recorded (a route change was declined)."""
        self.refresh_display()

    # -- 無回答 / 無効 on a routing question ---------------------------------------------------

    def ask_route_choice(self, kind: type) -> None:
        self.route_choice_for = kind
        self.refresh_display()

    def _route_choice_text(self) -> str:
        if self.route_choice_for is None:
            return ""
        return (
            f"{EMPTY_LABELS[self.route_choice_for]}として記録します。経路を仮定する番号を入力して Enter"
            "（仮定しない場合はそのまま Enter。経路未確定として点検に残ります）"
        )

    def _update_route_choice(self) -> None:
        label = self.query_one("#route-choice", Label)
        label.update(self._route_choice_text())
        label.display = self.route_choice_for is not None

    def _route_choice(self, text: str) -> Outcome:
        kind = self.route_choice_for
        text = normalize(text).strip()
        extra = {"raw": self.invalid_raw} if kind is Invalid else {}
        if not text:
            return Outcome(value=kind(**extra), line="")
        if is_whole(text) and parse_whole(text) in self.question.codes:
            return Outcome(value=kind(route_as=parse_whole(text), **extra), line="")
        codes = "、".join(str(c) for c in self.question.codes)
        return Outcome(problem=f"経路の番号は {codes} のどれかです（仮定しない場合は空のまま Enter）。")

    def _route_choice_label(self) -> ComposeResult:
        label = Label(self._route_choice_text(), id="route-choice", classes="hint")
        label.display = self.route_choice_for is not None
        yield label


class SingleField(AnswerField):
    """Type the number as on the paper; a complete code is taken at once."""

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(question, value, **kwargs)
        self.text_code: int | None = None  # an option's text box is open

    def compose(self) -> ComposeResult:
        yield Folded(options_paragraphs(self.question, self._chosen()), id="options")
        yield from self._route_choice_label()
        yield Folded(self._box_hint(), id="box-hint", classes="hint")

    def _box_hint(self) -> list:
        if self.text_code is None:
            return []
        box = self.question.text_box(self.text_code)
        return [(f"{self.text_code} の記入欄: ", box.prompt + "（下の欄に入力して Enter）")]

    def _chosen(self) -> set[int]:
        return {self.value.code} if isinstance(self.value, Single) else set()

    def refresh_display(self) -> None:
        if not self.is_mounted:  # compose draws the current state
            return
        self.query_one("#options", Folded).update(options_paragraphs(self.question, self._chosen()))
        self._update_route_choice()
        self.query_one("#box-hint", Folded).update(self._box_hint())

    def prompt(self) -> str:
        if self.text_code is not None:
            return f"{self.text_code} の記入欄"
        return super().prompt()

    def placeholder(self) -> str:
        if self.text_code is not None:
            return self.question.text_box(self.text_code).prompt + "（Enter で次へ）"
        return super().placeholder()

    @property
    def in_text_box(self) -> bool:
        return self.text_code is not None

    def line_text(self) -> str:
        if self.text_code is not None and isinstance(self.value, Single):
            return self.value.texts.get(self.text_code, "")
        return ""

    def typed(self, text: str) -> Outcome | None:
        if self.text_code is not None or self.route_choice_for is not None:
            return None
        code = complete_code(self.question.codes, text)
        return self._choose(code) if code is not None else None

    def _choose(self, code: int) -> Outcome:
        texts = dict(self.value.texts) if isinstance(self.value, Single) and self.value.code == code else {}
        return Outcome(value=Single(code, texts), advance=self.question.text_box(code) is None, line="")

    def entered(self, text: str) -> Outcome:
        if self.route_choice_for is not None:
            return self._route_choice(text)
        if self.text_code is not None:
            return self._text_entered(text)
        raw = normalize(text).strip()
        if not raw:
            if self.value is not None:
                return Outcome(move_on=True)
            return Outcome(problem="番号を入力してください（無回答は F2、無効は F3）。")
        try:
            value = parse_code(self.question, raw)
        except InputError as exc:
            return Outcome(problem=str(exc))
        if isinstance(value, Single):
            return self._choose(value.code)
        return Outcome(value=value, line="")  # two numbers in a single box: 無効, kept as typed

    def _text_entered(self, raw: str) -> Outcome:
        assert isinstance(self.value, Single)
        text = clean_text(raw).strip()
        texts = {self.value.code: text} if text else {}
        if texts == dict(self.value.texts):
            return Outcome(move_on=True)
        return Outcome(value=Single(self.value.code, texts))

    def raw_text(self, text: str) -> str:
        return "" if self.text_code is not None else super().raw_text(text)

    def after_save(self, value: Value) -> bool:
        opening = (
            isinstance(value, Single)
            and self.question.text_box(value.code) is not None
            and self.text_code != value.code
        )
        super().after_save(value)
        if opening:
            self.text_code = value.code
            self.refresh_display()
            return True
        if not (isinstance(value, Single) and self.text_code == value.code):
            self.text_code = None
            self.refresh_display()
        return False


class MultiField(AnswerField):
    """Each number toggles its option; Enter records the set and moves on."""

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(question, value, **kwargs)
        self.selected: set[int] = set(value.codes) if isinstance(value, Multi) else set()
        self.box_queue: list[int] = []  # text boxes still to fill, in code order
        self.box_texts: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Folded(self._options(), id="options")
        yield from self._route_choice_label()
        yield Folded(self._box_hint(), id="box-hint", classes="hint")

    @property
    def recorded(self) -> frozenset[int]:
        return self.value.codes if isinstance(self.value, Multi) else frozenset()

    def pending(self) -> str:
        """Ticks changed but not recorded (Enter records them), in words; empty when none.

        Only against a recorded multiple choice or a fresh one: 無回答 / 無効 show no ticks."""
        if self.selected == set(self.recorded) or self.box_queue:
            return ""
        added = sorted(self.selected - self.recorded)
        removed = sorted(self.recorded - self.selected)
        words = [f"{'・'.join(map(str, added))} を選択" if added else "", f"{'・'.join(map(str, removed))} を解除" if removed else ""]
        return "、".join(w for w in words if w)

    def _options(self) -> list:
        return options_paragraphs(self.question, self.selected, multi=True, recorded=self.recorded)

    def _box_hint(self) -> list:
        if not self.box_queue:
            pending = self.pending()
            return [(RichText("未記録: ", style="bold"), f"{pending}（Enter で記録）")] if pending else []
        code = self.box_queue[0]
        return [(f"{code} の記入欄: ", self.question.text_box(code).prompt + "（下の欄に入力して Enter）")]

    def refresh_display(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#options", Folded).update(self._options())
        self._update_route_choice()
        self.query_one("#box-hint", Folded).update(self._box_hint())

    def prompt(self) -> str:
        if self.box_queue:
            return f"{self.box_queue[0]} の記入欄"
        return "番号"

    def placeholder(self) -> str:
        if self.box_queue:
            return self.question.text_box(self.box_queue[0]).prompt + "（Enter で次へ）"
        return f"番号で選択・解除 {_codes_hint(self.question)}（Enter で記録）"

    @property
    def in_text_box(self) -> bool:
        return bool(self.box_queue)

    def line_text(self) -> str:
        if self.box_queue and isinstance(self.value, Multi):
            return self.value.texts.get(self.box_queue[0], "")
        return ""

    def _toggle(self, token: str) -> str | None:
        text = normalize(token).strip()
        if not is_whole(text) or parse_whole(text) not in self.question.codes:
            return f"「{token}」は選択肢にありません。選べる番号は {_codes_hint(self.question)} です。"
        self.selected ^= {parse_whole(text)}
        self.refresh_display()
        return None

    def typed(self, text: str) -> Outcome | None:
        if self.box_queue or self.route_choice_for is not None:
            return None
        finished, rest = split_codes(text)
        for token in finished:
            problem = self._toggle(token)
            if problem:
                return Outcome(problem=problem, line=rest)
        if complete_code(self.question.codes, rest) is not None:
            self._toggle(rest)
            return Outcome(line="")
        if finished:
            return Outcome(line=rest)
        return None

    def reset(self) -> None:
        self.selected = set(self.recorded)
        super().reset()

    def _boxed(self) -> list[int]:
        return [c for c in sorted(self.selected) if self.question.text_box(c)]

    def entered(self, text: str) -> Outcome:
        if self.route_choice_for is not None:
            return self._route_choice(text)
        if self.box_queue:
            return self._box_entered(text)
        rest = normalize(text).strip()
        if rest:
            for token in split_codes(rest + " ")[0]:
                problem = self._toggle(token)
                if problem:
                    return Outcome(problem=problem)
        if not self.selected:
            return Outcome(problem="番号を入力してください（無回答は F2、無効は F3）。", line="")
        old_texts = dict(self.value.texts) if isinstance(self.value, Multi) else {}
        value = Multi(frozenset(self.selected), {c: t for c, t in old_texts.items() if c in self.selected})
        boxed = self._boxed()
        if value == self.value and not boxed:
            return Outcome(move_on=True, line="")
        return Outcome(value=value, advance=not boxed, line="")

    def _box_entered(self, raw: str) -> Outcome:
        code = self.box_queue[0]
        text = clean_text(raw).strip()
        texts = dict(self.value.texts) if isinstance(self.value, Multi) else {}
        if text:
            texts[code] = text
        else:
            texts.pop(code, None)
        value = Multi(frozenset(self.selected), texts)
        last = len(self.box_queue) == 1
        if value == self.value:
            self.box_queue.pop(0)
            self.refresh_display()
            return Outcome(move_on=last, line=self.line_text())
        return Outcome(value=value, advance=last)

    def raw_text(self, text: str) -> str:
        return "" if self.box_queue else super().raw_text(text)

    def after_save(self, value: Value) -> bool:
        in_boxes = bool(self.box_queue)
        super().after_save(value)
        self.selected = set(value.codes) if isinstance(value, Multi) else set()
        self.refresh_display()
        if not isinstance(value, Multi):
            self.box_queue = []
            return False
        if in_boxes:
            self.box_queue.pop(0)
        else:
            self.box_queue = self._boxed()
        self.refresh_display()
        return bool(self.box_queue)


class _Editor(AnswerEditor):
    """The free-text editor: refuses what follows a code taken as typed (see CodeLineRest), and
    hands the entry screen's keys on in the order they were typed, as the key line does.

    Textual checks the screen's bindings (Tab, F2…) only after a key has bubbled up from the
    focused editor, while the keys typed after it are already in the editor's queue: "text, Tab,
    next answer" arriving together (an IME's commit and the keys after it, in a browser) put the
    next answer into this one. So Tab, Shift+Tab, F2–F6 and Esc go to the screen at once, and a
    key that reaches this editor after the clerk has moved on goes to where keys go now.
    """

    ENTRY_KEYS = frozenset({"tab", "shift+tab", "f2", "f3", "f4", "f5", "f6", "escape"})

    def on_mount(self) -> None:
        screen = self.screen
        self._owner = screen if hasattr(screen, "key_line_key") else None  # the entry screen (KeyLineOwner)
        if isinstance(self.parent, TextField):
            self.call_after_refresh(self.parent._editor_ready)  # once is_mounted holds

    def on_focus(self) -> None:
        owner = getattr(self, "_owner", None)
        if owner is not None and owner.field is self.parent:
            owner._sync_key_line()  # the key line held the focus until now: hidden again

    async def _on_key(self, event: events.Key) -> None:
        owner = getattr(self, "_owner", None)
        if owner is not None:
            if owner.field is not self.parent:  # typed before the clerk moved on: the next field's
                event.stop()
                event.prevent_default()
                now = owner.focused
                if not (isinstance(now, _Editor) and now is not self and now.is_attached):
                    now = owner.key_line  # the next question's line (it hands an editor's keys on early)
                await now._on_key(events.Key(event.key, event.character))
                return
            if event.key in self.ENTRY_KEYS:
                event.stop()
                event.prevent_default()
                owner.key_line_key(event.key)
                return
        field = self.parent
        if isinstance(field, TextField) and field.rest.open:
            if event.is_printable and event.character and field.rest.refuses(event.character):
                event.stop()
                event.prevent_default()
                field.post_message(TextField.RestRefused(field.rest.refused))
                return
            field.rest.close()
        await super()._on_key(event)


class TextField(AnswerField):
    """Long free text in a multi-line editor: Enter is a new line, Tab moves on."""

    uses_key_line = False

    class RestRefused(Message):
        """Characters the editor did not take: the rest of the previous code line."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(question, value, **kwargs)
        self.early = ""  # typed ahead before the editor was on screen
        self._editor: _Editor | None = None
        self._in_editor = 0  # how much of ``early`` the editor holds

    def compose(self) -> ComposeResult:
        text = self.value.text if isinstance(self.value, Text) else ""
        yield Label("記入内容（Enter で改行、Tab で記録して次へ。日本語入力可）", classes="hint")
        self._editor = _Editor(text + self.early, id="text", soft_wrap=True, tab_behavior="focus", show_line_numbers=False)
        self._in_editor = len(self.early)
        yield self._editor

    def on_mount(self) -> None:
        self._editor_ready()

    def _editor_ready(self) -> None:
        """The editor is on screen: it takes what was typed ahead since it was made, the caret
        at the end, and the focus. (Called by the field's mount and the editor's, whichever
        comes first; none if the clerk already moved on — F2 typed ahead.)"""
        editor = self._editor
        if editor is None or not editor.is_mounted:
            return
        if len(self.early) > self._in_editor:
            editor.insert(self.early[self._in_editor:], editor.document.end, maintain_selection_offset=False)
            self._in_editor = len(self.early)
        editor.move_cursor(editor.document.end)
        editor.focus()

    def take_early(self, text: str) -> None:
        """Keys typed before the editor had the focus belong to it, in order."""
        editor = self._editor
        if editor is not None and editor.is_mounted:
            # The caret goes after it: left where it was, the selection would grow over the
            # inserted text and the next key typed in the editor replace it (a lost character).
            editor.insert(text, editor.document.end, maintain_selection_offset=False)
            editor.move_cursor(editor.document.end)
            editor.focus()
        else:  # made but not yet on screen (its text was fixed when made), or not made yet
            self.early += text

    def _written(self) -> str:
        editor = self._editor
        if editor is None or not editor.is_mounted:
            return clean_text((self.value.text if isinstance(self.value, Text) else "") + self.early).strip()
        self._editor_ready()  # typed ahead while it was being mounted
        return clean_text(editor.text).strip()

    def raw_text(self, text: str) -> str:
        return self._written()

    def unsaved(self) -> str:
        """The editor's text when it differs from what is recorded (else empty)."""
        written = self._written()
        recorded = self.value.text if isinstance(self.value, Text) else ""
        return written if written and written != recorded else ""

    def focus_editor(self) -> None:
        for editor in self.query("#text").results(TextArea):
            editor.focus()

    def entered(self, text: str) -> Outcome:
        self.take_early("\n")
        return Outcome(line="")

    def commit(self, text: str) -> Outcome:
        written = self._written()
        if not written:
            if self.value is not None:
                return Outcome(move_on=True)
            return Outcome(problem="記入がありません。用紙が空欄なら F2（無回答）を押してください。")
        if isinstance(self.value, Text) and self.value.text == written:
            return Outcome(move_on=True)
        return Outcome(value=Text(written))


class _RowsField(AnswerField):
    """Shared by the matrix (a code per row) and the counts (a number per item).

    A subclass says what its rows are: ``row_ids()``, ``row_label(row_id)``, ``shown(row_id)``
    (the recorded cell in words), ``parse(row_id, raw)`` (a typed cell, or InputError) and
    ``build()`` (the question's value from ``self.cells``).
    """

    def __init__(self, question: Question, value: Value | None, **kwargs) -> None:
        super().__init__(question, value, **kwargs)
        self.cells: dict = self.initial_cells()
        # Resume at the first row not keyed yet (each row is stored as it is accepted).
        self.current = next((i for i, r in enumerate(self.row_ids()) if r not in self.cells), 0)
        self._taken = self.current

    def initial_cells(self) -> dict:
        return {}

    def legend(self) -> ComposeResult:
        return iter(())

    def compose(self) -> ComposeResult:
        yield from self.legend()
        yield Folded(self._rows(), id="rows")
        yield Folded([("", self.hint())], classes="hint")

    def hint(self) -> str:
        return "Enter で次の行へ（空のまま Enter: 未入力の行は無回答、記録済みの行はそのまま。Delete で無回答、↑↓で移動）。"

    def _rows(self) -> list:
        width = max(len(self.row_label(r)) for r in self.row_ids()) * 2 + 2
        rows = []
        for index, row_id in enumerate(self.row_ids()):
            here = index == self.current
            label = self.row_label(row_id)
            pad = " " * max(0, width - 2 * len(label))
            prefix = RichText(("▶ " if here else "  ") + label + pad, style="bold" if here else "")
            rows.append((prefix, RichText(self.shown(row_id), style="bold" if here else "")))
        return rows

    def refresh_display(self) -> None:
        if self.is_mounted:
            self.query_one("#rows", Folded).update(self._rows())

    def prompt(self) -> str:
        return self.row_label(self.row_ids()[self.current])

    def placeholder(self) -> str:
        return "空のまま Enter は無回答"

    def move(self, step: int) -> None:
        self.current = max(0, min(len(self.row_ids()) - 1, self.current + step))
        self.refresh_display()

    @property
    def complete(self) -> bool:
        return all(r in self.cells for r in self.row_ids())

    def _row_done(self) -> Outcome:
        """The current row holds its value: store what changed at once, then go down a row."""
        last = self.current + 1 >= len(self.row_ids())
        changed = self.build() != self.value
        if not last:
            self.move(1)
            return Outcome(value=self.build(), advance=False, line="") if changed else Outcome(line="")
        missing = [i for i, r in enumerate(self.row_ids()) if r not in self.cells]
        if missing:
            self.current = missing[0]
            self.refresh_display()
            problem = f"{self.row_label(self.row_ids()[missing[0]])} がまだ入力されていません。"
            # What was keyed is stored all the same: nothing accepted waits on the last row.
            return Outcome(value=self.build(), advance=False, line="", problem=None if changed else problem)
        self.refresh_display()
        if not changed:
            return Outcome(move_on=True, line="")
        return Outcome(value=self.build(), line="")

    def refused(self) -> None:
        """The value could not be stored (e.g. a count over 回答者数): back to what is stored,
        on the row just typed, so the clerk corrects that row and nothing else moves."""
        self.cells = self.initial_cells()
        self.current = self._taken
        self.refresh_display()

    def _take(self, raw: str) -> Outcome:
        self._taken = self.current
        row_id = self.row_ids()[self.current]
        if not normalize(raw).strip() and row_id in self.cells:
            return self._row_done()  # Enter on an untouched line keeps a recorded row
        try:
            self.cells[row_id] = self.parse(row_id, raw)
        except InputError as exc:
            return Outcome(problem=f"{self.row_label(row_id)}: {exc}")
        return self._row_done()

    def blank_row(self) -> Outcome:
        """Delete on an empty line: the current row becomes 無回答 (an explicit change)."""
        self._taken = self.current
        self.cells[self.row_ids()[self.current]] = self.blank_cell()
        return self._row_done()

    def entered(self, text: str) -> Outcome:
        return self._take(text)

    def commit(self, text: str) -> Outcome:
        """Tab / PageDown: moving through never changes a row; what is on the line is taken first."""
        if not normalize(text).strip():
            return Outcome(move_on=True, line="")
        outcome = self._take(text)
        if outcome.problem:
            return outcome
        if outcome.value is not None:
            return Outcome(value=outcome.value, advance=True, line="")
        return Outcome(move_on=True, line="")

    def after_save(self, value: Value) -> bool:
        super().after_save(value)
        self.cells = self.initial_cells()  # F2 / F3 on the whole question, or a row stored
        return False


class GridField(_RowsField):
    """The matrix (Q2): one code per row on one screen, each taken as soon as it is typed."""

    def row_ids(self) -> list[str]:
        return [row.id for row in self.question.rows]

    def row_label(self, row_id: str) -> str:
        return self.question.row(row_id).label

    def legend(self) -> ComposeResult:
        yield Folded(options_paragraphs(self.question), id="options")

    def initial_cells(self) -> dict:
        return dict(self.value.cells) if isinstance(self.value, Grid) else {}

    def shown(self, row_id: str) -> str:
        if row_id not in self.cells:
            return ""
        cell = self.cells[row_id]
        if isinstance(cell, int):
            option = self.question.option(cell)
            return f"{cell} {option.label}" if option else str(cell)
        if isinstance(cell, Invalid):
            return f"無効（{cell.raw}）" if cell.raw else "無効"
        return "無回答"

    def typed(self, text: str) -> Outcome | None:
        if complete_code(self.question.codes, text) is not None:
            return self._take(text)
        return None

    def parse(self, row_id: str, raw: str):
        if not normalize(raw).strip():
            return Blank()
        return parse_cell(self.question, raw)

    def blank_cell(self):
        return Blank()

    def build(self) -> Grid:
        return Grid({row_id: self.cells[row_id] for row_id in self.row_ids() if row_id in self.cells})


class CountsField(_RowsField):
    """Whole numbers per item (Q23); "１２" and "12人" are accepted."""

    def row_ids(self) -> list[str]:
        return [item.id for item in self.question.items]

    def row_label(self, row_id: str) -> str:
        return self.question.item(row_id).label

    def initial_cells(self) -> dict:
        return dict(self.value.values) if isinstance(self.value, Counts) else {}

    def shown(self, row_id: str) -> str:
        if row_id not in self.cells:
            return ""
        number = self.cells[row_id]
        unit = self.question.item(row_id).unit
        return "無回答" if number is None else f"{number}{unit}"

    def hint(self) -> str:
        return "数を入力して Enter（空のまま Enter: 未入力の項目は無回答、記録済みはそのまま。Delete で無回答、↑↓で移動）。"

    def placeholder(self) -> str:
        return f"{self.question.item(self.row_ids()[self.current]).unit}数（空のまま Enter は無回答）"

    def parse(self, row_id: str, raw: str):
        return parse_count(raw)

    def blank_cell(self):
        return None

    def build(self) -> Counts:
        return Counts({row_id: self.cells[row_id] for row_id in self.row_ids() if row_id in self.cells})


class _LineField(AnswerField):
    """A question answered by one line as the paper writes it (an amount, a date): Enter
    records. The line takes signs, letters and 和暦, so nothing on it is "stray"."""

    what = ""  # 数値 / 日付

    def compose(self) -> ComposeResult:
        # What is recorded is on the screen's own 記録 line; the field says what it takes.
        yield Label(self.takes(), id="line-hint", classes="hint")

    def takes(self) -> str:
        raise NotImplementedError

    def parse(self, raw: str) -> Value:
        raise NotImplementedError

    @property
    def takes_codes(self) -> bool:
        return False

    def prompt(self) -> str:
        return super().prompt() if self.taking_invalid else self.what

    def entered(self, text: str) -> Outcome:
        raw = normalize(text).strip()
        if not raw:
            if self.value is not None:
                return Outcome(move_on=True)
            return Outcome(problem=f"{self.what}を入力してください（無回答は F2、無効は F3）。")
        try:
            value = self.parse(raw)
        except InputError as exc:
            return Outcome(problem=str(exc))
        if value == self.value:
            return Outcome(move_on=True)
        return Outcome(value=value, line="")


class NumberField(_LineField):
    """An integer / decimal question (an amount, km, 件): the digits as the paper writes them."""

    what = "数値"

    def takes(self) -> str:
        q = self.question
        kind = "小数可" if q.decimal else "整数"
        low = f"{grouped(q.minimum)}{q.unit}" if q.minimum is not None else ""
        high = f"{grouped(q.maximum)}{q.unit}" if q.maximum is not None else ""
        span = f"　範囲 {low}～{high}" if low or high else ""
        unit = f"　単位 {q.unit}" if q.unit else ""
        return f"{kind}{unit}{span}（1,234,567 のような桁区切り・全角も可。「万」は使えません）"

    def placeholder(self) -> str:
        if self.taking_invalid:
            return super().placeholder()
        return f"用紙の数値{f'（{self.question.unit}）' if self.question.unit else ''}を入力して Enter（無回答は F2）"

    def parse(self, raw: str) -> Value:
        return parse_amount(self.question, raw)


class DateField(_LineField):
    """A date: 和暦 or 西暦 as the paper writes it; the screen's 記録 line shows both."""

    what = "日付"

    def takes(self) -> str:
        return "用紙のとおりに: R6.4.1、令和6年4月1日、R060401、2024/4/1、2024-04-01（全角も可）"

    def placeholder(self) -> str:
        if self.taking_invalid:
            return super().placeholder()
        return "用紙の日付を入力して Enter（無回答は F2）"

    def parse(self, raw: str) -> Value:
        return parse_day(raw)


_FIELDS: dict[QuestionType, type[AnswerField]] = {
    QuestionType.SINGLE: SingleField,
    QuestionType.MULTI: MultiField,
    QuestionType.TEXT: TextField,
    QuestionType.MATRIX: GridField,
    QuestionType.COUNTS: CountsField,
    QuestionType.NUMBER: NumberField,
    QuestionType.DATE: DateField,
}


def field_for(question: Question, value: Value | None) -> AnswerField:
    if question.type is QuestionType.REPEAT:
        from .table_field import TableField

        return TableField(question, value, classes="answer-field")
    return _FIELDS[question.type](question, value, classes="answer-field")
