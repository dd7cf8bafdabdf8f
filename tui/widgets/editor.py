"""The multi-line editor for long free text (Q10, Q11, Q20, Q22 …): a TextArea that leaves the
F-keys to the screens.

Textual's TextArea binds F6 (select the line) and F7 (select everything). While the editor has
the focus its bindings come before the screen's, so F6 (点検一覧) did nothing on a long-text
question and was missing from the command palette there. chosho's screens own every F-key, so
the editor keeps all of TextArea's keys except those; selecting stays on Shift+arrows.
"""

from __future__ import annotations

import re

from textual.widgets import TextArea

__all__ = ["AnswerEditor"]

_FUNCTION_KEY = re.compile(r"f\d+")


class AnswerEditor(TextArea, inherit_bindings=False):
    BINDINGS = [
        binding
        for key, bindings in TextArea._merged_bindings.key_to_bindings.items()
        if not _FUNCTION_KEY.fullmatch(key)
        for binding in bindings
    ]
