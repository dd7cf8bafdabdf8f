"""The Textual app (entry screens come with the entry issue)."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    raise SystemExit("chosho: 入力画面はまだありません。")
