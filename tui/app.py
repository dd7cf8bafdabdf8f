"""The chosho Textual app: who is working, the department list, entry, summary."""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from db import Store

__all__ = ["ChoshoApp", "run"]

_KEY_DISPLAY = {"shift+tab": "S-Tab", "tab": "Tab", "esc": "Esc", "enter": "Enter", "space": "Space"}


class ChoshoApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "chosho"
    BINDINGS = [
        Binding("f1", "help", "ヘルプ", id="app.help"),
        Binding("ctrl+q", "quit", "終了", priority=True, id="app.quit"),
        # Not in the row of keys: every footer shows it apart, on the right (show_command_palette).
        Binding("ctrl+p", "command_palette", "コマンド", show=False, priority=True),
    ]

    def __init__(self, store: Store, *, ask_who: bool = True) -> None:
        super().__init__()
        self.store = store
        self.ask_who = ask_who
        self.failure: str | None = None  # why the app stopped on its own (printed by run())

    def fail(self, message: str) -> None:
        """Stop with a message for the terminal, as when the database cannot be opened."""
        self.failure = message
        self.exit(return_code=3)

    def get_key_display(self, binding: Binding) -> str:
        # As printed on the keyboard (F2, Esc, Tab), short enough for five keys and more at 80 columns.
        shown = super().get_key_display(binding)
        return _KEY_DISPLAY.get(shown, shown.upper() if shown[:1] in "f^" else shown)

    def get_default_screen(self) -> Screen:
        # The first screen is the app's base screen: nothing is drawn before it (and nothing
        # imported for a screen that is not the first).
        if self.ask_who:
            from db.accounts import has_accounts

            if has_accounts(self.store):  # a password, not a name anyone can type
                from .screens.login import LoginScreen

                return LoginScreen(self.store)
            from .screens.who import WhoScreen

            return WhoScreen(self.store)
        from .screens.departments import DepartmentsScreen

        return DepartmentsScreen(self.store)

    def on_ready(self) -> None:
        # The first screen is laid out: the rest of the start waits until it is drawn.
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        import gc

        from db import StoreError

        # Neither first screen needs the questionnaire (see run()): it is read now, so that the
        # first department opens at once and a damaged stored definition stops the app here,
        # with its message, as a failed open does.
        try:
            self.store.router  # the questionnaire and its routes
        except StoreError as exc:
            self.fail(str(exc))
        if not gc.isenabled():  # paused for the start by cli.cmd_app
            # What is loaded by now lives as long as the app: one pass for the start's garbage,
            # then it is kept out of the collector's later passes.
            gc.collect()
            gc.freeze()
            gc.enable()

    def on_mount(self) -> None:
        for warning in self.store.warnings:
            self.notify(warning, title="注意", severity="warning", timeout=30, markup=False)

    async def on_event(self, event: events.Event) -> None:
        # Every field gets a terminal's paste without escape sequences or control characters
        # (a pasted "\x1b[31m" was stored as a literal "^[31m"); only the editor keeps line breaks.
        if isinstance(event, events.Paste) and not event.is_forwarded:
            from textual.widgets import TextArea

            from .keying import clean_paste

            event.text = clean_paste(event.text, multiline=isinstance(self.focused, TextArea))
        elif isinstance(event, events.Key) and not event.is_forwarded:
            self._count_keystroke()
        await super().on_event(event)

    def _count_keystroke(self) -> None:
        """A key pressed on an entry screen (or a dialog it opened) counts for 入力者統計."""
        from textual.screen import ModalScreen

        for screen in reversed(self.screen_stack):
            log = getattr(screen, "keying_log", None)
            if log is not None:
                log.keystroke(screen.question_id)
                return
            if not isinstance(screen, ModalScreen):
                return

    def panic(self, *renderables) -> None:
        # A crash in a driver thread (the terminal's input) ends the app through panic(), which,
        # unlike an error in a handler, leaves return_code unset: chosho would exit with 0.
        self._return_code = 1
        super().panic(*renderables)

    async def action_quit(self) -> None:
        """Ctrl+Q: text typed but not yet recorded is never dropped silently (asked once)."""
        from .screens.entry import EntryScreen

        for screen in reversed(self.screen_stack):
            if isinstance(screen, EntryScreen) and screen.unsaved_text():
                screen.confirm_leaving(self.exit, doing="終了")
                return
        self.exit()

    def action_help(self) -> None:
        from .screens.help import HelpScreen, section_for

        if not isinstance(self.screen, HelpScreen):
            # At the section of the screen it was called from (or from under a dialog).
            self.push_screen(HelpScreen(section_for(self.screen_stack)))

    def action_command_palette(self) -> None:
        from .palette import ChoshoCommandPalette  # not on the way to the first screen

        if self.use_command_palette and not ChoshoCommandPalette.is_open(self):
            self.push_screen(ChoshoCommandPalette(id="--command-palette", placeholder="コマンドを検索…"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # The screen's own keys, in Japanese, instead of Textual's English system commands; each
        # with every key that does it, written as the footer writes them (F3, Esc, S-Tab, ^O).
        keys: dict[str, list[str]] = {}
        commands = []
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or active.node is self:
                continue
            if binding.description.isascii():  # a widget's own English binding (Input, DataTable)
                continue
            if screen.check_action(binding.action, ()) is False:
                continue
            if binding.action not in keys:
                keys[binding.action] = []
                commands.append((binding, active.node))
            shown = self.get_key_display(binding)
            if shown not in keys[binding.action]:
                keys[binding.action].append(shown)
        for binding, node in commands:
            yield SystemCommand(
                binding.description,
                "キー: " + " / ".join(keys[binding.action]),
                lambda node=node, action=binding.action: self.run_action(action, node),
            )
        yield SystemCommand("ヘルプ", "操作キーの一覧（F1）", self.action_help)
        yield SystemCommand("終了", "chosho を終了します（Ctrl+Q）", self.action_quit)


def _accounts_only(store: Store, typed: str) -> bool:
    """True when the database has accounts: then a name typed after --user does not choose the
    person (the who screen asks for a password), and until someone logs in the store is the
    OS login's, which writes nothing. Said on stderr and on the first screen."""
    import sys

    from db.accounts import has_accounts
    from db.who import os_login

    if not has_accounts(store):
        return False
    note = (
        f"このデータベースにはアカウントがあるため、--user（{typed}）は使いません。"
        "作業者は名前とパスワードで確かめます（名前を書くだけで別の人として作業できないように）。"
    )
    print(f"注意: {note}", file=sys.stderr)
    store.warnings.append(note)
    store.who = os_login()
    return True


def terminal_app(args: argparse.Namespace) -> ChoshoApp:
    """The app as ``chosho [--db FILE] [--user NAME]`` starts it in a terminal: the who screen
    unless --user names the person — and always, with a password, once the database has accounts."""
    from tui.cli import _open

    # Neither first screen reads the questionnaire: "who is entering" shows its title, the
    # department list the progress recorded with each change. It is read at its first use.
    store = _open(args, defer_definition=True, host=False)
    try:
        ask_who = args.user is None or _accounts_only(store, args.user)
    except BaseException:
        store.close()
        raise
    return ChoshoApp(store, ask_who=ask_who)


def run(args: argparse.Namespace) -> int:
    """Open the store named on the command line and run the app (errors handled by the CLI)."""
    import sys

    from .paste import install

    install()  # a bracketed paste with escape sequences stays one paste (see tui/paste.py)
    app = terminal_app(args)
    store = app.store
    try:
        app.run()
    finally:
        store.close()
    # Textual reports an uncaught error by printing it and setting return_code; run() itself
    # returns normally, so without this a crash would end with status 0.
    if app.failure:
        print(f"chosho: {app.failure}", file=sys.stderr)
        return app.return_code or 3
    if app.return_code:
        print(
            "chosho: 予期しないエラーで終了しました。記録済みの回答はデータベースに保存されています。",
            file=sys.stderr,
        )
        return app.return_code
    return 0
