"""照合対象の抽出: which departments get a second, blind keying.

All departments, every Nth in roster order from a random start, k % at random, or chosen by
hand (names or roster numbers). The first Enter shows what the rule picks — a blank seed gets a
fresh one, written into the field — and the second records it (``store.choose_for_verification``
with that seed, so the recorded sample is the one shown). A department once chosen stays
chosen; the preview says how many are new.
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet

from db import Department, Store, StoreError
from survey.numbers import NumberError, parse_whole
from survey.verification import ALL, BY_HAND, EVERY_NTH, PERCENT, Sample, VerificationError, draw, fresh_seed

from ..keying import normalize
from ..widgets.folded import Folded
from . import FORMS_CSS

__all__ = ["SamplingDialog", "chosen_departments"]

RULES = (
    (ALL, "全所属"),
    (EVERY_NTH, "名簿順に N 所属ごと（無作為の開始位置から）"),
    (PERCENT, "無作為に k%"),
    (BY_HAND, "手で選ぶ（所属名か名簿の番号）"),
)
_SEPARATORS = re.compile(r"[、,，\s]+")
_DIGITS = re.compile(r"[0-9０-９]+")
_RANGE = re.compile(r"([0-9０-９]+)[-‐－ー～~〜]([0-9０-９]+)")


def chosen_departments(text: str, departments: list[Department]) -> list[Department]:
    """Departments named in ``text``: names (a unique part is enough) or roster numbers (1 から),
    ranges as 3-5; separated by 、 , or spaces. ValueError with a Japanese message otherwise."""
    picked: list[Department] = []
    for token in _SEPARATORS.split(normalize(text).strip()):
        if not token:
            continue
        span = _RANGE.fullmatch(token)
        if span or _DIGITS.fullmatch(token):
            try:
                low = parse_whole(span[1] if span else token, what="名簿の番号")
                high = parse_whole(span[2], what="名簿の番号") if span else low
            except NumberError as exc:
                raise ValueError(str(exc)) from None
            if not 1 <= low <= high <= len(departments):
                raise ValueError(f"名簿の番号「{token}」は 1～{len(departments)} の範囲にしてください。")
            picked += departments[low - 1:high]
            continue
        exact = [d for d in departments if normalize(d.name) == token]
        found = exact or [d for d in departments if token in normalize(d.name)]
        if not found:
            raise ValueError(f"「{token}」という所属はありません。")
        if len(found) > 1:
            names = "、".join(d.name for d in found[:6]) + (" ほか" if len(found) > 6 else "")
            raise ValueError(f"「{token}」に当てはまる所属が {len(found)} あります（{names}）。もう少し詳しく入力してください。")
        picked.append(found[0])
    if not picked:
        raise ValueError("所属を入力してください（所属名か名簿の番号。例: 政策課、総務課 / 1,5,10-12）。")
    return picked


_FULL_WIDTH = "１２３４"  # what an IME in 全角 mode sends (Textual names the key by the character)


class RuleChoice(RadioSet):
    """The rules: ↑↓ or the rule's number chooses at once; Enter goes on (the dialog confirms)."""

    BINDINGS = [
        Binding("enter", "screen.confirm", "確認", show=False),
        Binding("down,right", "move(1)", "次の方法", show=False),
        Binding("up,left", "move(-1)", "前の方法", show=False),
        *(Binding(f"{i + 1},{wide}", f"choose({i})", show=False) for i, wide in enumerate(_FULL_WIDTH)),
    ]

    def action_move(self, step: int) -> None:
        index = (max(self.pressed_index, 0) + step) % len(RULES)
        self.action_choose(index)

    def action_choose(self, index: int) -> None:
        self._selected = index
        self.action_toggle_button()


