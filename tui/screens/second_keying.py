"""照合入力: the blind second keying, through the same generated screens as the first.

The verifier sees neither the first entry's values nor its route: the screen reads and writes
the second keying only (``Store.second_keying``), its route follows what is keyed, and nothing
of the first entry is drawn (no recorded value, no 疑義). With the live check on (CSPro's
verify mode), each question is compared with the first entry as it is completed: a mismatch is
not recorded and is keyed again; the same different value again is a keyer error, going back to
the first value a verifier error (``survey.verification.LiveField``). The verifier is never
told what the first value was.
"""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.screen import Screen

from db import RefusedError, Store, StoreError
from db.verification import first_keyer_of
from survey import Multi, Single, Text
from survey.answers import is_complete
from survey.verification import LiveField, step_events

from ..widgets.fields import MultiField, SingleField
from .dialogs import ChoiceDialog, ConfirmDialog
from .entry import EntryScreen
from .summary import SummaryScreen

__all__ = ["SecondKeyingScreen", "SecondKeyingSummary", "start_second_keying"]


def _keying(store: Store, department_id: int):
    keying = store.second_keying(department_id)
    if keying is None:
        raise RefusedError("この所属の照合入力は始まっていません。")
    return keying


def start_second_keying(screen: Screen, department_id: int) -> None:
    """F3 on the department list: refuse with the reason, resume, or ask blind or live and start."""
    store: Store = screen.app.store
    problem = store.second_keying_refusal(department_id)
    if problem:
        screen.app.notify(problem, severity="error", timeout=10, markup=False)
        return
    if store.second_keying(department_id) is not None:  # the same verifier goes on
        screen.app.push_screen(SecondKeyingScreen(store, department_id))
        return
    name = store.response(department_id=department_id).department.name

    def chosen(mode: str | None) -> None:
        if mode is None:
            return
        try:
            store.start_second_keying(department_id, live=mode == "live")
        except StoreError as exc:
            screen.app.notify(str(exc), severity="error", timeout=10, markup=False)
            return
        screen.app.push_screen(SecondKeyingScreen(store, department_id))

    screen.app.push_screen(
        ChoiceDialog(
            f"{name} の照合入力（二人目の入力）を始めます。最初の入力の値は表示しません。\n"
            "入力しながら照合すると、最初の入力と違う問いはその場で再入力を求めます（値は示しません）。",
            [("1", "live", "入力しながら照合する"), ("2", "blind", "後でまとめて突合する")],
        ),
        chosen,
    )


