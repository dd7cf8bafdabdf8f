"""``chosho serve``: the app in browsers on the office's network, one login per person.

``command.py`` the command line and its refusals, ``settings.py`` what a server runs with,
``server.py`` the one module that changes textual-serve, ``login.py`` login/logout and the
security headers, ``pages.py`` the server's own pages, ``throttle.py`` failed logins,
``store_thread.py`` the server's connection to the database. Each tab's app is ``tui/served.py``.
"""
