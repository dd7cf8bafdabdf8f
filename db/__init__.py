"""chosho's store: one SQLite file holding the questionnaire, the departments' answers and
statuses, review flags and sign-off, double entry and keying events, the returned originals,
and an append-only, hash-chained audit log of every change.

``open_store`` opens (or creates and seeds) it; ``Store`` is the only way anything writes, so
entry, review and import obey the same rules. Depends on ``survey`` (the domain core), never the other way round. One room per concern, no
module importing one that imports it back (tests/test_db_imports.py):

- ``store``: ``Store`` (the write transaction, the reads) and ``open_store``;
- ``opening``: refusing, migrating and seeding a database as it is opened;
- ``journal``: the audit log as the record — every write is an entry, and the one function
  that applies an entry is the only writer of the tables the log determines;
- ``audit``: the entries' hash chain and seals; ``replay``: the log applied from its first entry,
  compared with the tables; ``verify``: ``chosho verify``;
- ``answers``, ``review``, ``verification``, ``originals``: the office's work, as functions of
  the store (``Store`` offers each as a method);
- ``accounts``: the accounts people log in with, and the browser's sessions (functions of the store);
- ``records``, ``keying``, ``who``, ``errors``, ``schema``, ``sqlite_file``, ``location``: what
  they all share.
"""

from .errors import ConflictError, RefusedError, StoreBusy, StoreError, StoreUnavailable
from .location import database_path
from .schema import SCHEMA_VERSION, STATUS_LABELS, STATUSES
from .store import AuditEntry, Department, DepartmentState, Flag, Response, Stamp, Store, open_store

__all__ = [
    "AuditEntry",
    "ConflictError",
    "Department",
    "DepartmentState",
    "Flag",
    "RefusedError",
    "Response",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_LABELS",
    "Stamp",
    "Store",
    "StoreBusy",
    "StoreError",
    "StoreUnavailable",
    "database_path",
    "open_store",
]
