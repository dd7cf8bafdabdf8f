"""The server's own pages, in Japanese: login, logged out, closed, refusals. No script, nothing
from outside the host: one stylesheet of chosho's own (static/chosho.css)."""

from __future__ import annotations

from html import escape

__all__ = ["closed_page", "login_page", "logged_out_page", "message_page"]


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{escape(title)} — chosho</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/chosho/chosho.css\">\n</head>\n"
        f"<body class=\"page\">\n<main>\n<h1>chosho（調書）</h1>\n{body}\n</main>\n</body>\n</html>\n"
    )


def login_page(message: str = "", name: str = "") -> str:
    note = f"<p class=\"error\" role=\"alert\">{escape(message)}</p>\n" if message else ""
    return _page(
        "ログイン",
        f"<h2>ログイン</h2>\n{note}"
        "<form method=\"post\" action=\"/login\">\n"
        "<label>名前 <input name=\"name\" autocomplete=\"username\" required "
        f"value=\"{escape(name)}\" autofocus></label>\n"
        "<label>パスワード <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\n"
        "<button type=\"submit\">ログイン</button>\n</form>\n"
        "<p class=\"note\">アカウントは管理者が <code>chosho users add</code> で作ります。</p>",
    )


def logged_out_page() -> str:
    return _page(
        "ログアウトしました",
        "<h2>ログアウトしました／閉じました</h2>\n"
        "<p>記録済みの回答はすべて保存されています。このタブは閉じてかまいません。</p>\n"
        "<p><a href=\"/login\">もう一度ログインする</a></p>",
    )


def closed_page() -> str:
    """The tab's app closed while the session still holds (the connection dropped, say)."""
    return _page(
        "画面を閉じました",
        "<h2>画面を閉じました</h2>\n"
        "<p>記録済みの回答はすべて保存されています。</p>\n"
        "<p><a href=\"/\">もう一度開く</a>　<a href=\"/logout\">ログアウトする</a></p>",
    )


def message_page(title: str, message: str, link: tuple[str, str] | None = ("/login", "ログイン画面へ")) -> str:
    extra = f"<p><a href=\"{escape(link[0])}\">{escape(link[1])}</a></p>" if link else ""
    return _page(title, f"<h2>{escape(title)}</h2>\n<p>{escape(message)}</p>\n{extra}")
