"""The raw tables' columns as dbt source YAML, so the sources file can be checked against
the formats (and regenerated when a format learns a column): ``python -m ingest.schema``."""

from __future__ import annotations

import sys

from ingest.formats import FORMATS
from ingest.landing import METADATA_COLUMNS


def raw_tables() -> dict[str, dict[str, str]]:
    """Every raw table with its columns and DuckDB types, in landing order."""
    tables: dict[str, dict[str, str]] = {}
    for fmt in FORMATS:
        cols = tables.setdefault(fmt.table, dict(METADATA_COLUMNS))
        for name, kind in fmt.raw_columns().items():
            cols.setdefault(name, kind)
    return tables


def main(argv: list[str]) -> None:
    wanted = set(argv)
    for table, cols in raw_tables().items():
        if wanted and table not in wanted:
            continue
        print(f"      - name: {table}")
        print("        columns:")
        for name, kind in cols.items():
            print(f"          - name: {name}")
            print(f"            data_type: {kind.lower()}")


if __name__ == "__main__":
    main(sys.argv[1:])
