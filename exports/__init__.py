"""chosho's files in and out: the consolidated Excel workbook the audit report is written from,
the analysis data (Stata, CSV, codebook), the fillable forms sent to departments, and the import
of returned forms and of answers in the workbook's 回答一覧 layout, each file all or nothing.

Importing this package is light: XlsxWriter, openpyxl and pandas are loaded only when an export
or an import runs, so the app starts fast. The usual entry points are ``export_workbook`` and
``import_answers`` (``from exports import export_workbook, import_answers``).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ExportError",
    "ExportResult",
    "ImportFileError",
    "ImportReport",
    "export_workbook",
    "import_answers",
    "import_files",
    "write_forms",
    "import_records",
    "Record",
    "read_records",
    "save_workbook",
]

_WHERE = {
    "ExportError": "workbook",
    "ExportResult": "workbook",
    "export_workbook": "workbook",
    "save_workbook": "workbook",
    "read_records": "records",
    "ImportFileError": "importer",
    "ImportReport": "importer",
    "import_answers": "importer",
    "write_forms": "forms",
    "import_files": "intake",
    "import_records": "importer",
    "Record": "importer",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'exports' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
