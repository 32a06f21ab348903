"""What reads the serving copy (published by dbt's on-run-end hook,
macros/operations/publish_serving.sql): `ailedger status` and `ailedger export`. Both open it
read-only and never touch the build warehouse."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.errors import EXIT_OK, EXIT_STALE, AiledgerError
from ingest.warehouse import open_read_only


@dataclass(frozen=True)
class SourceStatus:
    """One source format in use, as of the serving copy's build."""

    format: str
    raw_table: str
    files_landed: int
    files_refused: int
    rows_rejected: int
    last_landed_at: datetime | None
    data_as_of: datetime | None
    warn_after_hours: float | None
    error_after_hours: float | None

    def state(self, now: datetime) -> str:
        """`ok`, `late` (past warn_after) or `stale` (past error_after), by the older clock."""
        clocks = [t for t in (self.last_landed_at, self.data_as_of) if t is not None]
        if not clocks:
            return "ok"
        age_hours = (now - min(clocks)).total_seconds() / 3600
        if self.error_after_hours is not None and age_hours > self.error_after_hours:
            return "stale"
        if self.warn_after_hours is not None and age_hours > self.warn_after_hours:
            return "late"
        return "ok"


def read_status(serving: Path) -> tuple[datetime, list[SourceStatus]]:
    """meta.build's built_at and one SourceStatus per format that ever landed."""
    import duckdb

    con = open_read_only(serving, what="serving copy")
    try:
        built_at = con.execute("select built_at from meta.build").fetchall()[0][0]
        rows = con.execute(
            """
            select l.format, l.raw_table, l.files_landed, l.files_refused, l.rows_rejected,
                   l.last_landed_at, s.data_as_of, s.warn_after_hours, s.error_after_hours
            from meta.loads as l
            left join meta.sources as s on s.raw_table = l.raw_table
            where l.files_landed > 0
            order by l.format
            """
        ).fetchall()
    except duckdb.Error as exc:
        raise AiledgerError(
            f"{serving} has no meta schema ({str(exc).splitlines()[0]})",
            hint="it was not published by `ailedger build`; run a build to publish it",
        ) from None
    finally:
        con.close()
    return built_at, [SourceStatus(*row) for row in rows]


def print_status(serving: Path, now: datetime | None = None) -> int:
    """The status table; EXIT_STALE when a source that landed before has stopped."""
    from rich.table import Table

    from ingest.report import console

    now = now or datetime.now(UTC).replace(tzinfo=None)
    built_at, sources = read_status(serving)
    console.print(f"serving copy {serving}, built {built_at:%Y-%m-%d %H:%M} UTC", highlight=False)
    if not sources:
        console.print("nothing has landed yet: run `ailedger run DIR` or `make demo`")
        return EXIT_OK
    table = Table(title="Sources, as of the last build")
    for col in ("format", "files", "last landed (UTC)", "newest data (UTC)", "rejected",
                "policy", "status"):
        table.add_column(col, justify="right" if col in ("files", "rejected") else "left")
    stale = []
    for s in sources:
        state = s.state(now)
        if state == "stale":
            stale.append(s.format)
        policy = (f"warn {_hours(s.warn_after_hours)}, error {_hours(s.error_after_hours)}"
                  if s.error_after_hours is not None else "none")
        style = {"ok": "green", "late": "yellow", "stale": "bold red"}[state]
        table.add_row(
            s.format, f"{s.files_landed:,}", _when(s.last_landed_at, now),
            _when(s.data_as_of, now), f"{s.rows_rejected:,}", policy, f"[{style}]{state}[/]",
        )
    console.print(table)
    if stale:
        console.print(f"stale: {', '.join(stale)} stopped arriving (or keeps arriving with old "
                      "data); check the export job that writes them", highlight=False)
        return EXIT_STALE
    return EXIT_OK


def _hours(hours: float | None) -> str:
    if hours is None:
        return "-"
    return f"{hours / 24:g}d" if hours >= 24 and hours % 24 == 0 else f"{hours:g}h"


def _when(at: datetime | None, now: datetime) -> str:
    if at is None:
        return "-"
    age = (now - at).total_seconds() / 3600
    ago = f"{age:.0f}h ago" if age < 48 else f"{age / 24:.0f}d ago"
    return f"{at:%Y-%m-%d %H:%M} ({ago})"


def export_parquet(serving: Path, out: Path) -> dict[str, int]:
    """Every table of schema marts as <out>/<table>.parquet; each file replaced in one rename."""
    con = open_read_only(serving, what="serving copy")
    written: dict[str, int] = {}
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts' order by table_name"
        ).fetchall()]
        out.mkdir(parents=True, exist_ok=True)
        for table in tables:
            final = out / f"{table}.parquet"
            temporary = out / f".{table}.parquet.tmp-{os.getpid()}"
            con.execute(
                f"copy (select * from marts.\"{table}\") to '{_sql(temporary)}' (format parquet)"
            )
            os.replace(temporary, final)
            written[table] = con.execute(
                f"select count(*) from marts.\"{table}\""
            ).fetchall()[0][0]
    finally:
        con.close()
    return written


def _sql(path: Path) -> str:
    return str(path).replace("'", "''")
