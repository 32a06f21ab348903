"""Temporary views over one file, built with DuckDB's own readers (no Python row loops)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.errors import AiledgerError

# Records of gateway logs can carry whole conversations; allow long lines.
MAX_LINE_BYTES = 64 * 1024 * 1024


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def read_csv_records(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> list[str]:
    """View ``csv_records(_row_number, <header columns as text>)``; returns the header.

    Structural errors (wrong column count, broken quoting) go to DuckDB's ``reject_errors``
    and are moved into the rejects by the caller.
    """
    for table in ("reject_errors", "reject_scans"):
        con.execute(f"drop table if exists {table}")
    reader = (
        f"read_csv({_quote(path)}, header = true, all_varchar = true, delim = ',', "
        f"quote = '\"', escape = '\"', store_rejects = true, strict_mode = true, "
        f"max_line_size = {MAX_LINE_BYTES}, null_padding = false)"
    )
    try:
        header = [r[0] for r in con.execute(f"describe select * from {reader}").fetchall()]
    except duckdb.Error as exc:
        raise AiledgerError(f"{label}: cannot read as CSV: {exc}") from exc
    con.execute(
        f"create or replace temp view csv_records as "
        f"select row_number() over () as _row_number, * from {reader}"
    )
    return header


def read_json_lines(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
    """View ``json_records(_row_number, line)``: one non-blank line per record, unparsed."""
    reader = (
        f"read_csv({_quote(path)}, columns = {{'line': 'VARCHAR'}}, header = false, "
        f"delim = '\\0', quote = '', escape = '', auto_detect = false, "
        f"max_line_size = {MAX_LINE_BYTES})"
    )
    con.execute(
        f"""
        create or replace temp view json_records as
        select _row_number, line from (
            select row_number() over () as _row_number, line from {reader}
        ) where trim(line) <> ''
        """
    )


def read_json_documents(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
    """Table ``pages(_page_number, page JSON)`` from one document, an array, or JSON lines."""
    content = con.execute(
        f"select content from read_text({_quote(path)})"
    ).fetchall()[0][0]
    # Windows tools write a byte-order mark, which is not JSON.
    content = content.removeprefix("\ufeff")
    con.execute("create or replace temp table doc as select ? as content", [content])
    whole = con.execute("select json_valid(content) from doc").fetchall()[0][0]
    if whole:
        con.execute(
            """
            create or replace temp table pages as
            select p.i as _page_number, p.page
            from doc, unnest(case when json_type(cast(content as json)) = 'ARRAY'
                                  then cast(json_extract(content, '$[*]') as json[])
                                  else [cast(content as json)] end)
                 with ordinality as p(page, i)
            """
        )
        return
    con.execute(
        """
        create or replace temp table page_lines as
        select l.i as line_number, l.line
        from doc, unnest(string_split(content, chr(10))) with ordinality as l(line, i)
        where trim(l.line) <> ''
        """
    )
    bad = con.execute(
        "select min(line_number), count(*) from page_lines"
        " where not json_valid(line)"
    ).fetchall()[0]
    lines = con.execute("select count(*) from page_lines").fetchall()[0][0]
    # A pretty-printed document that fails to parse fails on its first line too.
    if bad[1] and (bad[0] == 1 or bad[1] == lines):
        raise AiledgerError(
            f"{label}: not valid JSON: the document is truncated or malformed",
            hint="re-download the export; nothing from this file was landed",
        )
    if bad[1]:
        raise AiledgerError(
            f"{label}: line {bad[0]}: not valid JSON (truncated or malformed page)",
            hint="re-download the export; nothing from this file was landed",
        )
    con.execute(
        "create or replace temp table pages as"
        " select line_number as _page_number, cast(line as json) as page from page_lines"
    )


def require_page_key(con: duckdb.DuckDBPyConnection, key: str, label: str, name: str) -> None:
    """Refuse ``pages`` none of which has ``key``: another format's file, not an empty one."""
    found = con.execute(
        "select count(*) from pages where json_extract(page, ?) is not null", [f"$.{key}"]
    ).fetchall()[0][0]
    if not found:
        raise AiledgerError(
            f"{label}: required key {key!r} appears in no document (read as {name})",
            hint="pass --format if this is another format",
        )
