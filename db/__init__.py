"""chosho's store: answers, statuses, flags and an append-only audit log in one SQLite file.

Depends on ``survey`` (the domain core), never the other way round.
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
