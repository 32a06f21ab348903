"""Remove conversation text from a warehouse that landed it before the rules in
ingest/formats/privacy.py existed (or under looser settings), with the same rules.

Every raw table a format lands is rewritten in place: its JSON columns cleaned and guarded as
landing does now, ``_extra`` guarded and rid of conversation keys, and each rejected record's
``raw_row`` cleaned (or emptied when it is not JSON and its format carries conversation text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ingest.formats import FORMATS, Format, privacy, sql


@dataclass
class ScrubResult:
    rows_changed: dict[str, int] = field(default_factory=dict)
    values_dropped: int = 0


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'raw' and table_name = ?",
        [table],
    ).fetchall()
    return {r[0] for r in rows}


def _formats_by_table() -> dict[str, Format]:
    found: dict[str, Format] = {}
    for fmt in FORMATS:
        found.setdefault(fmt.table, fmt)
    return found


def _changed(con: duckdb.DuckDBPyConnection, sql_text: str) -> int:
    rows = con.execute(sql_text).fetchall()
    return int(rows[0][0]) if rows else 0


def scrub(con: duckdb.DuckDBPyConnection) -> ScrubResult:
    """Clean every landed raw table and raw._rejects in one transaction."""
    pol = privacy.policy()
    result = ScrubResult()
    con.execute("begin transaction")
    try:
        for table, fmt in _formats_by_table().items():
            present = _columns(con, table)
            if not present:
                continue
            sets, counts = [], []
            for f in fmt.fields:
                if f.kind != "json" or f.name not in present:
                    continue
                col = sql.ident(f.name)
                value, count = fmt.guard(f.name, fmt.clean_json(f.name, col), pol)
                sets.append((col, value))
                counts.append(count)
            if "_extra" in present:
                extra = privacy.drop_keys("_extra", tuple(fmt.sensitive))
                value, count = fmt.guard("_extra", extra, pol)
                sets.append(("_extra", value))
                counts.append(count)
            # Columns an older ailedger or a hand-made table may hold: conversation, whole.
            for name in fmt.sensitive:
                if name in present:
                    sets.append((sql.ident(name), "null"))
            if not sets:
                continue
            if counts:
                total = f"coalesce(sum({' + '.join(counts)}), 0)"
                result.values_dropped += _changed(
                    con, f"select {total} from raw.{sql.ident(table)}"
                )
            assignments = ", ".join(f"{c} = {v}" for c, v in sets)
            differs = " or ".join(
                f"cast({v} as varchar) is distinct from cast({c} as varchar)" for c, v in sets
            )
            result.rows_changed[table] = _changed(
                con, f"update raw.{sql.ident(table)} set {assignments} where {differs}"
            )
            result.rows_changed["_rejects:" + table] = _scrub_rejects(con, table, fmt, pol)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return result


def _scrub_rejects(
    con: duckdb.DuckDBPyConnection, table: str, fmt: Format, pol: privacy.Policy
) -> int:
    # CSV and JSON formats' raw rows are both JSON objects of the record; LiteLLM's cleaner
    # unwraps a metadata cell written as a string of JSON.
    rec = "cast(raw_row as json)"
    cleaned = f"cast({fmt.clean_raw_row(fmt.clean_record(rec))} as varchar)"
    if fmt.sensitive:
        drop = privacy.drop_keys(f"cast({cleaned} as json)", tuple(fmt.sensitive))
        cleaned = f"cast({drop} as varchar)"
    guarded, _ = privacy.guard_text(cleaned, pol.max_unknown_text_chars)
    carries_text = bool(fmt.sensitive) or fmt.clean_record("rec") != "rec"
    broken = "null" if carries_text else "raw_row"
    new = (
        f"case when raw_row is null then null when json_valid(raw_row) then {guarded}"
        f" else {broken} end"
    )
    return _changed(
        con,
        f"update raw._rejects set raw_row = {new} where raw_table = {sql.literal(table)}"
        f" and raw_row is distinct from ({new})",
    )


__all__ = ["ScrubResult", "scrub"]
