"""Move the landed raw tables from the DuckDB warehouse to another engine.

Landing always happens in DuckDB (format recognition, rejects, atomicity and the load
ledger live there). `ailedger publish-raw --target postgres|spark` then copies every raw
table, ledger included, through Parquet files: the columnar, typed hand-off every engine
reads. The dbt models then run unchanged on that engine.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.errors import AiledgerError
from ingest.warehouse import open_read_only

TARGETS = ("postgres", "spark", "parquet")


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'raw'"
        " order by table_name"
    ).fetchall()
    return [r[0] for r in rows]


def export_raw_parquet(warehouse: Path, out_dir: Path) -> dict[str, Path]:
    """One Parquet file per raw table (JSON columns as text); returns table -> file."""
    if not warehouse.exists():
        raise AiledgerError(f"{warehouse}: no warehouse file; land some exports first")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = open_read_only(warehouse)
    try:
        files = {}
        for table in raw_tables(con):
            target = out_dir / f"{table}.parquet"
            con.execute(
                f"copy (select * from raw.\"{table}\") to '{target}' (format parquet)"
            )
            files[table] = target
        return files
    finally:
        con.close()


def publish_raw(warehouse: Path, target: str, parquet_dir: Path) -> dict[str, int]:
    """Copy every raw table to ``target``; returns rows published per table."""
    if target not in TARGETS:
        raise AiledgerError(f"unknown target {target!r}", hint=f"one of: {', '.join(TARGETS)}")
    files = export_raw_parquet(warehouse, parquet_dir)
    if target == "parquet":
        # The hand-off alone, for engines that load Parquet themselves (Snowflake, BigQuery).
        return _parquet_rows(files)
    if target == "postgres":
        from ingest.publish.postgres import publish

        return publish(files)
    from ingest.publish.spark import publish

    return publish(files)


def _parquet_rows(files: dict[str, Path]) -> dict[str, int]:
    con = duckdb.connect()
    try:
        return {
            table: con.execute(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
            for table, path in files.items()
        }
    finally:
        con.close()
