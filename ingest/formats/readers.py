"""Temporary views over one file, built with DuckDB's own readers (no Python row loops)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from ingest.errors import AiledgerError

# Records of gateway logs can carry whole conversations; allow long lines.
MAX_LINE_BYTES = 64 * 1024 * 1024
# One API page or OTLP document is bounded by the API's own limits; a whole file is not.
MAX_DOCUMENT_BYTES = 1024 * 1024 * 1024
CHUNK_BYTES = 4 * 1024 * 1024


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
        # DuckDB's first line says what failed; the rest is a list of its reader options.
        first = str(exc).splitlines()[0]
        raise AiledgerError(
            f"{label}: cannot read as CSV: {first}",
            hint="the file may be cut inside a quoted value, or mix line endings; "
            "re-export it; nothing from this file was landed",
        ) from exc
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


def refuse_cut_last_line(con: duckdb.DuckDBPyConnection, label: str) -> None:
    """Refuse JSON lines whose last record is cut off: the export stopped mid-record.

    A whole but malformed record elsewhere stays a row reject; a last line that is not JSON
    and does not end its object means the file itself is incomplete.
    """
    last = con.execute(
        "select _row_number, line from json_records order by _row_number desc limit 1"
    ).fetchall()
    if not last:
        return
    row, line = last[0]
    text = line.rstrip()
    if text.endswith(("}", "]")) or con.execute("select json_valid(?)", [text]).fetchall()[0][0]:
        return
    records = con.execute("select count(*) from json_records").fetchall()[0][0]
    raise AiledgerError(
        f"{label}: line {row}: the last record is cut off (no closing brace): the file is "
        f"truncated after {records - 1} whole records",
        hint="re-export or re-download the whole file; nothing from this file was landed",
    )


def read_json_documents(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
    """Table ``pages(_page_number, page JSON)`` from one document, an array, or JSON lines.

    DuckDB's reader streams the file a value at a time, so a file of many pages needs the
    memory of one page, not of the whole file (nor of its parse tree).
    """
    reader = (
        f"read_json({_quote(path)}, format = 'auto', records = false, "
        f"columns = {{'page': 'JSON'}}, maximum_object_size = {MAX_DOCUMENT_BYTES})"
    )
    try:
        # A top-level array is a list of pages; the reader unpacks it itself except after
        # a byte-order mark, so unpack what it hands over whole.
        con.execute(
            f"""
            create or replace temp table pages as
            select row_number() over (order by d.n, p.i) as _page_number, p.page
            from (select row_number() over () as n, page from {reader}) as d,
                 unnest(case when json_type(d.page) = 'ARRAY'
                             then cast(d.page as json[]) else [d.page] end)
                   with ordinality as p(page, i)
            """
        )
    except duckdb.InvalidInputException as exc:
        # DuckDB names the byte and the line or value where the text stops being JSON.
        detail = str(exc).splitlines()[0].split(": ", 1)[-1]
        raise AiledgerError(
            f"{label}: not valid JSON: the document is truncated or malformed ({detail})",
            hint="re-download the export; nothing from this file was landed",
        ) from exc


_NUMBER = rb"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
# Where a chunk may be cut: no key-and-number match spans one of these bytes.
_CUT_AFTER = (b",", b"}", b"]", b"\n")


def quote_numbers(src: Path, dst: Path, keys: tuple[str, ...]) -> Path:
    """Copy ``src`` to ``dst`` with the numbers under ``keys`` written as JSON strings.

    DuckDB's JSON functions read numbers as doubles (123456789.123456789 comes back as
    123456789.12345679); as text, money casts to DECIMAL exactly. Inside a JSON string a
    quote is escaped, so ``"key":`` never matches there.
    """
    if not keys:
        return src
    names = b"|".join(re.escape(k.encode()) for k in keys)
    pattern = re.compile(rb'("(?:' + names + rb')"\s*:\s*)(' + _NUMBER + rb")(?=[\s,}\]])")
    carry = b""
    with src.open("rb") as fin, dst.open("wb") as fout:
        while chunk := fin.read(CHUNK_BYTES):
            buf = carry + chunk
            cut = max(buf.rfind(c) for c in _CUT_AFTER) + 1
            done, carry = buf[:cut], buf[cut:]
            fout.write(pattern.sub(rb'\1"\2"', done))
        fout.write(pattern.sub(rb'\1"\2"', carry + b"\n"))
    return dst


def quote_numbers_sql(text: str, keys: tuple[str, ...]) -> str:
    """SQL: the JSON text ``text`` with the numbers under ``keys`` written as strings."""
    if not keys:
        return text
    names = "|".join(re.escape(k) for k in keys).replace("'", "''")
    number = _NUMBER.decode()
    return (
        f"regexp_replace({text}, '(\"(?:{names})\"\\s*:\\s*)({number})([\\s,}}\\]]|$)', "
        f"'\\1\"\\2\"\\3', 'g')"
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
