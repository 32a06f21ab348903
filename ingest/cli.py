"""The `ailedger` command. Heavy imports (duckdb, dbt, Great Expectations) happen inside the
command that needs them, so `ailedger --help` answers at once."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

from ingest.errors import AiledgerError

PROJECT_DIR = Path(__file__).resolve().parents[1]


def _add_warehouse(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--warehouse",
        help="DuckDB file (default: $AILEDGER_WAREHOUSE or warehouse/ailedger.duckdb)",
    )


def _add_landing(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", dest="format_name", help="skip recognition: land as this format")
    p.add_argument(
        "--max-reject-ratio",
        type=float,
        default=0.01,
        help="refuse a file when more than this share of its records is rejected (0.01)",
    )
    p.add_argument("--no-validate", action="store_true", help="skip Great Expectations suites")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ailedger",
        description="Audit LLM and GPU spend: land exports into DuckDB and build the marts.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="land export files (or folders, recursively) into raw.*")
    p.add_argument("paths", nargs="+", help="files or folders; .gz accepted")
    _add_warehouse(p)
    _add_landing(p)

    p = sub.add_parser("build", help="run `dbt build` on the warehouse; exits with dbt's status")
    _add_warehouse(p)
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="extra dbt arguments after --")

    p = sub.add_parser("run", help="land everything in DIR, then build")
    p.add_argument("dir")
    _add_warehouse(p)
    _add_landing(p)

    p = sub.add_parser("demo", help="generate a realistic organization's exports, land, build")
    p.add_argument("--requests", type=int, default=200_000, help="gateway requests (200000)")
    p.add_argument("--out", default="demo", help="folder for the generated exports (demo/)")
    p.add_argument("--seed", type=int, default=7, help="random seed (7)")
    p.add_argument(
        "--warehouse", default=None, help="DuckDB file (default: <out>/ailedger_demo.duckdb)"
    )

    p = sub.add_parser(
        "publish-raw", help="copy the landed raw tables to Postgres or Spark for dbt there"
    )
    p.add_argument(
        "--target", required=True, choices=["postgres", "spark", "parquet"],
        help="an engine, or parquet to write only the Parquet hand-off files",
    )
    p.add_argument("--parquet-dir", default="warehouse/raw_parquet",
                   help="where the Parquet hand-off files go (warehouse/raw_parquet)")
    _add_warehouse(p)

    p = sub.add_parser("headline", help="print coverage and reconciliation from the marts")
    _add_warehouse(p)

    p = sub.add_parser(
        "alerts",
        help="current month's budget crossings and anomalies; exits 3 on a halt or emergency stop",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_warehouse(p)

    prices = sub.add_parser("prices", help="manage the price book").add_subparsers(
        dest="prices_command", required=True
    )
    p = prices.add_parser("import", help="merge a LiteLLM price map into seeds/model_prices.csv")
    p.add_argument("file", type=Path)
    p.add_argument("--effective-from", required=True, type=date.fromisoformat)
    p.add_argument("--seed", type=Path, default=PROJECT_DIR / "seeds" / "model_prices.csv")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = COMMANDS[args.command](args)
    except AiledgerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    if argv is None:
        sys.exit(code)
    return code


def _warehouse(args: argparse.Namespace) -> Path:
    from ingest.warehouse import warehouse_path

    return warehouse_path(args.warehouse)


def cmd_ingest(args: argparse.Namespace) -> int:
    return _ingest(args.paths, _warehouse(args), args)


def _ingest(paths: list[str], warehouse: Path, args: argparse.Namespace) -> int:
    from ingest.landing import expand, land_paths
    from ingest.report import print_load_summary, progress
    from ingest.warehouse import connect

    files = expand(paths)
    validator = None
    if not args.no_validate:
        from ingest.validate import validate_incoming

        validator = validate_incoming
    con = connect(warehouse)
    try:
        with progress(files) as on_file:
            results = land_paths(
                con,
                files,
                format_name=args.format_name,
                max_reject_ratio=args.max_reject_ratio,
                validator=validator,
                on_file=on_file,
            )
    finally:
        con.close()
    print_load_summary(results, warehouse)
    return 2 if any(r.status == "refused" for r in results) else 0


def run_dbt(warehouse: Path, dbt_args: list[str] | None = None, *, quiet: bool = False) -> int:
    """`dbt build` against the warehouse through dbt's Python runner; dbt's exit status.

    ``quiet`` keeps dbt to warnings and errors and prints a one-line tally instead.
    """
    from collections import Counter

    from dbt.cli.main import dbtRunner

    os.environ["AILEDGER_WAREHOUSE"] = str(warehouse.resolve())
    extra = [a for a in (dbt_args or []) if a != "--"]
    cli = ["build", "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR), *extra]
    if quiet:
        cli += ["--log-level", "warn"]
    result = dbtRunner().invoke(cli)
    if result.exception is not None:
        print(f"error: dbt failed: {result.exception}", file=sys.stderr)
        return 2
    if quiet and result.result is not None:
        tally = Counter(str(r.status).lower() for r in result.result.results)
        print("dbt build: " + ", ".join(f"{n} {status}" for status, n in sorted(tally.items())))
    return 0 if result.success else 1


def cmd_build(args: argparse.Namespace) -> int:
    return run_dbt(_warehouse(args), args.dbt_args)


def cmd_run(args: argparse.Namespace) -> int:
    warehouse = _warehouse(args)
    landed = _ingest([args.dir], warehouse, args)
    built = run_dbt(warehouse)
    if built == 0:
        from ingest.report import print_headline

        print_headline(warehouse)
    return landed or built


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import generate
    from ingest.report import print_headline

    out = Path(args.out)
    warehouse = Path(args.warehouse) if args.warehouse else out / "ailedger_demo.duckdb"
    exports = out / "exports"
    started = time.perf_counter()
    truth = generate(exports, requests=args.requests, seed=args.seed)
    (exports / "truth.json").replace(out / "truth.json")
    generated = time.perf_counter()
    print(f"generated {truth['requests']:,} gateway requests and the bills in {exports}/ "
          f"({generated - started:.1f}s); planted truths in {out / 'truth.json'}")
    # The demo warehouse is rebuilt from scratch each time so its figures match the truths.
    for stale in (warehouse, warehouse.with_suffix(warehouse.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    args.format_name, args.max_reject_ratio, args.no_validate = None, 0.01, False
    landed = _ingest([str(exports)], warehouse, args)
    built = run_dbt(warehouse, quiet=True)
    print_headline(warehouse)
    print(f"demo took {time.perf_counter() - started:.1f}s; warehouse: {warehouse}")
    return landed or built


def cmd_headline(args: argparse.Namespace) -> int:
    from ingest.report import print_headline

    print_headline(_warehouse(args))
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from ingest.alerts import current_alerts, to_json, to_text

    alerts = current_alerts(_warehouse(args))
    print(to_json(alerts) if args.json else to_text(alerts))
    return alerts["exit_code"]


def cmd_publish_raw(args: argparse.Namespace) -> int:
    from ingest.publish import publish_raw

    published = publish_raw(_warehouse(args), args.target, Path(args.parquet_dir))
    for table, rows in published.items():
        where = args.parquet_dir if args.target == "parquet" else args.target
        print(f"raw.{table}: {rows:,} rows published to {where}")
    return 0


def cmd_prices(args: argparse.Namespace) -> int:
    from ingest.prices import import_prices

    result = import_prices(args.file, args.effective_from, args.seed)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{args.seed}: {result.added} rows added, {result.closed} closed, "
        f"{result.unchanged} unchanged (effective from {args.effective_from})"
    )
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "build": cmd_build,
    "run": cmd_run,
    "demo": cmd_demo,
    "publish-raw": cmd_publish_raw,
    "headline": cmd_headline,
    "alerts": cmd_alerts,
    "prices": cmd_prices,
}

if __name__ == "__main__":
    main()
