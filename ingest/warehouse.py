"""The DuckDB warehouse file: where it is, how to open it (waiting for the writer lock), and
the load ledger tables ingest writes."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from ingest.errors import EXIT_LOCK_TIMEOUT, AiledgerError

DEFAULT_WAREHOUSE = Path("warehouse/ailedger.duckdb")
# Seconds a writer waits for another writer to finish; schedules set $AILEDGER_LOCK_WAIT.
DEFAULT_LOCK_WAIT = 300.0
NO_WAREHOUSE_HINT = "run `ailedger run DIR` (DIR holds your exports) or `make demo`"

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


def project_root() -> Path:
    """The folder holding ailedger's dbt_project.yml, whatever the current folder.

    $AILEDGER_PROJECT_DIR, else the nearest ailedger project above the current folder, else
    the checkout this package is installed from (`pip install -e`).
    """
    explicit = os.environ.get("AILEDGER_PROJECT_DIR")
    if explicit:
        return Path(explicit).resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_ailedger_project(folder):
            return folder
    return Path(__file__).resolve().parents[1]


def _is_ailedger_project(folder: Path) -> bool:
    project = folder / "dbt_project.yml"
    try:
        return project.is_file() and re.search(
            r"^name:\s*['\"]?ailedger['\"]?\s*$", project.read_text(), re.MULTILINE
        ) is not None
    except OSError:
        return False


def warehouse_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The warehouse file, absolute.

    ``--warehouse`` is relative to the current folder, as any path typed on a command line;
    $AILEDGER_WAREHOUSE and the default are relative to the project root, as in profiles.yml.
    """
    if explicit:
        return Path(explicit).expanduser().resolve()
    chosen = Path(os.environ.get("AILEDGER_WAREHOUSE") or DEFAULT_WAREHOUSE).expanduser()
    return chosen if chosen.is_absolute() else project_root() / chosen


def serving_path(warehouse: Path) -> Path:
    """The serving copy BI tools read: $AILEDGER_SERVING, else `<warehouse>_serving.duckdb`."""
    chosen = os.environ.get("AILEDGER_SERVING")
    if chosen:
        path = Path(chosen).expanduser()
        return path if path.is_absolute() else project_root() / path
    return warehouse.with_name(f"{warehouse.stem}_serving{warehouse.suffix or '.duckdb'}")


def lock_wait_seconds(explicit: float | None = None) -> float:
    """``--wait``, else $AILEDGER_LOCK_WAIT, else five minutes."""
    if explicit is not None:
        return max(explicit, 0.0)
    try:
        return max(float(os.environ.get("AILEDGER_LOCK_WAIT", DEFAULT_LOCK_WAIT)), 0.0)
    except ValueError as exc:
        raise AiledgerError(
            f"AILEDGER_LOCK_WAIT={os.environ['AILEDGER_LOCK_WAIT']!r} is not a number of seconds"
        ) from exc


def connect(
    path: Path,
    *,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse with the ledger tables and a UTC session.

    Another writer holding the file is waited for, up to ``wait`` seconds.
    """
    path = Path(path)
    _refuse_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = wait_for_writer_lock(path, wait=wait, on_wait=on_wait)
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(LEDGER_DDL)
    except duckdb.Error as exc:
        con.close()
        raise explain(exc, path) from None
    return con


def wait_for_writer_lock(
    path: Path,
    *,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-write connection to ``path``, retried while another process holds the lock.

    Errors other than the lock are raised as one line; see also `wait_for_other_writer`.
    """
    deadline = time.monotonic() + lock_wait_seconds(wait)
    told = False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.Error as exc:
            holder = lock_holder(exc)
            if holder is None:
                raise explain(exc, path) from None
            if time.monotonic() >= deadline:
                raise AiledgerError(
                    f"{path}: gave up waiting for the writer lock, held by {holder}",
                    hint="a build or ingest is still running; run again when it ends, or give "
                    "--wait SECONDS (or $AILEDGER_LOCK_WAIT) to wait longer",
                    exit_code=EXIT_LOCK_TIMEOUT,
                ) from None
            if not told:
                (on_wait or _tell)(
                    f"waiting for {path}: another writer holds it ({holder}); "
                    f"up to {lock_wait_seconds(wait):.0f}s"
                )
                told = True
            time.sleep(0.2)


def wait_for_other_writer(path: Path, *, wait: float | None = None) -> None:
    """Return once no other process holds ``path``'s writer lock (other errors are left to
    whoever opens the file next)."""
    try:
        wait_for_writer_lock(path, wait=wait).close()
    except AiledgerError as exc:
        if exc.exit_code == EXIT_LOCK_TIMEOUT:
            raise


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def open_read_only(path: Path, *, what: str = "warehouse") -> duckdb.DuckDBPyConnection:
    """A read-only connection; never creates a file, and says plainly why it cannot open."""
    path = Path(path)
    _refuse_folder(path)
    if not path.exists():
        raise AiledgerError(f"no {what} yet at {path}", hint=NO_WAREHOUSE_HINT)
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise explain(exc, path) from None
    con.execute("set TimeZone = 'UTC'")
    return con


def _refuse_folder(path: Path) -> None:
    if path.is_dir():
        raise AiledgerError(
            f"{path} is a folder, not a DuckDB file",
            hint="give the file inside it, e.g. --warehouse "
            f"{path / DEFAULT_WAREHOUSE.name}",
        )


_LOCK = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")


def lock_holder(exc: BaseException) -> str | None:
    """``PID n (command line)`` when ``exc`` is DuckDB's lock conflict, else None."""
    match = _LOCK.search(str(exc))
    if match is None:
        return None if "Could not set lock" not in str(exc) else "another process"
    pid = match["pid"]
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        cmdline = match["program"]
    return f"PID {pid}: {cmdline}"


def explain(exc: BaseException, path: Path) -> AiledgerError:
    """DuckDB's error on opening ``path`` as one line a user can act on."""
    text = str(exc)
    holder = lock_holder(exc)
    if holder is not None:
        return AiledgerError(
            f"{path} is in use by another writer ({holder})",
            hint="read the serving copy instead, or wait for the other process to end",
            exit_code=EXIT_LOCK_TIMEOUT,
        )
    if "not a valid DuckDB database file" in text or "database file with version" in text:
        return AiledgerError(
            f"{path} is not a DuckDB warehouse this DuckDB ({duckdb.__version__}) can open: "
            f"{_first_line(text)}",
            hint="restore it from a backup, or move it away and land the exports again",
        )
    if "Permission denied" in text or "Read-only file system" in text:
        return AiledgerError(
            f"{path} cannot be written (read-only file or folder): {_first_line(text)}",
            hint="ingest and build need write access to the warehouse and its folder; "
            "headline, status and export only read the serving copy",
        )
    if "database does not exist" in text:
        return AiledgerError(f"no warehouse yet at {path}", hint=NO_WAREHOUSE_HINT)
    return AiledgerError(f"{path}: {_first_line(text)}")


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def landed_file_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many files ever landed (0 for a new warehouse)."""
    return con.execute("select count(*) from raw._loads where status = 'landed'").fetchall()[0][0]