class SecondKeyingScreen(EntryScreen):
    """The entry screen on the second keying: same keys, same auto-advance, blind."""

    def __init__(self, store: Store, department_id: int, question_id: str | None = None) -> None:
        self._first = store.response(department_id=department_id)
        self._first_route = store.router.route(self._first.answers)
        self._live: dict[str, LiveField] = {}
        self._retype: dict[int | None, str] = {}  # free text of a flagged question, kept to correct
        super().__init__(store, department_id, question_id)
        # Questions the live check settled in an earlier session keep their verdict.
        comparer = store.comparer
        self._settled = {
            qid: comparer.question_cells(qid, self.response.answers[qid])
            for qid in store.live_checked(department_id) if qid in self.response.answers
        }

    # -- what is keyed ---------------------------------------------------------------------

    def load(self):
        return _keying(self.store, self.department_id)

    def open_flags(self) -> list:
        return []  # the reviewer's doubts are about the first entry: blind means not shown

    def progress_prefix(self) -> str:
        return "【照合入力】"  # first, so the verifier always sees it (the mode is in the status)

    def write_answer(self, *args, **kwargs) -> int:
        kwargs.pop("row", None)  # the second keying's log holds the whole table (compared by position)
        return self.store.save_second_answer(*args, **kwargs)

    # -- the live check --------------------------------------------------------------------

    def advance(self) -> None:
        """Leaving a question: with the live check on, its final value is compared first."""
        if self._live_check():
            super().advance()

    def _live_check(self) -> bool:
        """Whether the screen may move on (False: flagged, to be keyed again)."""
        qid = self.question_id
        value = self.response.answers.get(qid)
        if not self.response.live or value is None or not is_complete(self.question, value):
            return True
        comparer = self.store.comparer
        cells = comparer.question_cells(qid, value)
        if self._settled.get(qid) == cells:  # checked already (moving through with Tab)
            return True
        expected = comparer.question_cells(qid, self._first.answers.get(qid), qid in self._first_route)
        step = (self._live.get(qid) or LiveField(expected)).key(cells)
        self._live[qid] = step.field
        if not step.settled:
            self._flagged(step.message)
            return False
        self._settled[qid] = cells
        keyer = first_keyer_of(self._first, qid) or ""
        # Stored with the next answer (one transaction a field, as in the first keying), or
        # when the screen is left (the summary's F9 needs every verdict: see _to_summary).
        self.keying_log.add(step_events(
            step, verifier=self.store.who, keyer=keyer, at=datetime.now().astimezone(),
            department=str(self.department_id), field=qid,
        ))
        if step.message:
            self.notify(step.message, timeout=4, markup=False)
        return True

    def _flagged(self, message: str) -> None:
        """Not recorded: the question is keyed again (what was keyed is cleared in the store).

        Codes are keyed again from empty; free text stays on screen, unrecorded, to be
        corrected rather than typed again in full (the editor, or an option's box once its code
        is keyed again)."""
        keyed = self.response.answers.get(self.question_id)
        self._retype = {}
        if isinstance(keyed, Text):
            self._retype[None] = keyed.text
        elif isinstance(keyed, (Single, Multi)):
            self._retype.update(keyed.texts)
        try:
            self.store.clear_second_answers(
                self.response.id, [self.question_id], expected_version=self.response.version,
                why="照合: 最初の入力と不一致のため再入力",
            )
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.reload()
        self.show(self.question_id)
        if None in self._retype:
            self.field.take_early(self._retype[None])
        self.set_message(message, "error")
        self.app.bell()

    def show(self, question_id: str) -> None:
        if question_id != self.question_id:
            self._retype = {}  # kept only while the flagged question is keyed again
        super().show(question_id)

    def _sync_key_line(self, text: str | None = None) -> None:
        """An option's box opening empty on the flagged question gets its text back."""
        field = self.field
        if isinstance(field, SingleField):
            box = field.text_code
        else:
            box = field.box_queue[0] if isinstance(field, MultiField) and field.box_queue else None
        if text == "" and box is not None and box in self._retype:
            text = self._retype[box]
        super()._sync_key_line(text)

    # -- the end of the route --------------------------------------------------------------

    def _to_summary(self) -> None:
        try:
            self.store.record_events(self.keying_log.take())
        except StoreError as exc:
            self.set_message(str(exc), "error")
            return
        self.app.switch_screen(SecondKeyingSummary(self.store, self.department_id))


class SecondKeyingSummary(SummaryScreen):
    """The second keying's own answers (never the first's), and F9 to finish it."""

    BINDINGS = [Binding("f9", "mark_entered", "照合入力を終える", id="second.finish")]
    heading = "照合入力の点検一覧"

    def load(self):
        return _keying(self.store, self.department_id)

    def open_flags(self) -> list:
        return []

    def entry_screen(self, question_id: str) -> Screen:
        return SecondKeyingScreen(self.store, self.department_id, question_id)

    def action_mark_entered(self) -> None:
        if self.response.completed:
            self.set_message("この照合入力は終わっています。", "warning")
            return
        if self.not_entered:
            self.set_message(
                "未入力の問いがあります: " + "、".join(self.not_entered)
                + "。用紙が空欄なら F2（無回答）で記録してから終えてください。",
                "error",
            )
            return
        try:  # e.g. live questions not yet compared: refused before asking, in the store's words
            refusal = self.store.completion_refusal(self.response.id)
        except StoreError as exc:
            refusal = str(exc)
        if refusal:
            self.set_message(refusal, "error")
            return

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.complete_second_keying(self.response.id)
            except StoreError as exc:
                self.set_message(str(exc), "error")
                return
            self.refresh_table()
            state = self.store.verification_state(self.department_id)
            from survey.verification import LABELS

            differences = len(self.store.comparison(self.department_id).differences)
            told = f"{self.response.department.name} の照合入力を終えました（{LABELS[state]}"
            told += f"、相違 {differences} 件）。" if differences else "、相違なし）。"
            self.set_message(told, "success")
            self.app.notify(told, markup=False)

        self.app.push_screen(
            ConfirmDialog("照合入力を終えると、この入力は変更できなくなります。終えますか？", yes="終える", no="戻る"),
            decided,
        )
