"""The Postgres lane: the same dbt project, models, seeds and tests, built on PostgreSQL from
the raw tables `ailedger publish-raw --target postgres` copies there, agrees with the DuckDB
build of the same data, row by row and to the cent.

Run by `make test-postgres` (scripts/pg_lane.sh starts a throwaway server when none answers
on $AILEDGER_PG_PORT, 55432 by default). The lane owns the database it builds in
($AILEDGER_PG_LANE_DATABASE, `ailedger_lane`): it is dropped and re-created on every run.

Steps, as a team would run them: build on Postgres before anything is published (every mart
empty); land the demo exports (and the format fixtures, so every staging model has rows) into
DuckDB and build there; publish the raw tables to Postgres and `dbt build --target postgres`;
build again with nothing new (the incremental path); land a late export that corrects one
request and adds two, build DuckDB, re-publish, build Postgres incrementally. The marts are
compared after each Postgres build.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from portable_sql import duckdb_only_syntax

from ingest.demo import generate

pytestmark = pytest.mark.lanes

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures"

# Every mart and its primary key: a mart missing here fails the lane instead of going unchecked.
MARTS = {
    "fct_llm_requests": "request_id",
    "fct_provider_costs_daily": "cost_day_id",
    "rpt_reconciliation": "reconciliation_id",
    "rpt_attribution_coverage": "billing_month",
}
HALF_CENT = Decimal("0.005")  # money agrees "to the cent"
RATIO_TOLERANCE = 1e-9  # ratios are doubles; the engines divide in different orders


def _pg_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AILEDGER_TARGET"}
    env.setdefault("AILEDGER_PG_HOST", "127.0.0.1")
    env.setdefault("AILEDGER_PG_PORT", "55432")
    env.setdefault("AILEDGER_PG_USER", "postgres")
    env["AILEDGER_PG_DATABASE"] = os.environ.get("AILEDGER_PG_LANE_DATABASE", "ailedger_lane")
    return env


def _pg_connect(env: dict[str, str], dbname: str | None = None):
    import psycopg2

    kwargs = {
        "host": env["AILEDGER_PG_HOST"],
        "port": env["AILEDGER_PG_PORT"],
        "user": env["AILEDGER_PG_USER"],
        "dbname": dbname or env["AILEDGER_PG_DATABASE"],
        "connect_timeout": 5,
    }
    if env.get("AILEDGER_PG_PASSWORD"):
        kwargs["password"] = env["AILEDGER_PG_PASSWORD"]
    return psycopg2.connect(**kwargs)


def _recreate_database(env: dict[str, str]) -> None:
    con = _pg_connect(env, dbname="postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            name = env["AILEDGER_PG_DATABASE"].replace('"', '""')
            cur.execute(f'drop database if exists "{name}" with (force)')
            cur.execute(f'create database "{name}"')
    finally:
        con.close()


class Lane:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.warehouse = root / "lane.duckdb"
        self.log = root / "lane.log"

    def run(self, *args: str | Path) -> None:
        cmd = [str(a) for a in args]
        with self.log.open("a") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            done = subprocess.run(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        if done.returncode != 0:
            tail = self.log.read_text()[-4000:]
            pytest.fail(f"`{' '.join(cmd)}` exited {done.returncode}:\n{tail}")

    def dbt(self, command: str, target: str, name: str) -> None:
        self.run(
            BIN / "dbt", command, "--target", target, "--no-use-colors",
            "--project-dir", ROOT, "--profiles-dir", ROOT,
            "--target-path", self.root / name, "--log-path", self.root / "logs",
        )

    def ingest(self, *paths: Path) -> None:
        self.run(BIN / "ailedger", "ingest", *paths, "--warehouse", self.warehouse)

    def build_duckdb(self) -> None:
        self.run(
            BIN / "ailedger", "build", "--warehouse", self.warehouse, "--",
            "--no-use-colors", "--target-path", self.root / "duckdb-target",
            "--log-path", self.root / "logs",
        )

    def publish(self) -> None:
        self.run(
            BIN / "ailedger", "publish-raw", "--target", "postgres",
            "--warehouse", self.warehouse, "--parquet-dir", self.root / "parquet",
        )

    def duckdb_marts(self) -> dict[str, dict]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()}
            return {"_tables": tables} | {
                mart: _keyed(con.execute(f"select * from marts.{mart}"), key)
                for mart, key in MARTS.items() if mart in tables
            }
        finally:
            con.close()

    def postgres_marts(self) -> dict[str, dict]:
        con = _pg_connect(self.env)
        try:
            with con.cursor() as cur:
                cur.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = 'marts'"
                )
                tables = {r[0] for r in cur.fetchall()}
                marts = {"_tables": tables}
                for mart, key in MARTS.items():
                    if mart in tables:
                        cur.execute(f"select * from marts.{mart}")
                        marts[mart] = _keyed(cur, key)
                return marts
        finally:
            con.close()

    def raw_counts(self) -> dict[str, int]:
        con = _pg_connect(self.env)
        try:
            with con.cursor() as cur:
                cur.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = 'raw' order by 1"
                )
                counts = {}
                for (table,) in cur.fetchall():
                    cur.execute(f'select count(*) from raw."{table}"')
                    counts[table] = cur.fetchone()[0]
                return counts
        finally:
            con.close()


def _keyed(cursor, key: str) -> dict:
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[key]: row for row in rows}


def _differences(duck: dict, pg: dict) -> list[str]:
    """Every disagreement between the two engines' marts, as readable lines."""
    problems = []
    if duck["_tables"] != pg["_tables"]:
        problems.append(f"marts differ: duckdb {sorted(duck['_tables'])}, "
                        f"postgres {sorted(pg['_tables'])}")
    unchecked = duck["_tables"] - MARTS.keys()
    if unchecked:
        problems.append(f"marts without a key in MARTS, not compared: {sorted(unchecked)}")
    for mart in MARTS:
        if mart not in duck or mart not in pg:
            problems.append(f"{mart}: missing on {'duckdb' if mart not in duck else 'postgres'}")
            continue
        d_rows, p_rows = duck[mart], pg[mart]
        for key in sorted(d_rows.keys() - p_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on duckdb")
        for key in sorted(p_rows.keys() - d_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on postgres")
        for key in sorted(d_rows.keys() & p_rows.keys(), key=str):
            d_row, p_row = d_rows[key], p_rows[key]
            if d_row.keys() != p_row.keys():
                problems.append(f"{mart}: columns differ: {sorted(d_row.keys() ^ p_row.keys())}")
                break
            for column, d_value in d_row.items():
                if not _agree(d_value, p_row[column]):
                    problems.append(
                        f"{mart}[{key}].{column}: duckdb {d_value!r}, postgres {p_row[column]!r}"
                    )
    return problems


def _agree(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return abs(a - b) < HALF_CENT
    if isinstance(a, float):
        return abs(a - b) <= RATIO_TOLERANCE
    return a == b


def _money_exact(duck: dict, pg: dict) -> tuple[int, Decimal]:
    """(money values compared, largest absolute difference) over every mart."""
    compared, largest = 0, Decimal(0)
    for mart in MARTS:
        for key, d_row in duck[mart].items():
            for column, value in d_row.items():
                other = pg[mart].get(key, {}).get(column)
                if isinstance(value, Decimal) and isinstance(other, Decimal):
                    compared += 1
                    largest = max(largest, abs(value - other))
    return compared, largest


def _headline(duck: dict, pg: dict) -> str:
    lines = ["", "coverage (duckdb | postgres):"]
    for month in sorted(duck["rpt_attribution_coverage"]):
        d, p = duck["rpt_attribution_coverage"][month], pg["rpt_attribution_coverage"][month]
        lines.append(
            f"  {month}  total {d['total_spend_usd']:.2f} | {p['total_spend_usd']:.2f}"
            f"  attributed {d['attributed_spend_usd']:.2f} | {p['attributed_spend_usd']:.2f}"
            f"  coverage {d['coverage_pct']:.9f} | {p['coverage_pct']:.9f}"
            f"  {d['verdict']} | {p['verdict']}"
        )
    lines.append("reconciliation (duckdb | postgres):")
    for key in sorted(duck["rpt_reconciliation"]):
        d, p = duck["rpt_reconciliation"][key], pg["rpt_reconciliation"][key]
        lines.append(
            f"  {key:<20} invoice {d['invoice_cost_usd']:.2f} | {p['invoice_cost_usd']:.2f}"
            f"  gateway {d['gateway_cost_usd']:.2f} | {p['gateway_cost_usd']:.2f}"
            f"  gap {d['gap_usd']:.2f} | {p['gap_usd']:.2f}  {d['status']} | {p['status']}"
        )
    requests = {
        name: (
            len(marts["fct_llm_requests"]),
            sum(r["cost_usd"] or 0 for r in marts["fct_llm_requests"].values()),
            sum(r["gateway_cost_usd"] or 0 for r in marts["fct_llm_requests"].values()),
            sum(r["is_attributed"] for r in marts["fct_llm_requests"].values()),
        )
        for name, marts in (("duckdb", duck), ("postgres", pg))
    }
    for name, (count, cost, logged, attributed) in requests.items():
        lines.append(
            f"fct_llm_requests {name}: {count} requests, cost {cost:.2f}, "
            f"gateway logged {logged:.2f}, {attributed} attributed"
        )
    return "\n".join(lines)


def _late_export(exports: Path, out: Path) -> str:
    """A later gateway export: one request re-sent with corrected counts, two new ones."""
    source = exports / "gateway" / "litellm_spend_logs.csv"
    with source.open(newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r, _ in zip(reader, range(3), strict=False)]
        header = reader.fieldnames
    corrected, new_a, new_b = (dict(r) for r in rows)
    corrected["completion_tokens"] = str(int(corrected["completion_tokens"]) + 1000)
    new_a["request_id"], new_b["request_id"] = "late-pg-0001", "late-pg-0002"
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows([corrected, new_a, new_b])
    return corrected["request_id"]


def _fixture_exports() -> list[Path]:
    """The format fixtures that land cleanly: spans and standard-logging payloads included,
    so the staging models the demo leaves empty run on Postgres with rows."""
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    return sorted(
        p for p in files
        if p.parent.name in {"litellm", "otel", "openai", "anthropic"}
        and not p.name.startswith("bad")
    )


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = _pg_env()
    try:
        _recreate_database(env)
    except Exception as exc:  # any failure to connect means there is no server
        pytest.fail(
            f"no PostgreSQL at {env['AILEDGER_PG_HOST']}:{env['AILEDGER_PG_PORT']} ({exc});"
            " run `make test-postgres`, which starts one"
        )
    root = tmp_path_factory.mktemp("pglane")
    lane = Lane(root, env)
    exports = root / "exports"
    generate(exports, requests=20_000, seed=11)
    (exports / "truth.json").unlink()

    # Built before anything is published: raw tables from the sources' declared types, and
    # an empty request fact that the first publish must then fill.
    lane.dbt("build", "postgres", "pg-target")
    empty = lane.postgres_marts()

    lane.ingest(exports, *_fixture_exports())
    lane.build_duckdb()
    lane.publish()
    raw_first = lane.raw_counts()
    lane.dbt("build", "postgres", "pg-target")
    full = (lane.duckdb_marts(), lane.postgres_marts())

    lane.publish()  # the same warehouse again: replaces, never appends
    raw_again = lane.raw_counts()
    lane.dbt("build", "postgres", "pg-target")
    unchanged = lane.postgres_marts()

    late = root / "late" / "spend_logs_late.csv"
    late.parent.mkdir()
    corrected_id = _late_export(exports, late)
    lane.ingest(late)
    lane.build_duckdb()
    lane.publish()
    lane.dbt("build", "postgres", "pg-target")
    incremental = (lane.duckdb_marts(), lane.postgres_marts())

    return {
        "lane": lane,
        "empty": empty,
        "full": full,
        "unchanged": unchanged,
        "incremental": incremental,
        "raw": (raw_first, raw_again),
        "corrected_id": corrected_id,
    }


def test_marts_agree_after_the_full_build(lane: dict) -> None:
    duck, pg = lane["full"]
    compared, largest = _money_exact(duck, pg)
    print(_headline(duck, pg))
    print(f"money values compared: {compared}, largest difference: {largest}")
    assert _differences(duck, pg) == []
    assert len(duck["fct_llm_requests"]) > 20_000  # the demo plus the fixtures' requests


def test_a_build_before_any_publish_builds_every_mart_empty(lane: dict) -> None:
    empty = lane["empty"]
    assert empty["_tables"] == set(MARTS)
    assert {mart: len(empty[mart]) for mart in MARTS} == dict.fromkeys(MARTS, 0)


def test_every_staging_format_has_rows_on_postgres(lane: dict) -> None:
    raw_first, _ = lane["raw"]
    empty = [t for t, n in raw_first.items() if n == 0 and not t.startswith("_")]
    assert empty == []


def test_republishing_replaces_the_raw_tables(lane: dict) -> None:
    raw_first, raw_again = lane["raw"]
    assert raw_again == raw_first


def test_second_build_with_nothing_new_changes_nothing(lane: dict) -> None:
    _, pg_full = lane["full"]
    assert _differences(pg_full, lane["unchanged"]) == []


def test_marts_agree_after_an_incremental_build(lane: dict) -> None:
    duck, pg = lane["incremental"]
    assert _differences(duck, pg) == []
    _, pg_full = lane["full"]
    requests, before = pg["fct_llm_requests"], pg_full["fct_llm_requests"]
    assert len(requests) == len(before) + 2
    assert {"late-pg-0001", "late-pg-0002"} <= requests.keys()
    corrected = lane["corrected_id"]
    assert requests[corrected]["output_tokens"] == before[corrected]["output_tokens"] + 1000


def test_compiled_sql_for_postgres_has_no_duckdb_only_syntax(lane: dict) -> None:
    target = lane["lane"].root / "pg-compile"
    lane["lane"].dbt("compile", "postgres", "pg-compile")
    compiled = target / "compiled"
    assert len(list(compiled.rglob("*.sql"))) > 100  # every model and test, not a stub
    findings = duckdb_only_syntax(compiled)
    assert findings == [], "DuckDB-only syntax compiled for Postgres:\n" + "\n".join(findings)
