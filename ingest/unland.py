"""Undo one landed file: its raw rows, its rejects and its ledger row, in one transaction.

After an unland the same content can land again (the already-landed check reads the ledger),
so a file with a bad record is fixed by unlanding it, correcting it, and landing it again.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingest.errors import AiledgerError
from ingest.formats.sql import ident

LIST_LOADS = (
    "select load_id, status, source_file from raw._loads order by finished_at desc limit 20"
)


@dataclass
class Unlanded:
    """What one unland removed."""

    load_id: str
    source_file: str
    raw_table: str | None
    rows_removed: int
    rejects_removed: int


def unland(con: duckdb.DuckDBPyConnection, load_id: str) -> Unlanded:
    """Remove everything load ``load_id`` wrote; refuse a load id the ledger does not hold."""
    found = con.execute(
        "select source_file, raw_table, status from raw._loads where load_id = ?", [load_id]
    ).fetchall()
    if not found:
        raise AiledgerError(
            f"no load {load_id!r} in raw._loads",
            hint=f"load ids are in the ingest summary, or: {LIST_LOADS}",
        )
    source_file, table, status = found[0]
    con.execute("begin transaction")
    try:
        rows = 0
        if status == "landed" and table and _has_table(con, table):
            rows = con.execute(
                f"delete from raw.{ident(table)} where _load_id = ?", [load_id]
            ).fetchall()[0][0]
        rejects = con.execute(
            "delete from raw._rejects where load_id = ?", [load_id]
        ).fetchall()[0][0]
        con.execute("delete from raw._loads where load_id = ?", [load_id])
        con.execute("commit")
    except Exception:
        try:
            con.execute("rollback")
        except duckdb.Error:
            pass  # the failed statement already ended the transaction
        raise
    return Unlanded(load_id, source_file, table, rows, rejects)


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "select 1 from information_schema.tables where table_schema = 'raw'"
            " and table_name = ?",
            [table],
        ).fetchall()
    )


__all__ = ["Unlanded", "unland"]