class SamplingDialog(ModalScreen[Sample | None]):
    """↑↓ (or 1–4) choose the rule; Tab to the fields; Enter shows the sample, Enter again records it."""

    CSS_PATH = FORMS_CSS

    BINDINGS = [Binding("escape", "cancel", "やめる")]

    def __init__(self, store: Store, highlighted: int | None = None) -> None:
        super().__init__()
        self.store = store
        self.departments = store.departments()
        self.highlighted = next((d for d in self.departments if d.id == highlighted), None)
        self.preview: tuple[tuple, Sample] | None = None  # (inputs, sample) shown, not yet recorded

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="sampling-dialog"):
            yield Label("照合対象の抽出（二人目が照合入力する所属を選びます）", classes="dialog-title")
            with RuleChoice(id="sampling-rule", compact=True):
                for index, (_, label) in enumerate(RULES):
                    yield RadioButton(f"{index + 1} {label}", value=index == 1, compact=True)
            with Horizontal(classes="field-row", id="parameter-row"):
                yield Label("間隔 N", id="parameter-label", classes="field-label")
                yield Input(value="5", id="sampling-parameter", compact=True)
            with Horizontal(classes="field-row", id="seed-row"):
                yield Label("シード", classes="field-label")
                yield Input(placeholder="空欄なら新しく決めて記録します", id="sampling-seed", compact=True)
            with Horizontal(classes="field-row", id="chosen-row"):
                yield Label("所属", classes="field-label")
                yield Input(
                    value=self.highlighted.name if self.highlighted else "",
                    placeholder="所属名か名簿の番号（例: 政策課、総務課 / 1,5,10-12）", id="sampling-chosen", compact=True,
                )
            with VerticalScroll(classes="dialog-scroll", id="sampling-scroll"):
                yield Folded(id="sampling-result")
            yield Label("↑↓ 1～4: 方法　Tab: 次の欄　Enter: 抽出→もう一度で記録　Esc: やめる", classes="dialog-keys")

    def on_mount(self) -> None:
        choice = self.query_one("#sampling-rule", RuleChoice)
        choice._selected = choice.pressed_index  # the highlight on the chosen rule
        self._show_fields()
        existing = len(self.store.verification_targets())
        plans = self.store.verification_plans()
        if plans:
            self._result(f"これまでの抽出: {len(plans)} 回、照合対象 {existing} 所属（最後: {plans[-1].description}）")
        self.query_one("#sampling-rule", RadioSet).focus()

    def on_resize(self) -> None:
        # The drawn departments get what the terminal's height leaves (the keys stay in sight).
        self.query_one("#sampling-scroll").styles.max_height = max(5, self.app.size.height - 19)

    @property
    def rule(self) -> str:
        index = self.query_one("#sampling-rule", RadioSet).pressed_index
        return RULES[max(index, 0)][0]

    def _show_fields(self) -> None:
        rule = self.rule
        self.query_one("#parameter-row").display = rule in (EVERY_NTH, PERCENT)
        self.query_one("#seed-row").display = rule in (EVERY_NTH, PERCENT)
        self.query_one("#chosen-row").display = rule == BY_HAND
        parameter = self.query_one("#sampling-parameter", Input)
        if rule == EVERY_NTH:
            self.query_one("#parameter-label", Label).update("間隔 N")
            parameter.placeholder = f"1～{len(self.departments)}（所属ごと）"
        elif rule == PERCENT:
            self.query_one("#parameter-label", Label).update("割合 k%")
            parameter.placeholder = "1～100（%）"

    @on(RadioSet.Changed)
    def _rule_changed(self) -> None:
        self.preview = None
        self._show_fields()
        self._result("")

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.preview is not None and self._inputs() != self.preview[0]:
            self.preview = None
            self._result("条件が変わりました。Enter で抽出し直します。")

    def _inputs(self) -> tuple:
        return (
            self.rule,
            self.query_one("#sampling-parameter", Input).value.strip(),
            self.query_one("#sampling-seed", Input).value.strip(),
            self.query_one("#sampling-chosen", Input).value.strip(),
        )

    def _result(self, text: str | list, kind: str = "") -> None:
        result = self.query_one("#sampling-result", Folded)
        result.update(text)
        result.set_classes(kind)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.preview is not None and self._inputs() == self.preview[0]:
            self._record(self.preview[1])
            return
        try:
            sample = self._draw()
        except ValueError as exc:
            self._result(str(exc), "error")
            return
        self.preview = (self._inputs(), sample)
        names = {str(d.id): d.name for d in self.departments}
        targets = self.store.verification_targets()
        new = sum(1 for d in sample.departments if int(d) not in targets)
        listed = "、".join(names[d] for d in sample.departments)
        self._result(
            [("", f"抽出結果（まだ記録していません）: {sample.description}"),
             ("", f"うち新たに照合対象になる所属 {new}。Enter で記録します（記録した対象は取り消せません）。"),
             ("対象 ", listed)],
            "warning",
        )

    def _draw(self) -> Sample:
        """The sample the inputs give; a blank seed gets a fresh one, shown in its field."""
        rule = self.rule
        parameter = seed = None
        chosen: list[str] = []
        try:
            if rule in (EVERY_NTH, PERCENT):
                what = "間隔" if rule == EVERY_NTH else "割合"
                parameter = parse_whole(self.query_one("#sampling-parameter", Input).value, what=what)
                seed = parse_whole(self.query_one("#sampling-seed", Input).value, what="シード", allow_empty=True)
                if seed is None:
                    seed = fresh_seed()
                    self.query_one("#sampling-seed", Input).value = str(seed)
            if rule == BY_HAND:
                chosen = [str(d.id) for d in chosen_departments(self.query_one("#sampling-chosen", Input).value, self.departments)]
            return draw(rule, [str(d.id) for d in self.departments], parameter=parameter, seed=seed, chosen=chosen)
        except (NumberError, VerificationError) as exc:
            raise ValueError(str(exc)) from None

    def _record(self, shown: Sample) -> None:
        try:
            sample = self.store.choose_for_verification(
                shown.rule, parameter=shown.parameter, seed=shown.seed, chosen=[int(d) for d in shown.departments]
                if shown.rule == BY_HAND else (),
            )
        except StoreError as exc:
            self._result(str(exc), "error")
            return
        self.dismiss(sample)

    def action_cancel(self) -> None:
        self.dismiss(None)
