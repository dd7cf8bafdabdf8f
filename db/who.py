"""Who is working: the OS login by default, so every write can be stamped with a person, and
the key by which two spellings of one name are known to be the same person."""

from __future__ import annotations

import os
from typing import NamedTuple

from survey.people import name_problem
from survey.people import person_key as _domain_person_key

__all__ = ["Stamp", "check_name", "os_login", "person_key"]


class Stamp(NamedTuple):
    who: str
    at: str


def os_login() -> str:
    # getpass reads LOGNAME/USER/LNAME/USERNAME, then the password database; a container may
    # have neither, and a write must still be stamped with someone.
    # Imported only when no name is given (--user skips it).
    import getpass

    try:
        name = getpass.getuser()
    except Exception:  # noqa: BLE001 - any failure means "unknown", never a crash
        name = os.environ.get("USERNAME", "")
    name = name.strip()
    # A login chosho may not stamp (taro.yamada: a dot is not a letter) is no one's name here:
    # the who screen or --user then names the person.
    return name if name and name_problem(name) is None else "不明"


def person_key(name: str | None) -> str:
    """The key people are compared by ("clerkA", "clerkA ", "ClerkA", "ｃｌｅｒｋＡ" and
    "сlerkA" with a Cyrillic с are one person): the domain's one rule, ``survey.people.person_key``."""
    return _domain_person_key(name or "")


def check_name(name: str | None) -> None:
    """Refuse (RefusedError, in Japanese) a name that is not letters, digits and inner spaces:
    what cannot be seen must not make a second person (``survey.people.name_problem``)."""
    problem = name_problem(name)
    if problem:
        from .errors import RefusedError

        raise RefusedError(problem)
