"""The entry screen: one question at a time, on the department's route, generated from the definition."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static, TextArea

from db import ConflictError, RefusedError, Response, Store, StoreError
from survey import Blank, Invalid, NotApplicable, Value, check_answer, check_form
from survey.answers import describe, is_complete
from survey.validation import Severity

from ..widgets.fields import AnswerField, MultiField, Outcome, TextField, _RowsField, field_for
from ..widgets.table_field import TABLE_CSS, TableField
from ..widgets.folded import Folded
from ..widgets.footer import KeyFooter
from ..keying import starts_stray
from ..keying_log import KeyingLog
from ..widgets.key_line import KeyLine
from . import FORMS_CSS
from .dialogs import ConfirmDialog, JumpDialog
from .entry_rows import RowKeys
from .message import MessageLine

__all__ = ["EntryScreen"]

# Warnings about the answer just stored; the rest (not entered, off route) belong to the summary.
_ANSWER_WARNINGS = {"invalid", "text-unchosen", "blank-row", "ceiling-blank", "check"}

FINAL_MESSAGE = (
    "この所属は確定済みのため閲覧のみです（編集できません）。修正が必要な場合は、"
    "確認画面（所属一覧で F7）で理由を記録して確定を解除してください。"
)


class EntryScreen(RowKeys, MessageLine, Screen):
    """Leads through the route; every accepted answer is stored at once.

    The bindings below are what the footer, the help and the command palette show; while the
    key line has focus it performs the same actions itself, in typing order (see KeyLine).
    """

    CSS_PATH = [FORMS_CSS, TABLE_CSS]  # the table's own stylesheet beside the widget

    BINDINGS = [
        Binding("tab", "next", "次へ", id="entry.next"),
        Binding("shift+tab", "previous", "前へ", id="entry.previous"),
        Binding("pagedown", "next", "次へ", show=False),
        Binding("pageup", "previous", "前へ", show=False),
        Binding("f2", "blank", "無回答", id="entry.blank"),
        # The footer keeps what a clerk needs most (it fits 80 columns even with F4); the rest
        # is in F1 and the command palette.
        Binding("f3", "invalid", "無効", show=False, id="entry.invalid"),
        Binding("f4", "not_applicable", "非該当", id="entry.not_applicable"),
        Binding("f5", "jump", "移動", show=False, id="entry.jump"),
        Binding("f6", "summary", "点検", show=False, id="entry.summary"),
        Binding("escape", "back", "一覧", id="entry.back"),
        Binding("ctrl+o", "open_original", "原本", show=False, id="entry.original"),
        # Shown only on a question with an open 疑義 (check_action), where the clerk needs it.
        Binding("f7", "reply_flag", "回答", id="entry.reply"),
        # A repeat's rows (shown only on a repeat, check_action): add, insert, remove (asked first).
        Binding("f8", "add_row", "行追加", id="entry.add_row"),
        Binding("f9", "insert_row", "行挿入", show=False, id="entry.insert_row"),
        Binding("f10", "delete_row", "行削除", id="entry.delete_row"),
    ]

    def __init__(self, store: Store, department_id: int, question_id: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.questionnaire = store.questionnaire
        self.router = store.router
        self.department_id = department_id
        self.response: Response = self.load()
        self.route = self.router.route(self.response.answers)
        self.question_id = question_id or self.resume_point()
        self._field: AnswerField | None = None
        self._acknowledge = False  # a warning is shown: the next Enter/Tab moves on
        self._typed_before = ""
        self._typing = False  # a typed code is being taken: what follows is the code line's rest
        self.keying_log = KeyingLog(store.who, department_id)
        from .originals import originals_note

        self.originals = originals_note(store, department_id)  # 「原本 2 件（Ctrl+O）」 in the header

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        # Open 疑義 above the scrolling body: the reviewer's comment is seen without scrolling.
        yield Folded(id="flags")
        with VerticalScroll(id="body"):
            yield Folded(id="question")
            yield Folded(id="notes")
        yield Folded(id="recorded")  # below the scrolling body: in sight however tall the question
        with Horizontal(id="key-row"):
            yield Label("番号", id="key-prompt", markup=False)
            yield KeyLine(self, id="key-line")
        yield Folded(id="message")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.show(self.question_id)

    def resume_point(self) -> str:
        """The first question with an open 疑義, else the first on the route not entered in full
        (else the first question)."""
        flagged = {f.question_id for f in self.open_flags()}
        for qid in self.questionnaire.ids:
            if qid in flagged and self.route.status(qid) != "off":
                return qid
        for qid in self.route.order:
            if not is_complete(self.questionnaire.question(qid), self.response.answers.get(qid)):
                return qid
        return self.route.order[0] if self.route.order else self.questionnaire.ids[0]

    @property
    def question(self):
        return self.questionnaire.question(self.question_id)

    @property
    def field(self) -> AnswerField:
        assert self._field is not None
        return self._field

    @property
    def key_line(self) -> KeyLine:
        return self.query_one("#key-line", KeyLine)

    def show(self, question_id: str) -> None:
        """Render a question, reusing the screen (no push per question keeps keys fast).

        Everything the next keystroke depends on (the field, the key line) is set here,
        synchronously; only the drawing follows later.
        """
        self.question_id = question_id
        self._acknowledge = False
        question = self.question
        value = self.response.answers.get(question_id)
        self.keying_log.shown(question_id, value)
        self._update_progress()
        section = self.questionnaire.section(question.section)
        kind = f"【{question.type.label}】" if question.type.value == "multi" else ""
        optional = "（任意）" if not question.required else ""
        paragraphs = [("", Text(section.title, style="dim"))] if section else []
        paragraphs.append((Text(f"{question.label} ", style="bold"), question.text + kind + optional))
        self.query_one("#question", Folded).update(paragraphs)
        notes = list(question.notes)
        if question.text_instruction:
            notes.insert(0, question.text_instruction)
        notes += [skip.note for skip in self.questionnaire.skips_at(question_id) if skip.note]
        self.query_one("#notes", Folded).update([("", note) for note in notes])
        self._update_recorded(value)
        self.set_message("")
        if self._field is not None:
            if self.focused is not None and self._field in self.focused.ancestors_with_self:
                # Keys typed ahead must not fall between two questions (onto the body's scroll,
                # which drops them): the key line holds the focus until the next input has it.
                self.query_one("#key-row").display = True
                self.set_focus(self.key_line, scroll_visible=False)
            self._field.remove()
        field = self._field = field_for(question, value)
        if isinstance(field, TableField):
            from survey.routing import expected_rows

            field.set_expected(expected_rows(question, self.response.answers))
        if self._typing and not field.uses_key_line:
            field.rest.start()  # "1,2" on Q21: the ",2" is not Q22's text
        field.disabled = self.final  # 確定: shown dimmed, nothing to type into
        self.query_one("#body", VerticalScroll).mount(field)
        self._sync_key_line(text="")
        self.query_one("#body", VerticalScroll).scroll_home(animate=False)
        self.refresh_bindings()

    def _sync_key_line(self, text: str | None = None) -> None:
        field = self.field
        line = self.key_line
        # A free-text question hides the line once its editor has the focus (see show).
        self.query_one("#key-row").display = field.uses_key_line or self.focused is line
        self.query_one("#key-prompt", Label).update(field.prompt())
        line.placeholder = field.placeholder()
        if text is not None:
            line.set_text(text)
        if field.uses_key_line and not line.has_focus:
            line.focus()

    def _update_progress(self) -> None:
        order = self.route.order
        position = order.index(self.question_id) + 1 if self.question_id in order else "－"
        status = self.route.status(self.question_id)
        state = {"pending": "　［経路未確定］", "off": "　［経路外・非該当］"}.get(status, "")
        state += "　［閲覧のみ］" if self.final else ""
        dept = self.response.department
        self.query_one("#progress", Static).update(
            f"{self.progress_prefix()}{self.question_id} · {position}/{len(order)} · {dept.name}（{dept.bukyoku}）"
            f" · {self.response.status_label}{state}{f' · {self.originals}' if self.originals else ''}"
        )

    def _update_recorded(self, value: Value | None) -> None:
        stamp = self.response.stamps.get(self.question_id)
        who = f"　（{self.store.display_name(stamp.who)} {stamp.at[5:16].replace('T', ' ')}）" if stamp else ""
        shown = describe(self.question, value)
        if isinstance(self._field, TableField) or self.question.type.value == "repeat":
            from survey.answers import Table

            shown = f"{len(value.rows)} 行" if isinstance(value, Table) else shown  # the rows are above
        paragraphs = [(Text("記録: ", style="dim"), Text(shown + who, style="dim"))]
        self.query_one("#recorded", Folded).update(paragraphs)
        flags = []
        for flag in self.open_flags():
            if flag.question_id == self.question_id:
                how = "" if flag.reply else "　F7 で回答"
                flags.append((Text("疑義: ", style="bold red"), f"{flag.comment}（{flag.raised.who}）{how}"))
                if flag.reply:  # answered (F7 here, or F3 on review), waiting for the reviewer to close it
                    flags.append((Text("回答: ", style="bold"), f"{flag.reply}（{flag.replied.who}）　F7 で書き直し"))
        shown = self.query_one("#flags", Folded)
        shown.update(flags)
        shown.display = bool(flags)

    # -- keys ------------------------------------------------------------------------------

    @property
    def final(self) -> bool:
        return self.response.status == "final"

    def _refuse_final(self) -> bool:
        """A finalised form is read-only: refuse before anything is typed (the store refuses too)."""
        if not self.final:
            return False
        self.key_line.value = ""
        self.set_message(FINAL_MESSAGE, "error")
        return True

    def key_line_typed(self, text: str) -> None:
        if self._refuse_final():
            return
        self._acknowledge = False
        if self.message and text and not self.field.rest.refused:  # what was left out stays said
            self.set_message("")
        if self.field.taking_invalid:
            return
        if self.field.rest.open and not self.field.takes_codes:
            text = self._without_rest(text)
        if not self.field.uses_key_line:  # typed ahead of the editor's focus: it is the editor's
            self.field.take_early(text)
            self.key_line.value = ""
            return
        if self.field.takes_codes and starts_stray(text):
            self._stray(text)
            return
        outcome = self.field.typed(text)
        if outcome is not None:
            self._typing = True
            try:
                self.handle(outcome)
            finally:
                self._typing = False

    def _without_rest(self, text: str) -> str:
        """What was typed, less the code line's rest (see CodeLineRest); says what was left out."""
        rest = self.field.rest
        base = rest.base
        if not text.startswith(base):
            rest.close()
            return text
        kept = base + "".join(char for char in text[len(base):] if not rest.refuses(char))
        if kept != text:
            self.key_line.set_text(kept if self.field.uses_key_line else "")
            self._rest_refused(rest.refused)
        return kept

    @on(TextField.RestRefused)
    def _editor_refused(self, event: TextField.RestRefused) -> None:
        self._rest_refused(event.text)

    def _rest_refused(self, text: str) -> None:
        if self.field.uses_key_line:  # an option's box opened by the code just typed
            where, back = "記入欄", "この問いに複数の番号が記入されていたなら F3（無効）、"
        else:
            where, back = "記入内容", self._back_to_invalid()
        self.set_message(
            f"「{text}」は番号に続けて入力されたため、{where}には入れていません。{back}"
            "この欄の記入ならそのまま入力してください。",
            "warning",
        )

    def _back_to_invalid(self) -> str:
        previous = self.route.previous(self.question_id)
        return f"前の問い（{previous}）に複数の番号が記入されていたなら Shift+Tab で戻って F3（無効）、" if previous else ""

    def _stray(self, text: str) -> None:
        """A separator or letter first on a code line ("1,2" on a single choice leaves ",2" here):
        never taken as this question's answer; shown, for the clerk to decide."""
        self.set_message(
            f"「{text}」は番号で始まっていないため記録しません。{self._back_to_invalid()}"
            "この問いの回答ならこの欄を直して入力してください。",
            "error",
        )

    def key_line_key(self, key: str) -> None:
        self.field.rest.close()
        if key == "delete":
            if isinstance(self.field, _RowsField) and not self._refuse_final():
                self.handle(self.field.blank_row())
            return
        if key in ("up", "down"):
            if isinstance(self.field, (_RowsField, TableField)):
                self.field.move(1 if key == "down" else -1)
                self._sync_key_line(text="")
            return
        action = {
            "enter": "enter", "tab": "next", "pagedown": "next", "shift+tab": "previous", "pageup": "previous",
            "f2": "blank", "f3": "invalid", "f4": "not_applicable", "f5": "jump", "f6": "summary", "escape": "back",
            "f8": "add_row", "f9": "insert_row", "f10": "delete_row",
        }[key]
        if action in ("add_row", "insert_row", "delete_row") and not isinstance(self.field, TableField):
            return
        if self.final and action in ("blank", "invalid", "not_applicable", "add_row", "insert_row", "delete_row"):
            self._refuse_final()
            return
        if self.final and action in ("enter", "next"):
            self.advance()
            return
        if action == "not_applicable" and not self.check_action("not_applicable", ()):
            self.set_message("この問いでは非該当（F4）は使えません。用紙が空欄なら F2（無回答）です。", "error")
            return
        getattr(self, f"action_{action}")()

    def handle(self, outcome: Outcome) -> None:
        self._typed_before = self.key_line.value  # restored if the answer cannot be stored
        if outcome.line is not None:
            self.key_line.set_text(outcome.line)
        if outcome.problem:
            self.set_message(outcome.problem, "error")
            return
        if outcome.row is not None:
            self.submit_row(*outcome.row, then_move_on=outcome.move_on)
        elif outcome.value is not None:
            self.submit(outcome.value, advance=outcome.advance)
        elif outcome.move_on:
            self.advance()
        else:
            self._sync_key_line()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "not_applicable":
            return self.question_id in self.questionnaire.judgeable
        if action == "reply_flag":
            return bool(self._flags_here())
        if action in ("add_row", "insert_row", "delete_row"):
            return isinstance(self._field, TableField)
        return True

    def _flags_here(self) -> list:
        return [f for f in self.open_flags() if f.question_id == self.question_id]

    def action_reply_flag(self) -> None:
        """F7: the clerk answers the 疑義 on this question (its raiser closes it on review)."""
        from .dialogs import FLAG_REPLIED, flag_reply_dialog, oldest_of

        flags = self._flags_here()
        if not flags:
            self.set_message("この問いに未解決の疑義はありません。", "warning")
            return
        flag = flags[0]

        def replied(text: str | None) -> None:
            self._focus_input()
            if text is None:
                return
            try:
                self.store.reply_flag(flag.id, text)
            except StoreError as exc:
                self.set_message(str(exc), "error")
                return
            self._update_recorded(self.response.answers.get(self.question_id))
            self.set_message(FLAG_REPLIED.format(label=self.question.label), "success")

        raiser = self.store.display_name(flag.raised.who)
        self.app.push_screen(flag_reply_dialog(self.question.label, flag, raiser, oldest_of(flags)), replied)

    def action_enter(self) -> None:
        self._finish_field(enter=True)

    def action_next(self) -> None:
        if self.final:
            self.advance()
            return
        self._finish_field(enter=False)

    def _finish_field(self, enter: bool) -> None:
        """Enter or Tab: accept a shown warning, take 無効's marks, or finish the field."""
        if self._acknowledge and not self.key_line.value:
            self.advance()
        elif self.field.takes_codes and starts_stray(self.key_line.value):
            self._stray(self.key_line.value)
        elif self.field.taking_invalid:
            self._invalid_entered()
        elif enter:
            self.handle(self.field.entered(self.key_line.value))
        else:
            self.handle(self.field.commit(self.key_line.value))

    def _invalid_entered(self) -> None:
        self._typed_before = self.key_line.value
        field = self.field
        field.invalid_raw = field.raw_text(self.key_line.value)
        field.taking_invalid = False
        if (outcome := field.empty_entered(Invalid, field.invalid_raw)) is not None:
            self.handle(outcome)
            return
        if self.question.chooses_route_when_blank:
            field.ask_route_choice(Invalid)
            self._sync_key_line(text="")
            return
        self.submit(Invalid(raw=field.invalid_raw), advance=True, by_key=True)

    def action_previous(self) -> None:
        previous = self.route.previous(self.question_id)
        if previous is None:
            self.set_message("これが最初の問いです。", "warning")
            return
        self.confirm_leaving(lambda: self.show(previous), doing="前の問いへ移動")

    def action_blank(self) -> None:
        self._record_empty(Blank)

    def action_invalid(self) -> None:
        self._record_empty(Invalid)

    def _record_empty(self, kind: type) -> None:
        self._typed_before = self.key_line.value
        field = self.field
        if kind is Invalid and field.uses_key_line:
            # Codes are taken as they are typed, so the paper's marks ("1,2") are keyed after F3.
            field.taking_invalid = True
            field.route_choice_for = None
            self._sync_key_line(text="")
            return
        if (outcome := field.empty_entered(kind, "")) is not None:
            self.handle(outcome)
            return
        if self.question.chooses_route_when_blank:
            field.ask_route_choice(kind)
            self._sync_key_line(text="")
            return
        value = Invalid(raw=field.raw_text(self.key_line.value)) if kind is Invalid else Blank()
        self.submit(value, advance=True, by_key=True)

    def action_not_applicable(self) -> None:
        self._typed_before = self.key_line.value
        self.submit(NotApplicable(), advance=True, by_key=True)

    def action_jump(self) -> None:
        def go(question_id: str | None) -> None:
            if question_id is None:
                return
            if self.route.status(question_id) == "off":
                self.set_message(
                    f"{question_id} はこの所属の経路外（非該当）です。経路を変えるには前の問いの回答を直してください。",
                    "warning",
                )
                return
            self.confirm_leaving(lambda: self.show(question_id), doing=f"{question_id} へ移動")

        self.app.push_screen(JumpDialog(self.questionnaire, self.route), go)

    def action_summary(self) -> None:
        self.confirm_leaving(self._to_summary, doing="点検一覧へ移動")

    def _to_summary(self) -> None:
        from .summary import SummaryScreen

        self.app.switch_screen(SummaryScreen(self.store, self.department_id))

    def action_open_original(self) -> None:
        """Open the returned file with the OS viewer, to compare with what is on screen (with
        several, the clerk picks one)."""
        from .originals import open_original_from

        open_original_from(self, self.store, self.department_id)

    def action_back(self) -> None:
        self.confirm_leaving(self.app.pop_screen, doing="一覧に戻る")

    # -- text not yet recorded -------------------------------------------------------------

    def unsaved_text(self) -> str:
        """What is typed but not recorded: the key line (codes, an option's box, 無効's marks)
        or the editor. Empty when leaving would lose nothing."""
        if self.final or self._field is None:
            return ""
        if not self.field.uses_key_line:
            return self.field.unsaved()
        line = self.key_line.value
        if self.field.takes_codes and starts_stray(line):
            line = ""  # never an answer (see _stray): moving back to correct is the point
        line = line if line.strip() and line != self.field.line_text() else ""
        ticks = self.field.pending() if isinstance(self.field, MultiField) else ""
        ticks = self.field.unsaved() if isinstance(self.field, TableField) else ticks
        return "　".join(part for part in (ticks, line) if part)

    def confirm_leaving(self, then, *, doing: str) -> None:
        """Run ``then`` at once when nothing typed would be lost; else ask once: record it first
        (Enter) or stay with the text kept (Esc)."""
        text = self.unsaved_text()
        if not text:
            then()
            return
        shown = text if len(text) <= 40 else text[:40] + "…"

        def decided(record: bool | None) -> None:
            if not record:
                self.set_message("入力中の内容はそのまま残しています。", "warning")
                self._focus_input()
                return
            before = self.question_id
            self._finish_field(enter=False)
            if isinstance(self.app.screen, ConfirmDialog):  # a route change asks first
                return
            if self.message and "error" in self.query_one("#message").classes:
                return  # refused: the text stays, with the reason
            if self.question_id == before and self.unsaved_text():
                return
            then()

        self.app.push_screen(
            ConfirmDialog(
                f"{self.question_id} の「{shown}」はまだ記録されていません。",
                yes=f"記録して{doing}",
                no="戻る（入力を続ける）",
            ),
            decided,
        )

    def _focus_input(self) -> None:
        if self.field.uses_key_line:
            self.key_line.focus()
        else:
            self.field.focus_editor()

    # -- answers ---------------------------------------------------------------------------

    def submit(self, value: Value, *, advance: bool, by_key: bool = False) -> None:
        """Validate, confirm a route change, store at once, then move on."""
        if self._refuse_final():
            return
        errors = [p for p in check_answer(self.questionnaire, self.question_id, value) if p.severity is Severity.ERROR]
        if errors:
            self.field.refused()
            self.key_line.set_text(self._typed_before)
            self.set_message("\n".join(p.message for p in errors), "error")
            return
        change = self.router.change(self.response.answers, self.question_id, value)
        if change.leaving:
            lines = [
                f"  {qid} {describe(self.questionnaire.question(qid), self.response.answers[qid])}"
                for qid in change.leaving
            ]
            text = (
                f"{self.question_id} をこの回答にすると、次の{len(change.leaving)}問が経路から外れます（非該当）。"
                "記録済みの回答は消去します（監査ログには残ります）。\n" + "\n".join(lines) + "\n\nよろしいですか？"
            )

            def decided(yes: bool | None) -> None:
                if yes:
                    self._save(value, advance, clear=change.leaving, by_key=by_key)
                else:
                    self.field.value = self.response.answers.get(self.question_id)
                    self.field.reset()
                    self.set_message("変更を取り消しました。記録は元のままです。", "warning")
                self.key_line.focus()

            self.app.push_screen(ConfirmDialog(text, yes="消去して記録", no="やめる"), decided)
            return
        self._save(value, advance, by_key=by_key)

    # -- what is keyed: the department's answers (the second keying overrides these) --------

    def progress_prefix(self) -> str:
        return ""

    def load(self) -> Response:
        blind = self.store.blind_refusal(self.department_id)
        if blind:
            raise RefusedError(blind)
        return self.store.response(department_id=self.department_id)

    def open_flags(self) -> list:
        return self.store.flags(self.response.id, open_only=True)

    def write_answer(self, *args, **kwargs) -> int:
        return self.store.save_answer(*args, **kwargs)

    def store_answer(self, value: Value, *, clear: tuple[str, ...], why: str | None) -> None:
        """Store the answer with the keying events that led to it (one transaction)."""
        self.write_answer(
            self.response.id,
            self.question_id,
            value,
            expected_version=self.response.version,
            clear=clear,
            why=why,
            events=self.keying_log.accepted(self.question, value),
        )
        self.keying_log.stored()

    def on_unmount(self) -> None:
        # Keystrokes since the last stored answer (the clerk looked, then left): kept for 入力者統計.
        events = self.keying_log.take()
        if events:
            try:
                self.store.record_events(events)
            except StoreError as exc:  # the answers are stored already; only the count is short
                self.app.notify(
                    f"入力者統計の打鍵記録（{len(events)} 件）を保存できませんでした。回答は保存済みです。\n{exc}",
                    severity="warning", timeout=10, markup=False,
                )

    def _save(self, value: Value, advance: bool, clear: tuple[str, ...] = (), by_key: bool = False) -> None:
        try:
            self.store_answer(value, clear=clear, why="経路の変更により非該当" if clear else None)
        except ConflictError as exc:
            typed = self._typed_before
            self.reload()
            self.show(self.question_id)
            self.key_line.set_text(typed)
            self.set_message(str(exc), "error")
            return
        except (RefusedError, StoreError) as exc:
            self.field.refused()
            self.key_line.set_text(self._typed_before)
            self.set_message(str(exc), "error")
            return
        self.reload()
        self._update_recorded(value)
        stays = self.field.after_save(value)
        self._sync_key_line(text=self.field.line_text() if stays else "")
        if stays and self._typing and self.field.in_text_box:
            self.field.rest.start(self.key_line.value)  # "1,2" on Q9: the ",2" is not 1's box
        warned = self._show_warnings(by_key)
        if stays or warned or not advance:
            return
        self.advance()

    def _show_warnings(self, by_key: bool) -> bool:
        """Soft warnings on the stored answer: shown; the next Enter/Tab accepts them."""
        problems = [
            p for p in check_form(self.questionnaire, self.response.answers, self.route)
            if p.question == self.question_id and p.kind in _ANSWER_WARNINGS and p.severity is Severity.WARNING
            and not (by_key and p.kind == "invalid")
        ]
        if not problems:
            return False
        self.set_message(
            "要確認: " + "\n要確認: ".join(p.message for p in problems) + "\n（記録済みです。Enter か Tab で次へ）",
            "warning",
        )
        self._acknowledge = True
        return True

    def reload(self) -> None:
        self.response = self.load()
        self.route = self.router.route(self.response.answers)
        self._update_progress()

    def advance(self) -> None:
        following = self.route.next(self.question_id)
        if following is None:
            self.action_summary()
            return
        self.show(following)

    @on(TextArea.Changed)
    def _text_typed(self) -> None:
        if self.message and not self.field.rest.refused:
            self.set_message("")
