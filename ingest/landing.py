"""Land files into the warehouse: whole or not at all, once per content, rejects kept.

The steps for one file: hash its (decompressed) content, skip it if that content already
landed, check it is UTF-8, recognise its format from content, stage it into temporary tables,
refuse it if too many records were rejected, validate the batch, and then write the raw rows,
the rejects and the ledger row in one transaction.
"""

from __future__ import annotations

import codecs
import errno
import gzip
import hashlib
import os
import shutil
import tempfile
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.errors import EXIT_WAREHOUSE_FAULT, AiledgerError
from ingest.formats import FORMATS, Format, Head, by_name
from ingest.formats.sql import ident
from ingest.formats.tabular import parquet_format

HEAD_BYTES = 256 * 1024
# Recognition reads the whole first line however long, up to the readers' own line limit.
MAX_HEAD_BYTES = 64 * 1024 * 1024
CHUNK = 4 * 1024 * 1024
# A .gz file decompressing past this is refused (a gzip bomb, or a file to split). The
# default holds a 10M-request gateway log (about 9 GB) with room to spare.
MAX_DECOMPRESSED_ENV = "AILEDGER_MAX_DECOMPRESSED_BYTES"
DEFAULT_MAX_DECOMPRESSED = 32 * 1024**3
# Decompressing stops before the scratch disk has less than this left.
DISK_RESERVE = 256 * 1024**2
SCRATCH_DIR = ".ailedger-tmp"
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
    load_id: str = ""  # raw._loads.load_id (what `ailedger unland` takes)
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


def max_decompressed_bytes() -> int:
    """The decompression cap: $AILEDGER_MAX_DECOMPRESSED_BYTES (bytes; K, M, G suffixes)."""
    text = os.environ.get(MAX_DECOMPRESSED_ENV, "").strip().upper()
    if not text:
        return DEFAULT_MAX_DECOMPRESSED
    scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
    try:
        return int(float(text.rstrip("KMGB") if scale > 1 else text) * scale)
    except ValueError as exc:
        raise AiledgerError(
            f"{MAX_DECOMPRESSED_ENV}={text!r} is not a size", hint="e.g. 32G or 500M"
        ) from exc


def _disk_full(where: Path, label: str) -> AiledgerError:
    return AiledgerError(
        f"{label}: disk full at {where} while decompressing "
        f"({shutil.disk_usage(where).free // 1024**2} MB free)",
        hint="free space there, or land from a folder on a larger disk (TMPDIR); "
        "nothing from this file was landed",
    )


def _plain_copy(path: Path, workdir: Path) -> tuple[Path, str]:
    """The file's content as a plain (decompressed) file, and the sha256 of that content."""
    digest = hashlib.sha256()
    label = str(path)
    with path.open("rb") as src:
        is_gzip = src.read(2) == b"\x1f\x8b"
    if not is_gzip:
        with path.open("rb") as src:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
        return path, digest.hexdigest()
    cap = max_decompressed_bytes()
    target = workdir / "plain"
    written = next_check = 0
    with gzip.open(path, "rb") as src, target.open("wb") as dst:
        while True:
            try:
                chunk = src.read(CHUNK)
            except (OSError, EOFError, zlib.error) as exc:
                raise AiledgerError(
                    f"{label}: gzip stream is corrupt or truncated ({exc})",
                    hint="re-download the file; nothing from this file was landed",
                ) from exc
            if not chunk:
                break
            written += len(chunk)
            if written > cap:
                raise AiledgerError(
                    f"{label}: decompresses to more than {cap:,} bytes "
                    f"({MAX_DECOMPRESSED_ENV}); refused as a possible gzip bomb",
                    hint=f"if the file is genuine, raise {MAX_DECOMPRESSED_ENV} or split it",
                )
            # Checked as it grows, so the copy never takes the disk's last free bytes.
            if written >= next_check:
                if shutil.disk_usage(workdir).free < DISK_RESERVE + 16 * CHUNK:
                    raise _disk_full(workdir, label)
                next_check = written + 16 * CHUNK
            digest.update(chunk)
            try:
                dst.write(chunk)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise _disk_full(workdir, label) from exc
                raise
    return target, digest.hexdigest()


