"""Review (確認): a second person steps through one department's answers and signs them off.

The question view shows one question at a time the way the paper shows it (the options with
their numbers, the chosen ones marked, the text boxes, 無回答 / 無効 / 非該当 marked apart),
with who entered it and when, the checks' warnings and the flags (疑義) on it. F6 turns the
view into a one-page overview of the whole form; F7 / F8 step to the previous / next
department of the list the screen was opened from.

Every decision goes through the store, which enforces the rules (no one signs off their own
entry; no sign-off with open flags or hard errors; only a signed-off form is finalised;
unlocking needs a reason). The screen shows the store's own Japanese reasons when it refuses.

Keys are F-keys and Ctrl-keys only: with the Japanese IME switched on, letters go to the IME,
not to the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Footer, Static

from db import Flag, RefusedError, Response, Store, StoreError
from survey import Problem, Route, Severity, check_form
from survey.answers import describe
from survey.verification.status import LABELS, NOT_SAMPLED

from ..widgets.folded import Folded
from ..widgets.paper import answer_paragraphs, clip, span, state_label
from . import FORMS_CSS
from .dialogs import FLAG_REPLIED, ConfirmDialog, JumpDialog, TextDialog, flag_reply_dialog, oldest_of
from .message import MessageLine

__all__ = ["ReviewScreen", "when"]

# From this width the footer has room for F8 (次の所属) beside ↓.
WIDE_FOOTER = 100

# Shown by their own markers (未入力, 経路外) rather than repeated as warnings.
_MARKED = {"not-entered", "off-route"}


def when(at: str | None) -> str:
    """A stored timestamp as the office reads it: 2024-10-01 09:30."""
    return at[:16].replace("T", " ") if at else ""


class ReviewScreen(MessageLine, Screen):
    """One department's answers, question by question or all at once, and its sign-off."""

    CSS_PATH = FORMS_CSS
    AUTO_FOCUS = ""  # nothing takes the keyboard in the question view: the screen's keys step

    BINDINGS = [
        # ↓ / PgDn show the rest of a question taller than the screen, then step to the next
        # question; ↑ / PgUp the same backwards. Of two bindings on a key the first whose
        # check_action allows it runs, and the footer names it: 「↓ 続き」 or 「↓ 次の問い」.
        Binding("down,pagedown", "more(1)", "続き", key_display="↓", id="review.more"),
        Binding("up,pageup", "more(-1)", "上を表示", show=False, id="review.back_up"),
        Binding("down,pagedown", "step(1)", "次の問い", key_display="↓", id="review.next"),
        Binding("enter", "step(1)", "次の問い", show=False, id="review.next_enter"),
        Binding("up,pageup", "step(-1)", "前の問い", show=False, id="review.previous"),
        Binding("home", "edge(0)", "最初の問い", show=False, id="review.first"),
        Binding("end", "edge(-1)", "最後の問い", show=False, id="review.last"),
        Binding("ctrl+down", "scroll_paper(1)", "続きを表示", show=False, id="review.scroll_down"),
        Binding("ctrl+up", "scroll_paper(-1)", "上を表示", show=False, id="review.scroll_up"),
        Binding("f2", "flag", "疑義", id="review.flag"),
        Binding("f3", "resolve", "解決", id="review.resolve"),
        Binding("f5", "jump", "移動", show=False, id="review.jump"),
        # 一覧 and the lock keys (確定 / 解除) are in F1 and the command palette: with them the
        # footer would not leave room for ^P at 80 columns.
        Binding("f6", "toggle_overview", "一覧", show=False, id="review.overview"),
        Binding("f7", "department(-1)", "前の所属", show=False, id="review.previous_department"),
        # In the footer when there is room for it beside ↓ (not at 80 columns); F8 works at any width.
        Binding("f8", "next_department", "次の所属", show=True),
        Binding("f8", "department(1)", "次の所属", show=False, id="review.next_department"),
        Binding("f9", "sign_off", "確認済", id="review.sign_off"),
        Binding("ctrl+f", "finalise", "確定", show=False, id="review.finalise"),
        Binding("ctrl+u", "unlock", "解除", show=False, id="review.unlock"),
        Binding("escape", "back", "戻る", id="review.back"),
        Binding("ctrl+o", "open_original", "原本", show=False, id="review.original"),
    ]

    def __init__(
        self,
        store: Store,
        department_id: int,
        question_id: str | None = None,
        *,
        department_ids: Sequence[int] = (),
        overview: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        self.questionnaire = store.questionnaire
        self.router = store.router
        self.department_ids = list(department_ids) or [department_id]
        if department_id not in self.department_ids:
            self.department_ids.insert(0, department_id)
        self.start_overview = overview
        self.load(department_id, question_id)

    # -- data ------------------------------------------------------------------------------

    def load(self, department_id: int, question_id: str | None = None) -> None:
        """Read the department afresh (others may have changed it) and pick the question."""
        blind = self.store.blind_refusal(department_id)
        if blind:
            raise RefusedError(blind)
        self.department_id = department_id
        self.response: Response = self.store.response(department_id=department_id)
        self.route: Route = self.router.route(self.response.answers)
        self.problems: list[Problem] = check_form(self.questionnaire, self.response.answers, self.route)
        self.flags: list[Flag] = self.store.flags(self.response.id)
        from .originals import originals_note

        self.originals = originals_note(self.store, department_id)  # 「原本 2 件（Ctrl+O）」
        # Double entry: shown before F9, since sign-off waits for it (the store refuses).
        self.verification = self.store.verification_state(department_id)
        self.verification_refusal = self.store.verification_refusal(department_id)
        answers = self.response.answers
        # The route, plus anything recorded off it (shown, never counted).
        self.steps = [qid for qid in self.questionnaire.ids if qid in self.route or qid in answers]
        if question_id is None or question_id not in self.questionnaire:
            # A department with open 疑義 opens on the first flagged question: that is the work.
            flagged = sorted({f.question_id for f in self.open_flags()}, key=self.questionnaire.position)
            question_id = flagged[0] if flagged else self.steps[0] if self.steps else self.questionnaire.ids[0]
        self.question_id = question_id

    def open_flags(self, question_id: str | None = None) -> list[Flag]:
        return [f for f in self.flags if f.open and (question_id is None or f.question_id == question_id)]

    def who(self, name: str | None) -> str:
        return self.store.display_name(name)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="progress", markup=False)
        yield Folded(id="totals")  # folds rather than cut: the worker's name comes first
        yield Folded(id="review-verification")
        with ContentSwitcher(initial="paper-view", id="review-views"):
            with Vertical(id="paper-view"):
                with VerticalScroll(id="paper", can_focus=False):  # the arrows step (see BINDINGS)
                    yield Folded(id="question")
                    yield Folded(id="answer")
                # Who entered it, warnings and flags stay in sight however long the question.
                yield Folded(id="review-notes")
            yield DataTable(id="overview", cursor_type="row", zebra_stripes=True)
        yield Folded(id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # However the question view scrolls (keys, wheel), the footer's ↓ says what it does next.
        self.watch(self.query_one("#paper", VerticalScroll), "scroll_y", lambda _: self.refresh_bindings(), init=False)
        table = self.query_one("#overview", DataTable)
        wide = self.app.size.width
        answer = max(16, wide - 7 - 10 - 8 - 14 - 12)
        table.add_column("設問", width=7, key="question")
        table.add_column("状態", width=10, key="state")
        table.add_column("回答", width=answer, key="answer")
        table.add_column("入力", width=8, key="who")
        table.add_column("点検", width=14, key="checks")
        self.answer_width = answer
        self.redraw()
        if self.start_overview:
            self.action_toggle_overview()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only the lock key that applies is shown: 確定 until finalised, then 確定解除.
        if action == "finalise":
            return self.response.status != "final"
        if action == "unlock":
            return self.response.status == "final"
        if action == "more":  # until the question just shown is laid out, ↓ waits for it (see action_more)
            return not self._laid_out or self._more(*parameters)
        if action == "next_department":
            return self.app.size.width >= WIDE_FOOTER
        return True

    def _more(self, direction: object) -> bool:
        """Whether the question view has more to show that way (else the arrow steps)."""
        if not self.is_mounted or self.in_overview:
            return False
        paper = self.query_one("#paper", VerticalScroll)
        return paper.scroll_y < paper.max_scroll_y if direction == 1 else paper.scroll_y > 0

    def on_screen_resume(self) -> None:
        # Back from a dialog or another screen: someone may have changed the department.
        if self.is_mounted:
            self.refresh_data()

    def refresh_data(self) -> None:
        try:
            self.load(self.department_id, self.question_id)
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.redraw()

    @property
    def in_overview(self) -> bool:
        return self.query_one(ContentSwitcher).current == "overview"

    def redraw(self) -> None:
        self._update_header()
        self.show(self.question_id)
        self._fill_overview()
        self.refresh_bindings()

    def _update_header(self) -> None:
        response = self.response
        dept = response.department
        position = self.department_ids.index(self.department_id) + 1
        flags = len(self.open_flags())
        warnings = len({p.question for p in self.problems if p.kind not in _MARKED})
        # F6 is not in the footer (no room at 80 columns): the way back is named where one looks.
        view = "一覧（F6 で一問ずつ）" if self.in_overview else self.question_id
        held = bool(self.verification_refusal) and response.status == "entered"
        # Where double entry stands; when it holds the sign-off, the line below says why instead.
        checked = f" · {LABELS[self.verification]}" if self.verification != NOT_SAMPLED and not held else ""
        self.query_one("#progress", Static).update(
            Text(f"確認（{self.who(self.store.who)}） · {view} · {dept.name}（{dept.bukyoku}） · {response.status_label}{checked}"
            f" · 疑義 {flags} · 要確認 {warnings} · 所属 {position}/{len(self.department_ids)}")
        )
        blocked = self.query_one("#review-verification", Folded)
        blocked.update([(span("照合 ", "bold"), self.verification_refusal)] if held else "")
        blocked.display = held
        parts = []  # who is working is in the line above (this line gives way in the overview at 80×24)
        for label, stamp in (("入力済", response.entered), ("確認済", response.reviewed), ("確定", response.finalised)):
            parts.append(f"{label} {self.who(stamp.who)} {when(stamp.at)[5:]}" if stamp else f"{label} －")
        if self.originals:
            parts.append(self.originals)
        self.query_one("#totals", Folded).update([("", "　".join(parts))])

    # -- the question view -----------------------------------------------------------------

    def show(self, question_id: str) -> None:
        self.question_id = question_id
        question = self.questionnaire.question(question_id)
        value = self.response.answers.get(question_id)
        status = self.route.status(question_id)
        section = self.questionnaire.section(question.section)
        kind = f"【{question.type.label}】" if question.type.value == "multi" else ""
        optional = "（任意）" if not question.required else ""
        position = f"{self.steps.index(question_id) + 1}/{len(self.steps)}" if question_id in self.steps else "経路外"
        paragraphs = [("", Text(section.title, style="dim"))] if section else []
        paragraphs.append((span(f"{question.label} ", "bold"), question.text + kind + optional))
        self.query_one("#question", Folded).update(paragraphs)
        self.query_one("#answer", Folded).update(answer_paragraphs(question, value, status))
        self.query_one("#review-notes", Folded).update(self._notes(question_id, position))
        self.query_one("#paper", VerticalScroll).scroll_home(animate=False)
        self._update_header()
        self._laid_out = False
        self.call_after_refresh(self._shown)
        if question_id in self.route:
            self._record_shown([question_id], "一問ずつ")

    _laid_out = False

    def _shown(self) -> None:
        """The question is laid out: its height is known, and ↓ can say 続き or 次の問い."""
        self._laid_out = True
        self.refresh_bindings()

    def _record_shown(self, question_ids: list[str], how: str) -> None:
        """The store logs what this reviewer was shown: a sign-off needs every route question."""
        try:
            self.store.record_shown(self.response.id, question_ids, how)
        except StoreError as exc:  # e.g. busy: the sign-off will say what is still unseen
            self.set_message(str(exc), "error")

    def _notes(self, question_id: str, position: str) -> list:
        stamp = self.response.stamps.get(question_id)
        entered = f"{self.who(stamp.who)}　{when(stamp.at)}" if stamp else "（記録なし）"
        notes: list = [(span("記録 ", "dim"), Text(f"{entered}　（経路 {position}）", style="dim"))]
        for problem in self.problems:
            if problem.question != question_id or problem.kind in _MARKED:
                continue
            error = problem.severity is Severity.ERROR
            notes.append((span("誤り " if error else "要確認 ", "bold red" if error else "bold yellow"), problem.message))
        for flag in self.flags:
            if flag.question_id == question_id:
                notes += self._thread(flag)
        return notes

    def _thread(self, flag: Flag) -> list:
        """A flag's whole thread, open or resolved: the comment, the clerk's reply, the resolution,
        each with who and when (a resolved thread dimmed, its reply kept)."""
        def by(stamp) -> str:
            return f"（{self.who(stamp.who)} {when(stamp.at)}）"

        if flag.open:
            lines = [(span("疑義 ", "bold red"), Text.assemble((flag.comment, "bold"), (by(flag.raised), "dim")))]
            if flag.reply:
                lines.append((span("回答 ", "bold"), Text.assemble(flag.reply, (by(flag.replied), "dim"))))
            return lines
        lines = [(span("解決済 ", "green"), Text(f"{flag.comment}{by(flag.raised)}", style="dim"))]
        if flag.reply:
            lines.append((span("　回答 ", "dim"), Text(f"{flag.reply}{by(flag.replied)}", style="dim")))
        lines.append((span("　解決 ", "dim"), Text(f"{flag.resolution}{by(flag.resolved)}", style="dim")))
        return lines

    # -- the overview ----------------------------------------------------------------------

    def _fill_overview(self) -> None:
        """Every question of the form on one page; a run of off-route questions is one line."""
        table = self.query_one("#overview", DataTable)
        table.clear()
        self._rows: dict[str, int] = {}
        questions = list(self.questionnaire.questions)
        index = 0
        while index < len(questions):
            question = questions[index]
            qid = question.id
            value = self.response.answers.get(qid)
            status = self.route.status(qid)
            if status == "off" and value is None:
                run = [qid]
                while (
                    index + 1 < len(questions)
                    and self.route.status(questions[index + 1].id) == "off"
                    and questions[index + 1].id not in self.response.answers
                ):
                    index += 1
                    run.append(questions[index].id)
                for member in run:
                    self._rows[member] = table.row_count
                label = run[0] if len(run) == 1 else f"{run[0]}–{run[-1].lstrip('Q')}"
                marks = self._marks(run)
                table.add_row(label, Text("経路外", style="dim"), Text("非該当", style="dim"), "", marks, key=qid)
                index += 1
                continue
            stamp = self.response.stamps.get(qid)
            state = _short_state(state_label(value, status))
            shown = describe(question, value) if value is not None else ""
            self._rows[qid] = table.row_count
            table.add_row(
                qid,
                Text(state, style="" if state == "回答" else "bold yellow"),
                Text(clip(shown, self.answer_width)),  # Text: free text is never read as markup
                Text(self.who(stamp.who) if stamp else ""),
                self._marks([qid]),
                key=qid,
            )
            index += 1
        table.move_cursor(row=self._rows[self.question_id], animate=False)

    def _marks(self, question_ids: list[str]) -> Text:
        marks = []
        if flags := [f for f in self.open_flags() if f.question_id in question_ids]:
            marks.append(Text(f"疑義{len(flags)}", style="bold red"))
        problems = [p for p in self.problems if p.question in question_ids and p.kind not in _MARKED]
        if any(p.severity is Severity.ERROR for p in problems):
            marks.append(Text("誤り", style="bold red"))
        elif problems:
            marks.append(Text(f"要確認{len(problems)}", style="yellow"))
        return Text(" ").join(marks)

    @on(DataTable.RowHighlighted, "#overview")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.in_overview and event.row_key.value:
            self.question_id = event.row_key.value
            self._update_header()

    @on(DataTable.RowSelected, "#overview")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.question_id = event.row_key.value
        self.action_toggle_overview()

    def action_toggle_overview(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        table = self.query_one("#overview", DataTable)
        if self.in_overview:
            switcher.current = "paper-view"
            self.query_one("#totals").display = True
            self.set_focus(None)
            self.show(self.question_id)
        else:
            switcher.current = "overview"
            # On a small terminal the header line gives its row to the table: 23 questions on one 80x24 page.
            self.query_one("#totals").display = self.app.size.height >= 30
            table.move_cursor(row=self._rows[self.question_id], animate=False)
            table.focus()
            self._update_header()
            self._record_shown(list(self.route.order), "一覧")
        self.refresh_bindings()

    # -- moving ----------------------------------------------------------------------------

    def action_step(self, step: int) -> None:
        if self.question_id in self.steps:
            index = self.steps.index(self.question_id) + step
        else:  # an off-route question reached with F5: step along the form from it
            following = self.route.next(self.question_id) if step > 0 else self.route.previous(self.question_id)
            index = self.steps.index(following) if following in self.steps else len(self.steps) if step > 0 else -1
        if index < 0:
            self.set_message("これが最初の問いです。", "warning")
            return
        if index >= len(self.steps):
            self.set_message("これが最後の問いです。F8 で次の所属、F6 で一覧、F9 で確認済にします。", "warning")
            return
        self.set_message("")
        self.show(self.steps[index])

    def action_edge(self, index: int) -> None:
        if self.steps:
            self.set_message("")
            self.show(self.steps[index])

    def action_scroll_paper(self, direction: int) -> None:
        paper = self.query_one("#paper", VerticalScroll)
        if direction > 0:
            paper.scroll_page_down(animate=False, on_complete=self.refresh_bindings)
        else:
            paper.scroll_page_up(animate=False, on_complete=self.refresh_bindings)

    def action_more(self, direction: int) -> None:
        """The rest of a tall question, a page at a time; the footer then says what ↓ does.

        A key that comes before the question just shown is laid out waits for the layout, in
        order: otherwise a quick ↓ on arriving at Q7 stepped past it unread."""
        if not self._laid_out:
            self.call_after_refresh(self.action_more, direction)
        elif self._more(direction):
            self.action_scroll_paper(direction)
        else:
            self.action_step(direction)

    def action_next_department(self) -> None:
        self.action_department(1)

    def action_jump(self) -> None:
        def go(question_id: str | None) -> None:
            if question_id is None:
                return
            if self.in_overview:
                self.question_id = question_id
                self.query_one("#overview", DataTable).move_cursor(row=self._rows[question_id])
            else:
                self.show(question_id)
            if self.route.status(question_id) == "off":
                self.set_message(f"{question_id} はこの所属の経路外（非該当）です。", "warning")

        self.app.push_screen(JumpDialog(self.questionnaire, self.route), go)

    def action_department(self, step: int) -> None:
        index = self.department_ids.index(self.department_id) + step
        if not 0 <= index < len(self.department_ids):
            self.set_message("これが最後の所属です。" if step > 0 else "これが最初の所属です。", "warning")
            return
        try:
            self.load(self.department_ids[index])
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.set_message("")
        self.redraw()

    def action_open_original(self) -> None:
        """Open the returned file with the OS viewer, to compare with what is on screen (with
        several, the clerk picks one)."""
        from .originals import open_original_from

        open_original_from(self, self.store, self.department_id)

    def action_back(self) -> None:
        self.app.pop_screen()

    # -- flags -----------------------------------------------------------------------------

    def action_flag(self) -> None:
        question_id = self.question_id
        label = self.questionnaire.question(question_id).label
        response_id = self.response.id

        def raised(comment: str | None) -> None:
            if comment is None:
                return
            if self._attempt(lambda: self.store.raise_flag(response_id, question_id, comment)):
                self.set_message(f"{label} に疑義を付けました。入力者の画面と所属一覧に表示されます。", "success")

        self.app.push_screen(
            TextDialog(
                f"{label} に疑義を付けます。入力者に伝える内容を入力してください。",
                placeholder="例: 用紙では 2 に丸があります。入力は 1",
            ),
            raised,
        )

    def action_resolve(self) -> None:
        question_id = self.question_id
        label = self.questionnaire.question(question_id).label
        open_here = self.open_flags(question_id)
        if not open_here:
            elsewhere = sorted({f.question_id for f in self.open_flags()}, key=self.questionnaire.position)
            hint = f"未解決の疑義がある問い: {'、'.join(elsewhere)}（F5 で移動）" if elsewhere else "この所属に未解決の疑義はありません。"
            self.set_message(f"{label} に未解決の疑義はありません。{hint}", "warning")
            return
        flag = open_here[0]
        more = oldest_of(open_here)
        if not self.store.may_close(flag):
            self._reply(flag, label, more)
            return

        def resolved(how: str | None) -> None:
            if how is None:
                return
            if self._attempt(lambda: self.store.resolve_flag(flag.id, how)):
                left = len(self.open_flags())
                rest = f"未解決の疑義はあと {left} 件です。" if left else "この所属の疑義はすべて解決しました。"
                self.set_message(f"{label} の疑義を解決済にしました。{rest}", "success")

        self.app.push_screen(
            TextDialog(
                f"{label} の疑義「{flag.comment}」（{self.who(flag.raised.who)}）{more}を"
                "どう解決したかを入力してください。",
                placeholder="例: 入力者が用紙どおり 2 に修正したことを確認",
            ),
            resolved,
        )

    def _reply(self, flag: Flag, label: str, more: str) -> None:
        """The person who entered the form answers a flag; its raiser (or a third person) closes it."""

        def replied(text: str | None) -> None:
            if text is not None and self._attempt(lambda: self.store.reply_flag(flag.id, text)):
                self.set_message(FLAG_REPLIED.format(label=label), "success")

        self.app.push_screen(flag_reply_dialog(label, flag, self.who(flag.raised.who), more), replied)

    # -- sign-off, finalise, unlock --------------------------------------------------------

    # The version on screen is what is signed off, finalised or unlocked: if someone changed the
    # department since, the store refuses (ConflictError) and the screen reloads to show it.

    def action_sign_off(self) -> None:
        response = self.response
        reasons = self.store.sign_off_refusals(response.id)
        if reasons:
            self.refresh_data()  # the reasons are about the form as stored now: show it
            self.set_message([("", "確認済にできません。")] + [("・", reason) for reason in reasons], "error")
            return
        name = response.department.name

        def decided(yes: bool | None) -> None:
            if yes and self._attempt(lambda: self.store.sign_off(response.id, expected_version=response.version)):
                self.set_message(
                    f"{name} を確認済にしました（確定は Ctrl+F）。{seal_words(self.store.last_seal)}", "success"
                )

        self.app.push_screen(
            ConfirmDialog(
                f"{name} を確認済にしますか？\n用紙と照らし合わせ、すべての回答を確認したことを記録します"
                f"（確認者：{self.who(self.store.who)}）。",
                yes="確認済にする",
                no="やめる",
            ),
            decided,
        )

    def action_finalise(self) -> None:
        response = self.response
        name = response.department.name
        refusal = self.store.finalise_refusal(response.id)  # refused before asking, in the store's words
        if refusal:
            self.refresh_data()
            self.set_message(refusal, "error")
            return

        def decided(yes: bool | None) -> None:
            if yes and self._attempt(lambda: self.store.finalise(response.id, expected_version=response.version)):
                self.set_message(
                    f"{name} を確定しました（解除は Ctrl+U）。{seal_words(self.store.last_seal)}", "success"
                )

        self.app.push_screen(
            ConfirmDialog(
                f"{name} を確定しますか？\n確定すると入力画面では編集できなくなります。"
                "修正が必要になったときは、理由を記録して確定を解除します（確認済も取り消されます）。",
                yes="確定する",
                no="やめる",
            ),
            decided,
        )

    def action_unlock(self) -> None:
        response = self.response
        name = response.department.name
        refusal = self.store.unlock_refusal(response.id)  # e.g. the one who entered it: before any reason is typed
        if refusal:
            self.refresh_data()
            self.set_message(refusal, "error")
            return

        def unlocked(reason: str | None) -> None:
            if reason is None:
                return
            if self._attempt(lambda: self.store.unlock(response.id, reason, expected_version=response.version)):
                self.set_message(
                    f"{name} の確定を解除しました（確認済も取り消し、入力済に戻しました）。理由は監査ログに記録しました。",
                    "success",
                )

        self.app.push_screen(
            TextDialog(
                f"{name} の確定を解除します。解除する理由を入力してください（監査ログに残ります）。"
                "解除すると確認済も取り消され、もう一度確認が必要になります。",
                placeholder="例: 所属から訂正の連絡（電話）",
            ),
            unlocked,
        )

    def _attempt(self, write: Callable[[], object]) -> bool:
        """Run one store write; show the store's reason when it refuses. Reloads either way."""
        try:
            write()
        except StoreError as exc:  # RefusedError (a rule), ConflictError (changed meanwhile), busy…
            self.refresh_data()
            self.set_message(str(exc), "error")
            return False
        self.refresh_data()
        return True


def seal_words(seal: str) -> str:
    """The seal as a reviewer writes it on the paper 調書 or the 決裁 document: the audit log's
    entry number and the first 12 hex digits of its hash (``chosho verify --head`` checks it)."""
    number, _, digest = seal.partition(":")
    return f"封印 {number}:{digest}（監査ログ {number} 件目）を調書か決裁文書に書き留めてください。"


def _short_state(label: str) -> str:
    return {"非該当（経路外）": "経路外", "非該当（所属判断）": "非該当", "経路外に記録": "経路外記録"}.get(
        label, label.replace("（経路未確定）", "△")
    )
