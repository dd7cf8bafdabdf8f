"""Export the consolidated workbook from the app, with a progress bar.

The records are read in the app's thread (the store's connection belongs to it); the workbook
is written in a thread worker, which needs no database, so the screen stays responsive.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar, Static, Switch

from db import Store

from ..widgets.folded import Folded

__all__ = ["ExportScreen"]


class ExportScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "閉じる")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.running = False

    def compose(self) -> ComposeResult:
        from exports.commands import default_name  # light: no pandas

        with Vertical(classes="dialog"):
            yield Static("集計用 Excel ブックの出力", classes="dialog-text")
            yield Label("保存先ファイル（Enter で出力）")
            yield Input(str(default_name(self.store.questionnaire.title)), id="export-path")
            with Horizontal(classes="entry-line"):
                yield Switch(False, id="confirmed-only")
                yield Label("確認済・確定の所属だけを集計する（Tab で移動、Space で切替）", classes="prompt")
            yield ProgressBar(id="export-progress", show_eta=False)
            with VerticalScroll(id="export-scroll"):
                yield Folded(id="export-result")
            yield Label("Enter: 出力　　Esc: 閉じる", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#export-path", Input).focus()

    @on(Input.Submitted, "#export-path")
    def _start(self) -> None:
        if self.running:
            return
        from exports.records import read_records

        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#export-result", Folded).update("保存先のファイル名を入力してください。")
            return
        confirmed_only = self.query_one("#confirmed-only", Switch).value
        records = read_records(self.store, confirmed_only=confirmed_only)
        names = {name: (display or name) for name, display, _ in self.store.users()}
        self.running = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#export-result", Folded).update("出力中…")
        self._write(path, records, confirmed_only, names)

    @work(thread=True, exclusive=True)
    def _write(self, path: str, records, confirmed_only: bool, names: dict) -> None:
        from exports.workbook import ExportError, save_workbook

        bar = self.query_one("#export-progress", ProgressBar)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        try:
            result = save_workbook(
                path,
                self.store.questionnaire,
                records,
                confirmed_only=confirmed_only,
                author=self.store.who,
                display=lambda name: names.get(name, name),
                progress=progress,
                router=self.store.router,
            )
        except ExportError as exc:
            self.app.call_from_thread(self._done, None, str(exc))
            return
        self.app.call_from_thread(self._done, result, "")

    def _done(self, result, error: str) -> None:
        self.running = False
        out = self.query_one("#export-result", Folded)
        if result is None:
            out.update(error)
            out.set_classes("error")
            return
        lines = [f"出力しました: {result.path}（集計対象 {result.included} 所属／全 {result.total} 所属）"]
        lines += [f"注意: {warning}" for warning in result.warnings]
        out.update("\n".join(lines))
        out.set_classes("")
        self.app.notify(f"Excel に出力しました: {result.path.name}", markup=False)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
