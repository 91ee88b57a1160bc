"""CSV import: one engine, several kinds of rows.

    reader.py   bytes -> Table: UTF-8 (with or without BOM), the delimiter, header, rows with
                the line numbers a spreadsheet shows
    kinds.py    ImportKind (what one kind of row is: fields, aliases, cleaning, matching) and
                the registry; an app adds a kind with one module, `<app>/imports.py`
    mapping.py  which column feeds which field: auto-mapped by header name, overridable
    engine.py   import_plan (validate the whole file, match existing rows, no writes) and
                import_apply (write the plan in one transaction, one activity entry)
    uploads.py  the uploaded file kept between the web UI's steps, scoped to workspace and user

The CLI (`lodestar import`) and the web pages call the same functions.
"""
