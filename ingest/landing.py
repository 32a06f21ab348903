"""Land files into the warehouse: whole or not at all, once per content, rejects kept.

The steps for one file: hash its (decompressed) content, skip it if that content already
landed, check it is UTF-8, recognise its format from content, stage it into temporary tables,
refuse it if too many records were rejected, validate the batch, and then write the raw rows,
the rejects and the ledger row in one transaction.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import tempfile
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.errors import AiledgerError
from ingest.formats import FORMATS, Format, Head, by_name
from ingest.formats.sql import ident

HEAD_BYTES = 256 * 1024
CHUNK = 4 * 1024 * 1024
METADATA_COLUMNS = {
    "_load_id": "VARCHAR",
    "_source_file": "VARCHAR",
    "_row_number": "BIGINT",
    "_loaded_at": "TIMESTAMP",
}


@dataclass
class LoadResult:
    """What happened to one file."""

    path: str
    status: str  # landed | already_landed | refused
    format: str | None = None
    table: str | None = None
    rows_landed: int = 0
    rows_rejected: int = 0
    message: str = ""
    # Long unknown strings (or, in allow-list mode, unknown keys) left out: see privacy.py.
    values_dropped: int = 0
    expectations_failed: list[dict] = field(default_factory=list)


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, and files found recursively under folders named (hidden ones skipped)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
        elif p.is_file():
            found.append(p)
        else:
            raise AiledgerError(f"{p}: no such file or folder")
    return found


def _plain_copy(path: Path, workdir: Path) -> tuple[Path, str]:
    """The file's content as a plain (decompressed) file, and the sha256 of that content."""
    digest = hashlib.sha256()
    is_gzip = path.open("rb").read(2) == b"\x1f\x8b"
    if not is_gzip:
        with path.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
        return path, digest.hexdigest()
    target = workdir / path.name.removesuffix(".gz")
    try:
        with gzip.open(path, "rb") as src, target.open("wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
    except (OSError, EOFError) as exc:
        raise AiledgerError(f"{path}: gzip stream is corrupt or truncated ({exc})") from exc
    return target, digest.hexdigest()


def check_utf8(path: Path, label: str) -> str:
    """Refuse a file that is not UTF-8, naming the line; return its head, decoded."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = ""
    lines_before = 0
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines_before + chunk[: exc.start].count(b"\n") + 1
                raise AiledgerError(
                    f"{label}: line {line}: not valid UTF-8 (byte 0x{chunk[exc.start]:02x})",
                    hint="re-export the file as UTF-8; nothing from this file was landed",
                ) from exc
            lines_before += chunk.count(b"\n")
            if len(head) < HEAD_BYTES:
                head += text[: HEAD_BYTES - len(head)]
        decoder.decode(b"", final=True)
    return head


def detect(head: Head, label: str) -> Format:
    """The format recognised from content; the first match in registry order wins."""
    for fmt in FORMATS:
        if fmt.sniff(head):
            return fmt
    names = ", ".join(f.name for f in FORMATS)
    raise AiledgerError(
        f"{label}: unknown format: its content matches none of the formats ailedger reads",
        hint=f"known formats: {names}; pass --format NAME to choose one",
    )


def _already_landed(con: duckdb.DuckDBPyConnection, sha: str) -> str | None:
    rows = con.execute(
        "select source_file from raw._loads where sha256 = ? and status = 'landed' limit 1",
        [sha],
    ).fetchall()
    return rows[0][0] if rows else None


def _ensure_table(con: duckdb.DuckDBPyConnection, fmt: Format) -> None:
    columns = {**METADATA_COLUMNS, **fmt.raw_columns()}
    body = ", ".join(f"{ident(c)} {t}" for c, t in columns.items())
    con.execute(f"create table if not exists raw.{ident(fmt.table)} ({body})")
    existing = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = 'raw' and table_name = ?",
            [fmt.table],
        ).fetchall()
    }
    # A format that learned a new column: add it rather than refusing older tables.
    for c, t in columns.items():
        if c not in existing:
            con.execute(f"alter table raw.{ident(fmt.table)} add column {ident(c)} {t}")


def _record(con: duckdb.DuckDBPyConnection, load_id: str, sha: str, result: LoadResult,
            started: datetime) -> None:
    import json

    con.execute(
        "insert into raw._loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            result.path,
            sha,
            result.format,
            result.table,
            result.status,
            result.rows_landed,
            result.rows_rejected,
            result.message,
            json.dumps(result.expectations_failed) if result.expectations_failed else None,
            started,
            _now(),
        ],
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


Validator = Callable[[duckdb.DuckDBPyConnection, Format], list[dict]]


def land_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    format_name: str | None = None,
    max_reject_ratio: float = 0.01,
    validator: Validator | None = None,
) -> LoadResult:
    """Land one file; never raises for a bad file — the result says it was refused."""
    label = str(path)
    started = _now()
    load_id = uuid.uuid4().hex
    sha = ""
    result = LoadResult(path=label, status="refused")
    with tempfile.TemporaryDirectory(prefix="ailedger-") as tmp:
        try:
            plain, sha = _plain_copy(path, Path(tmp))
            earlier = _already_landed(con, sha)
            if earlier is not None:
                result.status = "already_landed"
                result.message = f"same content as {earlier}, landed before; nothing changed"
                return result
            head = Head(path=path, text=check_utf8(plain, label))
            fmt = by_name(format_name) if format_name else detect(head, label)
            result.format, result.table = fmt.name, fmt.table
            _stage(con, fmt, plain, label)
            result.rows_landed, result.rows_rejected = _counts(con)
            result.values_dropped = _values_dropped(con)
            _check_reject_ratio(con, result, max_reject_ratio, label)
            if validator is not None:
                result.expectations_failed = validator(con, fmt)
            _commit(con, fmt, load_id, label, sha, result, started)
        except (AiledgerError, duckdb.Error) as exc:
            result.status = "refused"
            result.rows_landed = 0
            result.message = str(exc)
            _record(con, load_id, sha or "unknown", result, started)
        finally:
            for t in ("incoming", "incoming_rejects", "incoming_dropped"):
                con.execute(f"drop table if exists {t}")
    return result


def _stage(con: duckdb.DuckDBPyConnection, fmt: Format, plain: Path, label: str) -> None:
    con.execute(
        "create or replace temp table incoming_rejects ("
        " _row_number bigint, column_name varchar, reason varchar, raw_row varchar)"
    )
    try:
        fmt.stage(con, plain, label)
    except duckdb.Error as exc:
        # DuckDB's own message names the offending line or byte for malformed input.
        first = str(exc).splitlines()[0]
        raise AiledgerError(f"{label}: cannot be read as {fmt.name}: {first}") from exc


def _counts(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    landed = con.execute("select count(*) from incoming").fetchall()[0][0]
    rejected = con.execute("select count(*) from incoming_rejects").fetchall()[0][0]
    return landed, rejected


def _values_dropped(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'incoming_dropped' and temporary"
    ).fetchall()[0][0]
    if not exists:
        return 0
    rows = con.execute("select values_dropped from incoming_dropped").fetchall()
    return int(rows[0][0] or 0) if rows else 0


def _check_reject_ratio(
    con: duckdb.DuckDBPyConnection, result: LoadResult, ratio: float, label: str
) -> None:
    total = result.rows_landed + result.rows_rejected
    if not result.rows_rejected or result.rows_rejected <= ratio * total:
        return
    row, column, reason = con.execute(
        "select _row_number, column_name, reason from incoming_rejects"
        " order by abs(_row_number) limit 1"
    ).fetchall()[0]
    where = f"line {-row}" if row is not None and row < 0 else f"row {row}"
    raise AiledgerError(
        f"{label}: {result.rows_rejected} of {total} records rejected "
        f"(more than {ratio:.1%}); first: {where}"
        + (f", column {column!r}" if column else "")
        + f": {reason}",
        hint="fix the file, or raise --max-reject-ratio to land the good records",
    )


def _commit(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    load_id: str,
    label: str,
    sha: str,
    result: LoadResult,
    started: datetime,
) -> None:
    cols = ", ".join(ident(c) for c in fmt.raw_columns())
    con.execute("begin transaction")
    try:
        _ensure_table(con, fmt)
        con.execute(
            f"insert into raw.{ident(fmt.table)} (_load_id, _source_file, _row_number,"
            f" _loaded_at, {cols}) select ?, ?, _row_number, ?, {cols} from incoming",
            [load_id, label, started],
        )
        con.execute(
            "insert into raw._rejects select ?, ?, ?, _row_number, column_name, reason,"
            " raw_row from incoming_rejects",
            [load_id, label, fmt.table],
        )
        result.status = "landed"
        if result.rows_rejected:
            result.message = f"{result.rows_rejected} records rejected (see raw._rejects)"
        if result.values_dropped:
            result.message = "; ".join(
                m for m in (result.message, f"{result.values_dropped} long unknown text values"
                            " dropped (size guard / allow-list)") if m
            )
        _record(con, load_id, sha, result, started)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        result.status = "refused"
        raise


def land_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    *,
    format_name: str | None = None,
    max_reject_ratio: float = 0.01,
    validator: Validator | None = None,
    on_file: Callable[[Path, LoadResult | None], None] | None = None,
) -> list[LoadResult]:
    """Land every file under ``paths``; ``on_file`` is told before and after each one."""
    results = []
    for path in expand(paths):
        if on_file:
            on_file(path, None)
        result = land_file(
            con,
            path,
            format_name=format_name,
            max_reject_ratio=max_reject_ratio,
            validator=validator,
        )
        results.append(result)
        if on_file:
            on_file(path, result)
    return results


__all__ = ["LoadResult", "check_utf8", "detect", "expand", "land_file", "land_paths"]
