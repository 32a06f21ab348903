"""Run dbt on a test's own warehouse, in its own process and target folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"  # dbt-core is a dependency: always installed


def dbt_build(warehouse: Path, work_dir: Path, *select: str) -> None:
    """`dbt build -s SELECT…` against ``warehouse``; fails the test with dbt's output."""
    run = subprocess.run(
        [
            str(DBT), "build", "-s", *select,
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
