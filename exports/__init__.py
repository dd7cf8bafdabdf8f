"""chosho's exports: the consolidated Excel workbook the audit report is written from."""
