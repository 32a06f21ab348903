"""Publish the raw Parquet hand-off files to PostgreSQL.

Connection settings come from AILEDGER_PG_HOST, _PORT, _USER, _PASSWORD, _DATABASE and
_SSLMODE, as profiles.yml reads them (defaults localhost, 5432, postgres, no password,
ailedger, prefer); anything else libpq reads from its own PG* variables. Every table is
loaded with COPY from CSV that DuckDB writes from the Parquet file, in one transaction for
the whole publish: Postgres sees the previous raw tables or all of the new ones, never a mix.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import duckdb

from ingest.errors import AiledgerError

SCHEMA = "raw"

# DuckDB's type names (as the Parquet files read back) -> Postgres, spelled as Postgres's
# format_type() prints them so an existing table's columns can be compared as text.
_TYPES = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "smallint",
    "UBIGINT": "numeric(20,0)",
    "UINTEGER": "bigint",
    "USMALLINT": "integer",
    "UTINYINT": "smallint",
    "HUGEINT": "numeric(38,0)",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "JSON": "jsonb",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


def postgres_type(duckdb_type: str) -> str:
    """The Postgres column type for a DuckDB column type of a raw table."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal[1]},{decimal[2]})"
    if duckdb_type not in _TYPES:
        raise AiledgerError(
            f"raw column type {duckdb_type} has no Postgres equivalent in ailedger",
            hint="add it to ingest/publish/postgres.py",
        )
    return _TYPES[duckdb_type]


def connect_kwargs() -> dict[str, str]:
    """psycopg2 connection arguments from the AILEDGER_PG_* variables (as profiles.yml reads)."""
    env = os.environ.get
    params = {
        "host": env("AILEDGER_PG_HOST", "localhost"),
        "port": env("AILEDGER_PG_PORT", "5432"),
        "user": env("AILEDGER_PG_USER", "postgres"),
        "dbname": env("AILEDGER_PG_DATABASE", "ailedger"),
    }
    # Not given: left to libpq (PGPASSWORD, ~/.pgpass, trust or peer auth; PGSSLMODE).
    for key, var in (("password", "AILEDGER_PG_PASSWORD"), ("sslmode", "AILEDGER_PG_SSLMODE")):
        if env(var):
            params[key] = env(var, "")
    return params


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def publish(files: dict[str, Path]) -> dict[str, int]:
    """Replace ``raw.<table>`` in Postgres with each Parquet file; returns rows per table.

    A table whose columns and types are unchanged is truncated and reloaded, so the staging
    views dbt built on it survive. One whose shape changed (an ailedger upgrade) is dropped
    with its dependent views and re-created; the next `dbt build` re-creates the views.
    """
    try:
        import psycopg2
    except ImportError as exc:
        raise AiledgerError(
            "publishing to Postgres needs psycopg2, which is not installed",
            hint="pip install -e '.[postgres]' (dbt-postgres and psycopg2)",
        ) from exc

    params = connect_kwargs()
    try:
        pg = psycopg2.connect(**params, connect_timeout=10)
    except psycopg2.OperationalError as exc:
        where = f"{params['user']}@{params['host']}:{params['port']}/{params['dbname']}"
        raise AiledgerError(
            f"cannot connect to Postgres at {where}: {str(exc).strip()}",
            hint="set AILEDGER_PG_HOST, _PORT, _USER, _PASSWORD and _DATABASE",
        ) from exc
    duck = duckdb.connect()
    published: dict[str, int] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="ailedger-publish-") as tmp, pg.cursor() as cur:
            cur.execute(f"create schema if not exists {SCHEMA}")
            for table, parquet in files.items():
                columns = _parquet_columns(duck, parquet)
                _replace_table(cur, table, columns)
                csv = Path(tmp) / f"{table}.csv"
                duck.execute(
                    f"copy (select * from read_parquet(?)) to '{csv}' (format csv, header false)",
                    [str(parquet)],
                )
                names = ", ".join(_quote(name) for name, _ in columns)
                with csv.open("rb") as stream:
                    cur.copy_expert(
                        f"copy {SCHEMA}.{_quote(table)} ({names}) from stdin with (format csv)",
                        stream,
                        size=1 << 20,
                    )
                published[table] = cur.rowcount
                csv.unlink()
                cur.execute(f"analyze {SCHEMA}.{_quote(table)}")
        pg.commit()
    except psycopg2.Error as exc:
        pg.rollback()
        raise AiledgerError(f"publishing to Postgres failed, nothing changed: {exc}") from exc
    finally:
        pg.close()
        duck.close()
    return published


def _parquet_columns(duck: duckdb.DuckDBPyConnection, parquet: Path) -> list[tuple[str, str]]:
    rows = duck.execute("describe select * from read_parquet(?)", [str(parquet)]).fetchall()
    return [(name, postgres_type(dtype)) for name, dtype, *_ in rows]


def _replace_table(cur, table: str, columns: list[tuple[str, str]]) -> None:
    cur.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod)"
        " from pg_attribute a join pg_class c on c.oid = a.attrelid"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and c.relkind = 'r'"
        " and a.attnum > 0 and not a.attisdropped order by a.attnum",
        (SCHEMA, table),
    )
    existing = [tuple(r) for r in cur.fetchall()]
    relation = f"{SCHEMA}.{_quote(table)}"
    if existing == columns:
        cur.execute(f"truncate table {relation}")
        return
    if existing:
        cur.execute(f"drop table {relation} cascade")
    ddl = ", ".join(f"{_quote(name)} {pg_type}" for name, pg_type in columns)
    cur.execute(f"create table {relation} ({ddl})")