def check_utf8(path: Path, label: str) -> str:
    """Refuse a file that is not UTF-8, naming the line; return its head, decoded.

    The head holds at least ``HEAD_BYTES`` and the whole first non-blank line.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = ""
    head_done = False
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
            if not head_done:
                head += text
                first_line_ends = "\n" in head.lstrip("\ufeff\r\n\t ")
                head_done = len(head) >= MAX_HEAD_BYTES or (
                    len(head) >= HEAD_BYTES and first_line_ends
                )
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise AiledgerError(
                f"{label}: line {lines_before + 1}: ends in the middle of a UTF-8 character "
                "(the file is cut off, or not UTF-8)",
                hint="re-export or re-download the whole file; nothing from this file was landed",
            ) from exc
    return head[:MAX_HEAD_BYTES]


def detect(head: Head, label: str) -> Format:
    """The format recognised from content; the first match in registry order wins."""
    for fmt in FORMATS:
        try:
            matched = fmt.sniff(head)
        except (ValueError, RecursionError, TypeError):
            # Content a format's recogniser cannot even parse (e.g. nesting thousands deep)
            # is not that format.
            matched = False
        if matched:
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


def _warehouse_dir(con: duckdb.DuckDBPyConnection) -> Path | None:
    rows = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return Path(rows[0][0]).resolve().parent if rows and rows[0][0] else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def scratch(con: duckdb.DuckDBPyConnection) -> Iterator[Path]:
    """A private (0700) folder for this run's decompressed copies, removed afterwards.

    It lives in ``.ailedger-tmp`` beside the warehouse (or under TMPDIR for an in-memory
    warehouse). Folders left by runs that were killed, and so never cleaned up, are removed
    here: they can hold decompressed prompts.
    """
    base = _warehouse_dir(con)
    root = base / SCRATCH_DIR if base else Path(tempfile.gettempdir()) / f"ailedger-{os.getuid()}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        info = root.lstat()
        if root.is_symlink() or info.st_uid != os.getuid():
            raise AiledgerError(
                f"{root}: scratch folder is a symlink or owned by another user",
                hint="remove it; ailedger keeps decompressed copies only in a private folder",
            )
        root.chmod(0o700)
        for leftover in root.glob("run-*"):
            pid = leftover.name.split("-")[1]
            if not pid.isdigit() or not _alive(int(pid)):
                shutil.rmtree(leftover, ignore_errors=True)
        run = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=root))
    except OSError as exc:
        raise AiledgerError(
            f"{root}: cannot create the private scratch folder ({exc.strerror})",
            hint="make the warehouse folder (or TMPDIR) writable",
        ) from exc
    try:
        yield run
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _warehouse_fault(exc: BaseException) -> bool:
    """Faults of the warehouse itself, not of the file: they stop the run."""
    text = str(exc)
    return (
        isinstance(exc, duckdb.FatalException)
        or "No space left on device" in text
        or "database has been invalidated" in text
        or "attached in read-only mode" in text
        # The scratch folder is beside the warehouse: the same disk.
        or (isinstance(exc, OSError) and exc.errno == errno.ENOSPC)
    )


def _fault_error(con: duckdb.DuckDBPyConnection, label: str, exc: BaseException) -> AiledgerError:
    try:
        where = _warehouse_dir(con) or Path(tempfile.gettempdir())
    except duckdb.Error:
        where = Path("the warehouse's folder")  # the connection itself is gone
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "No space left on device" in str(exc) or getattr(exc, "errno", None) == errno.ENOSPC:
        return AiledgerError(
            f"disk full at {where} while landing {label}; nothing from that file was landed "
            "and files landed before it are kept",
            hint="free space on that disk, then run the same command again",
            exit_code=EXIT_WAREHOUSE_FAULT,
        )
    return AiledgerError(
        f"warehouse fault while landing {label}: {first}; nothing from that file was landed",
        hint="check that the warehouse file is writable and intact, then run again",
        exit_code=EXIT_WAREHOUSE_FAULT,
    )


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass  # no transaction was open: nothing to undo


def land_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    format_name: str | None = None,
    max_reject_ratio: float = 0.01,
    validator: Validator | None = None,
    scratch_dir: Path | None = None,
) -> LoadResult:
    """Land one file; never raises for a bad file — the result says it was refused.

    Raises ``AiledgerError`` (exit code 3) only for faults of the warehouse itself (disk
    full, read-only, invalidated), which would fail every later file too.
    """
    if scratch_dir is None:
        with scratch(con) as run:
            return land_file(
                con, path, format_name=format_name, max_reject_ratio=max_reject_ratio,
                validator=validator, scratch_dir=run,
            )
    label = str(path)
    started = _now()
    load_id = uuid.uuid4().hex
    sha = ""
    result = LoadResult(path=label, status="refused", load_id=load_id)
    try:
        workdir = Path(tempfile.mkdtemp(dir=scratch_dir))
    except OSError as exc:
        raise _fault_error(con, label, exc) from exc
    try:
        plain, sha = _plain_copy(path, workdir)
        earlier = _already_landed(con, sha)
        if earlier is not None:
            result.status = "already_landed"
            result.message = f"same content as {earlier}, landed before; nothing changed"
            return result
        # Parquet is binary: recognised by magic bytes and schema, before the UTF-8 check.
        fmt = parquet_format(con, plain, label, format_name)
        if fmt is None:
            head = Head(path=path, text=check_utf8(plain, label))
            fmt = by_name(format_name) if format_name else detect(head, label)
        result.format, result.table = fmt.name, fmt.table
        plain = fmt.prepare(plain, workdir)
        _stage(con, fmt, plain, label)
        result.rows_landed, result.rows_rejected = _counts(con)
        result.values_dropped = _values_dropped(con)
        _check_reject_ratio(con, result, max_reject_ratio, label)
        if validator is not None:
            result.expectations_failed = validator(con, fmt)
        _commit(con, fmt, load_id, label, sha, result, started)
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
        _rollback(con)
        if _warehouse_fault(exc):
            raise _fault_error(con, label, exc) from exc
        result.status = "refused"
        result.rows_landed = 0
        result.message = _refusal(label, exc)
        try:
            _record(con, load_id, sha or "unknown", result, started)
        except duckdb.Error as record_exc:
            raise _fault_error(con, label, record_exc) from record_exc
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        for t in ("incoming", "incoming_rejects", "incoming_dropped"):
            try:
                con.execute(f"drop table if exists {t}")
            except duckdb.Error:
                pass  # the connection is gone; the fault above says why
    return result


def _refusal(label: str, exc: Exception) -> str:
    """The ledger's message for a refused file: ours as written, anything else named."""
    if isinstance(exc, AiledgerError):
        return str(exc)
    first = (str(exc).splitlines() or [""])[0][:300]
    text = f"{label}: cannot be landed: {type(exc).__name__}" + (f": {first}" if first else "")
    return text + "\n  hint: nothing from this file was landed; the other files were tried"


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
        # A failed commit (disk full) may have ended the transaction already; the original
        # error is the one to report, not "no transaction is active".
        _rollback(con)
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
    with scratch(con) as run:
        for path in expand(paths):
            if on_file:
                on_file(path, None)
            result = land_file(
                con,
                path,
                format_name=format_name,
                max_reject_ratio=max_reject_ratio,
                validator=validator,
                scratch_dir=run,
            )
            results.append(result)
            if on_file:
                on_file(path, result)
    return results


__all__ = [
    "LoadResult",
    "check_utf8",
    "detect",
    "expand",
    "land_file",
    "land_paths",
    "scratch",
]
