"""Bills that arrive as CSV or Parquet with column names that vary by exporter and month.

A tabular format maps each source column to a canonical name (``canonical``) once per file,
from the header or the Parquet schema, then types the fields like any CSV format. Parquet
files skip the UTF-8 check: landing recognises them by their magic bytes and schema
(``parquet_format``) before it.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import duckdb

from ingest.errors import AiledgerError
from ingest.formats import sql
from ingest.formats.base import Field, Format, Head, _stage_typed, csv_errors
from ingest.formats.readers import read_csv_records

PARQUET_MAGIC = b"PAR1"


def is_parquet(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == PARQUET_MAGIC


def parquet_columns(con: duckdb.DuckDBPyConnection, path: Path, label: str) -> dict[str, str]:
    """Column name -> DuckDB type of a Parquet file's schema."""
    try:
        rows = con.execute(
            f"describe select * from read_parquet({sql.literal(str(path))})"
        ).fetchall()
    except duckdb.Error as exc:
        raise AiledgerError(f"{label}: not a readable Parquet file: {exc}") from exc
    return {r[0]: r[1] for r in rows}


def _as_text(column: str, duck_type: str) -> str:
    """A Parquet column as the text a CSV cell would hold (maps and structs as JSON)."""
    c = sql.ident(column)
    if duck_type.startswith(("MAP", "STRUCT")) or duck_type.endswith("[]"):
        return f"cast(to_json({c}) as varchar)"
    return f"cast({c} as varchar)"


def read_parquet_records(
    con: duckdb.DuckDBPyConnection, path: Path, label: str
) -> list[str]:
    """View ``csv_records(_row_number, <columns as text>)`` over a Parquet file."""
    columns = parquet_columns(con, path, label)
    body = ", ".join(f"{_as_text(c, t)} as {sql.ident(c)}" for c, t in columns.items())
    con.execute(
        f"create or replace temp view csv_records as select row_number() over () as "
        f"_row_number, {body} from read_parquet({sql.literal(str(path))})"
    )
    return list(columns)


class TabularFormat(Format):
    """CSV or Parquet; source columns renamed to canonical names before typing."""

    # Canonical columns whose presence (after renaming) recognises the format.
    signature: ClassVar[tuple[str, ...]] = ()
    # Canonical names gathered into one JSON object field, by prefix (e.g. tag columns).
    gathered: ClassVar[dict[str, str]] = {}
    # Whether a gathered column's key drops its prefix (resource_tags_user_team -> user_team).
    strip_gathered_prefix: ClassVar[bool] = True

    def canonical(self, column: str) -> str:
        return column.strip()

    def value_expr(self, field: Field, column: str) -> str:
        """SQL for a field's raw text, read from source column ``column`` of ``rec``."""
        return f"rec.{sql.ident(column)}"

    def derived_sql(self) -> dict[str, str]:
        """SQL for derived columns that are not gathered ones."""
        return {}

    def matches(self, columns: list[str]) -> bool:
        names = {self.canonical(c) for c in columns}
        return bool(self.signature) and set(self.signature) <= names

    def sniff(self, head: Head) -> bool:
        return self.matches(head.csv_header())

    def sniff_parquet(self, columns: list[str]) -> bool:
        return self.matches(columns)

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        parquet = is_parquet(path)
        header = (read_parquet_records if parquet else read_csv_records)(con, path, label)
        by_name: dict[str, str] = {}
        for h in header:
            by_name.setdefault(self.canonical(h), h)
        missing = [f.source for f in self.fields if f.required and f.source not in by_name]
        if missing:
            raise AiledgerError(
                f"{label}: required column {missing[0]!r} is missing (recognised as "
                f"{self.name}; {len(header)} columns)",
                hint="export the full report, or pass --format if this is another format",
            )
        values = {
            f.name: (self.value_expr(f, by_name[f.source]) if f.source in by_name else "null")
            for f in self.fields
        }
        used = {by_name[f.source] for f in self.fields if f.source in by_name}
        gathered: dict[str, list[str]] = {}
        for h in header:
            for prefix, target in self.gathered.items():
                name = self.canonical(h)
                if h not in used and name.startswith(prefix):
                    gathered.setdefault(target, []).append(h)
                    used.add(h)
        derived = {
            target: self._gather(cols)
            for target, cols in gathered.items()
        }
        for target in self.gathered.values():
            derived.setdefault(target, "cast(null as json)")
        derived.update(self.derived_sql())
        unknown = [h for h in header if h not in used]
        extra = sql.json_object_of(unknown, "rec") if unknown else "cast(null as json)"
        raw_row = f"cast({sql.json_object_of(header, 'rec')} as varchar)"
        _stage_typed(con, self, "select * from csv_records", values, derived, extra, raw_row)
        if not parquet:
            csv_errors(con, label)

    def _gather(self, columns: list[str]) -> str:
        """A JSON object of non-blank cells, keyed by the canonical name minus its prefix."""
        pairs = []
        for h in columns:
            name = self.canonical(h)
            key = next(
                name[len(p):] if self.strip_gathered_prefix else name
                for p in self.gathered
                if name.startswith(p)
            )
            pairs.append(f"{sql.literal(key)}, nullif(trim(rec.{sql.ident(h)}), '')")
        return f"json_object({', '.join(pairs)})"


def parquet_format(
    con: duckdb.DuckDBPyConnection, path: Path, label: str, format_name: str | None = None
) -> Format | None:
    """The format of a Parquet file, from its schema (or the one named); None if not Parquet."""
    if not is_parquet(path):
        return None
    from ingest.formats import FORMATS, by_name  # the registry imports this module

    if format_name:
        return by_name(format_name)
    columns = list(parquet_columns(con, path, label))
    for fmt in FORMATS:
        sniff = getattr(fmt, "sniff_parquet", None)
        if sniff is not None and sniff(columns):
            return fmt
    raise AiledgerError(
        f"{label}: a Parquet file whose columns match none of the formats ailedger reads "
        f"(first columns: {', '.join(columns[:6])})",
        hint="pass --format NAME to choose one",
    )


__all__ = ["TabularFormat", "is_parquet", "parquet_format", "read_parquet_records"]
