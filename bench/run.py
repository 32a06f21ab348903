"""Benchmarks: generate → land → full build → incremental build, printed as figures.

Speed goals are benchmarks, not tests: this asserts nothing. Machines here are shared and
noisy, so compare figures from one run with each other (ratios), not across runs.

    .venv/bin/python bench/run.py [--requests 200000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import time
from pathlib import Path

from ingest.cli import run_dbt
from ingest.demo import generate
from ingest.landing import land_paths
from ingest.validate import validate_incoming
from ingest.warehouse import connect


def _timed(fn, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - started, result


def _late_file(source: Path, target: Path, rows: int = 1000) -> Path:
    """A later export: `rows` requests re-sent under new ids, as an incremental batch."""
    with source.open(newline="") as f, target.open("w", newline="") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
        writer.writeheader()
        for i, row in zip(range(rows), reader, strict=False):
            row["request_id"] = f"late-{i:06d}"
            writer.writerow(row)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="keep the generated files and warehouse here")
    args = parser.parse_args()

    root = args.keep or Path(tempfile.mkdtemp(prefix="ailedger-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    os.environ["DBT_TARGET_PATH"] = str(root / "target")
    os.environ["DBT_LOG_PATH"] = str(root / "logs")
    exports, warehouse = root / "exports", root / "bench.duckdb"
    warehouse.unlink(missing_ok=True)

    gen_s, _ = _timed(generate, exports, requests=args.requests)
    (exports / "truth.json").unlink()
    log = exports / "gateway" / "litellm_spend_logs.csv"
    size_mb = sum(f.stat().st_size for f in exports.rglob("*") if f.is_file()) / 1e6

    con = connect(warehouse)
    land_s, results = _timed(land_paths, con, [exports], validator=validate_incoming)
    rows = sum(r.rows_landed for r in results)
    reland_s, _ = _timed(land_paths, con, [exports])
    con.close()

    # A full build first (the fact does not exist yet), then a later export of 1,000 new
    # requests and an incremental build on top.
    full_s, full_rc = _timed(run_dbt, warehouse)
    con = connect(warehouse)
    land_paths(con, [_late_file(log, root / "late.csv")])
    con.close()
    incr_s, incr_rc = _timed(run_dbt, warehouse)

    print(f"\nailedger benchmark: {args.requests:,} gateway requests, {size_mb:,.0f} MB of exports")
    print(f"  generate demo exports     {gen_s:8.1f} s   {args.requests / gen_s:12,.0f} requests/s")
    print(f"  land (incl. validation)   {land_s:8.1f} s   {rows / land_s:12,.0f} rows/s"
          f"   {size_mb / land_s:6.1f} MB/s")
    print(f"  re-land (all skipped)     {reland_s:8.1f} s   "
          f"{land_s / reland_s:8.1f}x faster than landing")
    print(f"  dbt build, full           {full_s:8.1f} s   exit {full_rc}")
    print(f"  dbt build, incremental    {incr_s:8.1f} s   exit {incr_rc}   "
          f"{full_s / incr_s:.2f}x the speed of a full build")
    print(f"  files kept in {root}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
