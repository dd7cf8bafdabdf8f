"""Export the consolidated workbook from the app, with a progress bar.

The records are read in the app's thread (the store's connection belongs to it); the workbook
is written in a thread worker, which needs no database, so the screen stays responsive.

In a browser (``chosho serve``) the person names the file only: it is written to a private
temporary folder on the host and arrives as a download in their browser (tui/browser.py).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, ProgressBar, Static

from db import Store

from ..widgets.folded import Folded
from . import FORMS_CSS

__all__ = ["ExportScreen"]


def _scope_label(confirmed_only: bool) -> str:
    if confirmed_only:
        return "集計する所属: 確認済・確定だけ（Tab で移動、Space ですべてに戻す）"
    return "集計する所属: すべて（Tab で移動、Space で確認済・確定だけにする）"


class ExportScreen(ModalScreen[None]):
    CSS_PATH = FORMS_CSS

    # Enter exports from the checkbox too (a Checkbox would take it as a toggle).
    BINDINGS = [Binding("escape", "close", "閉じる"), Binding("enter", "start", "出力", priority=True)]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.running = False

    def compose(self) -> ComposeResult:
        from exports.commands import default_name  # light: no pandas

        from ..browser import in_browser

        with Vertical(classes="dialog"):
            yield Static("集計用 Excel ブックの出力", classes="dialog-text")
            if in_browser(self.app):
                yield Label("ファイル名（Enter で出力。ブラウザのダウンロードに届きます）")
            else:
                yield Label("保存先ファイル（Enter で出力）")
            yield Input(str(default_name(self.store.questionnaire.title)), id="export-path")
            # The state in words: a checkbox's mark alone is hard to read in every theme.
            yield Checkbox(_scope_label(False), id="confirmed-only", compact=True)
            yield ProgressBar(id="export-progress", show_eta=False)
            with VerticalScroll(id="export-scroll"):
                yield Folded(id="export-result")
            yield Label("Enter: 出力　　Esc: 閉じる", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#export-progress").display = False
        self.query_one("#export-path", Input).focus()

    @on(Checkbox.Changed, "#confirmed-only")
    def _scope(self, event: Checkbox.Changed) -> None:
        event.checkbox.label = _scope_label(event.value)

    def action_start(self) -> None:
        if self.running:
            return
        from exports.records import read_records

        from ..browser import file_name, in_browser

        path = self.query_one("#export-path", Input).value.strip()
        if in_browser(self.app):
            path = file_name(path)  # a name, never a folder of the host
        if not path:
            self.query_one("#export-result", Folded).update("保存先のファイル名を入力してください。")
            return
        confirmed_only = self.query_one("#confirmed-only", Checkbox).value
        records = read_records(self.store, confirmed_only=confirmed_only)
        names = {name: (display or name) for name, display, _ in self.store.users()}
        self.running = True
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=None, progress=0)
        self.query_one("#export-result", Folded).update("出力中…")
        self._write(path, records, confirmed_only, names, in_browser(self.app))

    @work(thread=True, exclusive=True)
    def _write(self, path: str, records, confirmed_only: bool, names: dict, browser: bool) -> None:
        if not browser:
            self._save(path, records, confirmed_only, names)
            return
        from ..browser import scratch_file

        with scratch_file(path) as scratch:
            result, error = self._save(scratch, records, confirmed_only, names, report=False)
            content = result.path.read_bytes() if result is not None else None
        self.app.call_from_thread(self._done, result, error, content)

    def _save(self, path, records, confirmed_only: bool, names: dict, report: bool = True):
        """Write the workbook at ``path`` (in the worker's thread); with ``report`` tell the screen."""
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
            result, error = None, str(exc)
        else:
            error = ""
        if report:
            self.app.call_from_thread(self._done, result, error)
        return result, error

    def _done(self, result, error: str, content: bytes | None = None) -> None:
        from ..browser import send_download

        self.running = False
        out = self.query_one("#export-result", Folded)
        if result is None:
            out.update(error)
            out.set_classes("error")
            return
        counted = f"（集計対象 {result.included} 所属／全 {result.total} 所属）"
        if content is not None:
            send_download(self.app, result.path.name, content)
            lines = [f"ブラウザのダウンロードに送りました: {result.path.name}{counted}"]
        else:
            lines = [f"出力しました: {result.path}{counted}"]
        lines += [f"注意: {warning}" for warning in result.warnings]
        out.update("\n".join(lines))
        out.set_classes("")
        sent = "Excel をダウンロードに送りました" if content is not None else "Excel に出力しました"
        self.app.notify(f"{sent}: {result.path.name}", markup=False)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)
