"""chosho's store: one SQLite file holding the questionnaire, the departments' answers and
statuses, review flags and sign-off, double entry and keying events, the returned originals,
and an append-only, hash-chained audit log of every change.

``open_store`` opens (or creates and seeds) it; ``Store`` is the only way anything writes, so
entry, review and import obey the same rules. Depends on ``survey`` (the domain core), never
the other way round.
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
