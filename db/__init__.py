"""chosho's store (SQLite): answers per department, saved as they are accepted."""
