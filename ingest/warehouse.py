"""The DuckDB warehouse file: where it is, and the load ledger tables ingest writes."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_WAREHOUSE = Path("warehouse/ailedger.duckdb")

LEDGER_DDL = """
create schema if not exists raw;
create table if not exists raw._loads (
    load_id varchar primary key,
    source_file varchar not null,
    sha256 varchar not null,
    format varchar,
    raw_table varchar,
    status varchar not null,          -- landed | refused (re-landed content writes nothing)
    rows_landed bigint not null,
    rows_rejected bigint not null,
    message varchar,
    expectations_failed json,
    started_at timestamp not null,
    finished_at timestamp not null
);
create table if not exists raw._rejects (
    load_id varchar not null,
    source_file varchar not null,
    raw_table varchar,
    row_number bigint,                -- record ordinal; negative = physical line of a CSV error
    column_name varchar,
    reason varchar not null,
    raw_row varchar                   -- truncated, prompt/response fields removed
);
"""


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file: an explicit path, else $AILEDGER_WAREHOUSE, else the default."""
    chosen = explicit or os.environ.get("AILEDGER_WAREHOUSE") or DEFAULT_WAREHOUSE
    return Path(chosen)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse with the ledger tables and a UTC session."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    con.execute("set TimeZone = 'UTC'")
    con.execute(LEDGER_DDL)
    return con
