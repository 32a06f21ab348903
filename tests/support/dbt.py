"""Run dbt on a test's own warehouse, in its own process and target folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"  # dbt-core is a dependency: always installed


def dbt_build(warehouse: Path, work_dir: Path, *select: str) -> None:
    """`dbt build -s SELECT…` against ``warehouse``; fails the test with dbt's output."""
    run = subprocess.run(
        [
            # cautious: a test runs only when every model it reads was selected, so a
            # partial build never runs a cross-model test against models it did not build.
            str(DBT), "build", "-s", *select, "--indirect-selection", "cautious",
            "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
        ],
        cwd=ROOT,
        env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]


@contextmanager
def dbt_paths_in(root: Path) -> Iterator[None]:
    """In-process dbt runs (ingest.cli.run_dbt) write their target and logs under ``root``."""
    names = ("DBT_TARGET_PATH", "DBT_LOG_PATH")
    saved = {k: os.environ.get(k) for k in names}
    os.environ["DBT_TARGET_PATH"], os.environ["DBT_LOG_PATH"] = str(root / "target"), str(
        root / "logs"
    )
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of one query, on a connection closed straight after."""
    con = duckdb.connect(str(warehouse))
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
