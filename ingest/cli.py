"""The `ailedger` command. Heavy imports (duckdb, dbt, Great Expectations) happen inside the
command that needs them, so `ailedger --help` answers at once.

A command is a `cmd_<name>(args) -> exit status` function, its parser built in
`build_parser`, and one entry in COMMANDS. Exit statuses are shared (ingest/errors.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from ingest.errors import (
    EXIT_BUILD_FAILED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    AiledgerError,
)

PROJECT_DIR = Path(__file__).resolve().parents[1]
# Commands whose unknown options go to dbt (`ailedger build --select x`).
PASS_THROUGH = {"build"}


class Parser(argparse.ArgumentParser):
    """argparse with the shared usage-error status (64) instead of argparse's 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_warehouse(p: argparse.ArgumentParser, *, demo: bool = False) -> None:
    p.add_argument(
        "--warehouse",
        help="DuckDB build warehouse; relative to the current folder (default: "
        "$AILEDGER_WAREHOUSE or warehouse/ailedger.duckdb, relative to the project root)",
    )
    if demo:
        p.add_argument(
            "--demo", action="store_true",
            help="read the demo's files (demo/ailedger_demo*.duckdb, written by `make demo`)",
        )


def _add_wait(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--wait", type=float, metavar="SECONDS",
        help="wait this long for another writer (build, ingest) to finish "
        "(default: $AILEDGER_LOCK_WAIT or 300)",
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
    p.add_argument(
        "--max-text-chars", type=int, default=None,
        help="drop unknown string values longer than this (var ailedger_max_unknown_text_chars)",
    )
    p.add_argument(
        "--allow-list", action="store_true", default=None,
        help="keep only the keys the models read plus owner-tag keys, and no _extra",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="ailedger",
        description="Audit LLM and GPU spend: land exports into DuckDB and build the marts.",
        epilog="Exit codes: 0 ok, 1 build failed, 2 data refused, 3 stale sources, "
        "4 halt threshold crossed, 64 usage error, 75 lock wait timed out.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("ingest", help="land export files (or folders, recursively) into raw.*")
    p.add_argument("paths", nargs="+", help="files or folders; .gz accepted")
    _add_warehouse(p)
    _add_landing(p)
    _add_wait(p)

    p = sub.add_parser(
        "build",
        allow_abbrev=False,  # a dbt option must never pass for a prefix of ours
        epilog="Any other option goes to dbt build as it is, e.g. --select "
        "rpt_reconciliation or --full-refresh.",
        help="run `dbt build` on the warehouse and publish the serving copy; other options "
        "(e.g. --select x) go to dbt",
    )
    _add_warehouse(p)
    _add_wait(p)
    p.add_argument("--quiet", action="store_true", help="print a tally instead of dbt's log")

    p = sub.add_parser("run", help="land everything in DIR, then build, then print the headline")
    p.add_argument("dir", help="folder of exports (searched recursively)")
    _add_warehouse(p)
    _add_landing(p)
    _add_wait(p)

    p = sub.add_parser("demo", help="generate a realistic organization's exports, land, build")
    p.add_argument("--requests", type=int, default=200_000, help="gateway requests (200000)")
    p.add_argument("--out", default=None, help="folder for the generated exports (demo/)")
    p.add_argument("--seed", type=int, default=7, help="random seed (7)")
    p.add_argument(
        "--warehouse", default=None,
        help="DuckDB file, deleted and rebuilt (default: <out>/ailedger_demo.duckdb)",
    )

    p = sub.add_parser(
        "publish-raw", help="copy the landed raw tables to Postgres or Spark for dbt there"
    )
    p.add_argument(
        "--target", required=True, choices=["postgres", "spark", "parquet"],
        help="an engine, or parquet to write only the Parquet hand-off files",
    )
    p.add_argument("--parquet-dir", default=None,
                   help="where the Parquet hand-off files go (default: warehouse/raw_parquet "
                   "under the project root)")
    _add_warehouse(p)

    p = sub.add_parser(
        "scrub", help="remove conversation text already landed (raw tables and _rejects)"
    )
    _add_warehouse(p)
    _add_wait(p)
    p.add_argument("--max-text-chars", type=int, default=None,
                   help="as for ingest (var ailedger_max_unknown_text_chars)")
    p.add_argument("--allow-list", action="store_true", default=None, help="as for ingest")

    p = sub.add_parser(
        "unland", help="remove one landed file's rows, rejects and ledger row (by load id)"
    )
    p.add_argument("load_id", help="raw._loads.load_id of the file to remove")
    _add_warehouse(p)
    _add_wait(p)

    p = sub.add_parser("headline", help="print coverage and reconciliation from the serving copy")
    _add_warehouse(p, demo=True)

    p = sub.add_parser(
        "status",
        help="per source format: files landed, last landed, newest data, rejects, staleness "
        "(exit 3 when a source stopped arriving)",
    )
    _add_warehouse(p, demo=True)

    p = sub.add_parser("export", help="write every mart as Parquet, from the serving copy")
    p.add_argument("--out", help="folder for <mart>.parquet (default: parquet/ beside the "
                   "serving copy)")
    _add_warehouse(p, demo=True)

    p = sub.add_parser(
        "alerts",
        help="current month's budget crossings and anomalies, from the serving copy; exits 4 "
        "on a halt or emergency stop",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _add_warehouse(p, demo=True)

    prices = sub.add_parser("prices", help="manage the price book").add_subparsers(
        dest="prices_command", required=True, metavar="COMMAND"
    )
    p = prices.add_parser("import", help="merge a LiteLLM price map into seeds/model_prices.csv")
    p.add_argument("file", type=Path, help="model_prices_and_context_window.json")
    p.add_argument("--effective-from", required=True, type=date.fromisoformat,
                   help="date (YYYY-MM-DD) from which the map's prices apply")
    p.add_argument("--seed", type=Path, default=PROJECT_DIR / "seeds" / "model_prices.csv",
                   help="price seed to update (seeds/model_prices.csv)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown and args.command not in PASS_THROUGH:
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    except SystemExit as exc:  # --help (0) or a usage error (64)
        if argv is None:
            raise
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    args.passthrough = [a for a in unknown if a != "--"]
    try:
        code = COMMANDS[args.command](args)
    except AiledgerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:
        # DuckDB errors reaching here are expected conditions (a file, a lock): one line.
        if type(exc).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
            raise
        print(f"error: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        code = EXIT_REFUSED
    if argv is None:
        sys.exit(code)
    return code


def _warehouse(args: argparse.Namespace) -> Path:
    from ingest.warehouse import project_root, warehouse_path

    if getattr(args, "demo", False):
        return project_root() / "demo" / "ailedger_demo.duckdb"
    return warehouse_path(args.warehouse)


def _serving(args: argparse.Namespace) -> Path:
    """The serving copy a read-only command reads; says what to run when there is none."""
    from ingest.warehouse import NO_WAREHOUSE_HINT, serving_path

    warehouse = _warehouse(args)
    for path in (warehouse, serving_path(warehouse)):
        if path.is_dir():
            raise AiledgerError(f"{path} is a folder, not a DuckDB file",
                                hint="give the warehouse file, e.g. --warehouse "
                                f"{path / 'ailedger.duckdb'}")
    serving = (
        warehouse.with_name("ailedger_demo_serving.duckdb")
        if getattr(args, "demo", False) else serving_path(warehouse)
    )
    if not serving.exists() and not serving.is_dir():
        if warehouse.is_file():
            raise AiledgerError(
                f"no serving copy yet at {serving}",
                hint=f"run `ailedger build` (with --warehouse {warehouse} if it is not the "
                "default): each successful build publishes it",
            )
        raise AiledgerError(f"no warehouse yet at {warehouse}", hint=NO_WAREHOUSE_HINT)
    return serving


def cmd_ingest(args: argparse.Namespace) -> int:
    return _ingest(args.paths, _warehouse(args), args)


def _ingest(paths: list[str], warehouse: Path, args: argparse.Namespace) -> int:
    from ingest.landing import expand, land_paths
    from ingest.report import print_load_summary, progress
    from ingest.warehouse import connect

    _configure_privacy(args)
    files = expand(paths)
    validator = None
    if not args.no_validate:
        from ingest.validate import validate_incoming

        validator = validate_incoming
    con = connect(warehouse, wait=getattr(args, "wait", None))
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
    return EXIT_REFUSED if any(r.status == "refused" for r in results) else EXIT_OK


def _configure_privacy(args: argparse.Namespace) -> None:
    from ingest.formats import privacy

    privacy.configure(getattr(args, "max_text_chars", None), getattr(args, "allow_list", None))


def cmd_scrub(args: argparse.Namespace) -> int:
    from ingest.scrub import scrub
    from ingest.warehouse import connect

    _configure_privacy(args)
    warehouse = _warehouse(args)
    if not warehouse.exists():
        raise AiledgerError(f"{warehouse}: no warehouse file")
    con = connect(warehouse, wait=args.wait)
    try:
        result = scrub(con)
        con.execute("checkpoint")
    finally:
        con.close()
    for table, rows in result.rows_changed.items():
        print(f"raw.{table}: {rows:,} rows scrubbed")
    print(f"{result.values_dropped:,} long unknown text values dropped; "
          "re-publish with `ailedger publish-raw --target postgres|spark` and rebuild there")
    return 0


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for one dbt run, then put the old values back."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def run_dbt(
    warehouse: Path,
    dbt_args: list[str] | None = None,
    *,
    quiet: bool = False,
    wait: float | None = None,
    serving: Path | None = None,
) -> int:
    """`dbt build` against the warehouse through dbt's Python runner; dbt's exit status.

    Waits for another writer first. ``quiet`` keeps dbt to warnings and errors and prints a
    one-line tally instead (the full log is in logs/dbt.log). A successful build publishes the
    serving copy (dbt's on-run-end hook).
    """
    from collections import Counter

    from dbt.cli.main import dbtRunner

    from ingest.warehouse import connect, landed_file_count, project_root, serving_path

    warehouse = Path(warehouse).resolve()
    serving = serving or serving_path(warehouse)
    con = connect(warehouse, wait=wait)  # waits for another writer; creates the ledger
    try:
        landed = landed_file_count(con)
    finally:
        con.close()
    if landed == 0:
        print(
            f"note: nothing has landed in {warehouse} yet, so the marts will be empty; land "
            "exports with `ailedger run DIR` (or `ailedger ingest PATH`), or try `make demo`",
            file=sys.stderr,
        )
    root = project_root()
    extra = [a for a in (dbt_args or []) if a != "--"]
    cli = ["build", "--project-dir", str(root), "--profiles-dir", str(root), *extra]
    if not _colour():
        cli.append("--no-use-colors")
    if quiet:
        cli += ["--log-level", "warn", "--log-level-file", "debug"]
    started = time.perf_counter()
    with _environ(AILEDGER_WAREHOUSE=str(warehouse), AILEDGER_SERVING=str(serving)):
        try:
            result = dbtRunner().invoke(cli)
        finally:
            _release_warehouse()
    if result.exception is not None:
        print(f"error: dbt failed: {result.exception}", file=sys.stderr)
        return EXIT_REFUSED
    log = Path(os.environ.get("DBT_LOG_PATH") or root / "logs") / "dbt.log"
    if quiet and result.result is not None:
        tally = Counter(str(r.status).lower() for r in result.result.results)
        print("dbt build: " + ", ".join(f"{n} {status}" for status, n in sorted(tally.items()))
              + f" in {time.perf_counter() - started:.1f}s (full log: {_shown(log)})")
    if not result.success:
        print(f"build failed: the serving copy still holds the previous build (log: "
              f"{_shown(log)})", file=sys.stderr)
        return EXIT_BUILD_FAILED
    if serving.is_file():
        print(f"serving copy for BI tools: {_shown(serving)}")
    return EXIT_OK


def _release_warehouse() -> None:
    """Close the DuckDB instance dbt-duckdb keeps open after a run in this process, so the
    writer lock is free for the next writer at once, not when this process exits."""
    manager = sys.modules.get("dbt.adapters.duckdb.connections")
    if manager is None:
        return
    cls = manager.DuckDBConnectionManager
    with cls._LOCK:
        if cls._ENV is not None:
            cls._ENV.close()
            cls._ENV = None


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def cmd_build(args: argparse.Namespace) -> int:
    return run_dbt(_warehouse(args), args.passthrough, quiet=args.quiet, wait=args.wait)


def cmd_run(args: argparse.Namespace) -> int:
    warehouse = _warehouse(args)
    landed = _ingest([args.dir], warehouse, args)
    built = run_dbt(warehouse, quiet=True, wait=args.wait)
    if built == EXIT_OK:
        from ingest.report import print_headline
        from ingest.warehouse import serving_path

        print_headline(serving_path(warehouse))
    return landed or built


def cmd_demo(args: argparse.Namespace) -> int:
    from ingest.demo import dbt_args, generate
    from ingest.report import print_headline
    from ingest.warehouse import project_root, warehouse_path

    out = Path(args.out) if args.out else project_root() / "demo"
    warehouse = (Path(args.warehouse) if args.warehouse else out / "ailedger_demo.duckdb").resolve()
    # The demo deletes and rebuilds its warehouse: never the user's own.
    if warehouse == warehouse_path(None).resolve():
        raise AiledgerError(
            f"{warehouse} is your warehouse; the demo deletes and rebuilds its own",
            hint="give the demo another --warehouse, or none (<out>/ailedger_demo.duckdb)",
            exit_code=EXIT_USAGE,
        )
    serving = warehouse.with_name(f"{warehouse.stem}_serving.duckdb")
    exports = out / "exports"
    started = time.perf_counter()
    truth = generate(exports, requests=args.requests, seed=args.seed)
    (exports / "truth.json").replace(out / "truth.json")
    generated = time.perf_counter()
    print(f"generated {truth['requests']:,} gateway requests and the bills in {_shown(exports)}/ "
          f"({generated - started:.1f}s); planted truths in {_shown(out / 'truth.json')}")
    # The demo warehouse is rebuilt from scratch each time so its figures match the truths.
    for stale in (warehouse, warehouse.with_suffix(warehouse.suffix + ".wal")):
        stale.unlink(missing_ok=True)
    args.format_name, args.max_reject_ratio, args.no_validate = None, 0.01, False
    landed = _ingest([str(exports)], warehouse, args)
    built = run_dbt(warehouse, dbt_args(truth), quiet=True, serving=serving)
    if built == EXIT_OK:
        print_headline(serving)
    print(f"demo took {time.perf_counter() - started:.1f}s; warehouse: {_shown(warehouse)}; "
          f"BI tools read {_shown(serving)}")
    return landed or built


def cmd_headline(args: argparse.Namespace) -> int:
    from ingest.report import print_headline

    print_headline(_serving(args))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from ingest.serving import print_status

    return print_status(_serving(args))


def cmd_export(args: argparse.Namespace) -> int:
    from ingest.serving import export_parquet

    serving = _serving(args)
    out = Path(args.out) if args.out else serving.parent / "parquet"
    written = export_parquet(serving, out)
    for table, rows in written.items():
        print(f"marts.{table}: {rows:,} rows -> {_shown(out / (table + '.parquet'))}")
    return EXIT_OK


def cmd_alerts(args: argparse.Namespace) -> int:
    from ingest.alerts import current_alerts, to_json, to_text

    alerts = current_alerts(_serving(args))
    print(to_json(alerts) if args.json else to_text(alerts))
    return alerts["exit_code"]


def cmd_publish_raw(args: argparse.Namespace) -> int:
    from ingest.publish import publish_raw
    from ingest.warehouse import project_root

    parquet_dir = (Path(args.parquet_dir) if args.parquet_dir
                   else project_root() / "warehouse" / "raw_parquet")
    published = publish_raw(_warehouse(args), args.target, parquet_dir)
    for table, rows in published.items():
        where = _shown(parquet_dir) if args.target == "parquet" else args.target
        print(f"raw.{table}: {rows:,} rows published to {where}")
    return EXIT_OK


def cmd_unland(args: argparse.Namespace) -> int:
    from ingest.unland import unland
    from ingest.warehouse import connect

    con = connect(_warehouse(args), wait=args.wait)
    try:
        done = unland(con, args.load_id)
    finally:
        con.close()
    print(
        f"unlanded {done.load_id} ({done.source_file}): {done.rows_removed:,} rows removed"
        f" from raw.{done.raw_table}, {done.rejects_removed:,} rejects; the same file can land"
        " again. Rebuild with `ailedger build --full-refresh` so the incremental request"
        " fact drops its rows too."
    )
    return 0


def cmd_prices(args: argparse.Namespace) -> int:
    from ingest.prices import import_prices

    result = import_prices(args.file, args.effective_from, args.seed)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(
        f"{args.seed}: {result.added} rows added, {result.closed} closed, "
        f"{result.unchanged} unchanged, {result.tiers} long-context tier rows added "
        f"(effective from {args.effective_from})"
    )
    return EXIT_OK


COMMANDS = {
    "ingest": cmd_ingest,
    "build": cmd_build,
    "run": cmd_run,
    "demo": cmd_demo,
    "publish-raw": cmd_publish_raw,
    "unland": cmd_unland,
    "headline": cmd_headline,
    "status": cmd_status,
    "export": cmd_export,
    "scrub": cmd_scrub,
    "alerts": cmd_alerts,
    "prices": cmd_prices,
}

if __name__ == "__main__":
    main()
