"""A stand-in for one tab's app in the server's tests: it speaks textual-serve's protocol on
stdin/stdout as Textual's web driver does, in a few milliseconds instead of a whole app's start.

On start it sends a data packet with its argv and whether CHOSHO_SESSION reached it. Each data
packet from the browser is echoed back; "crash" ends it at once, "\\x11" (Ctrl+Q) makes it exit as an app does (an
``exit`` meta packet); "download", "pdf" or "html" offers a file (``deliver_file_start``) and serves its chunks.
A ``quit`` meta packet ends it, unless it was started with ``--stubborn``.
"""

from __future__ import annotations

import json
import os
import sys

from textual_serve._binary_encode import dump

FILE = "報告書 2024.xlsx"
CONTENT = "集計の中身".encode("utf-8") * 10
# What the browser can ask for: the file offered (name, how to open it, its type).
OFFERS = {
    b"download": (FILE, "download", "application/octet-stream"),
    b"pdf": ("原本.pdf", "browser", "application/pdf"),
    b"html": ("page.html", "browser", "text/html"),
}


def packet(kind: bytes, payload: bytes) -> None:
    sys.stdout.buffer.write(kind + len(payload).to_bytes(4, "big") + payload)
    sys.stdout.buffer.flush()


def meta(data: dict) -> None:
    packet(b"M", json.dumps(data).encode("utf-8"))


def main() -> int:
    stubborn = "--stubborn" in sys.argv
    sys.stdout.buffer.write(b"__GANGLION__\n")
    hello = {"argv": sys.argv, "session": os.environ.get("CHOSHO_SESSION"), "idle": os.environ.get("CHOSHO_IDLE_SECONDS"),
             "pid": os.getpid()}
    packet(b"D", json.dumps(hello).encode("utf-8"))
    stdin = sys.stdin.buffer
    sent = False
    while True:
        head = stdin.read(5)
        if len(head) < 5:
            return 0
        payload = stdin.read(int.from_bytes(head[1:], "big"))
        if head[:1] == b"D":
            if payload == b"crash":
                os._exit(1)
            if payload == b"\x11":
                meta({"type": "exit"})
                return 0
            if payload in OFFERS:
                path, method, mime = OFFERS[payload]
                meta({"type": "deliver_file_start", "key": "k" + os.urandom(8).hex(), "path": path,
                      "open_method": method, "mime_type": mime, "encoding": None})
                sent = False
                continue
            packet(b"D", payload)
        else:
            message = json.loads(payload)
            if message["type"] == "quit" and not stubborn:
                meta({"type": "exit"})
                return 0
            if message["type"] == "deliver_chunk_request":
                packet(b"P", dump(["deliver_chunk", message["key"], b"" if sent else CONTENT]))
                sent = True


if __name__ == "__main__":
    sys.exit(main())
