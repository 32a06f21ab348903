"""The Spark lane: the same dbt project, models, seeds and tests, built on Apache Spark (dbt-spark,
`method: session`, a local pyspark) from the raw tables `ailedger publish-raw --target spark`
writes there, agrees with the DuckDB build of the same data, row by row and to the cent.

Run by `make test-spark` (scripts/spark_lane.sh). Each step is its own process, as a team
would run it, so the warehouse folder and metastore the publisher and dbt share are tested
too: land the demo exports and the format fixtures in DuckDB and build there; publish to
Spark and `dbt build --target spark`; publish again and build with nothing new (the
incremental path); land a late export that corrects one old request and adds two, build
DuckDB, publish, build Spark incrementally, which overwrites the request days it touches.
"""

from __future__ import annotations

import csv
import json
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
DUMP = Path(__file__).with_name("spark_marts.py")

# Every mart and its primary key: a mart missing here fails the lane instead of going unchecked.
MARTS = {
    "fct_llm_requests": "request_id",
    "fct_provider_costs_daily": "cost_day_id",
    "rpt_reconciliation": "reconciliation_id",
    "rpt_attribution_coverage": "billing_month",
}
CENT = Decimal("0.01")
RATIO_TOLERANCE = 1e-9  # ratios are doubles; the engines divide in different orders

# Constructs Spark SQL shares with DuckDB: not DuckDB-only in what dbt compiles for Spark.
SPARK_SHARES = {
    "-> / ->> arrows": r"->>",  # Spark's lambdas are `x -> …`
    "double (DuckDB's float8)": None,
    "date_diff / date_sub / date_add": None,  # dbt-spark's dbt.dateadd
    "regexp_extract": None,  # dbt-spark's dbt.split_part
    "try_cast": None,
    "ifnull": None,
}


class Lane:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.warehouse = root / "lane.duckdb"
        self.log = root / "lane.log"
        self.env = {k: v for k, v in os.environ.items() if k != "AILEDGER_TARGET"}
        self.env["AILEDGER_SPARK_DIR"] = str(root / "spark")
        self.dumps = 0

    def run(self, *args: str | Path) -> None:
        cmd = [str(a) for a in args]
        with self.log.open("a") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            done = subprocess.run(cmd, cwd=ROOT, env=self.env, stdout=out, stderr=out)
        if done.returncode != 0:
            tail = self.log.read_text()[-4000:]
            pytest.fail(f"`{' '.join(cmd)}` exited {done.returncode}:\n{tail}")

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
            BIN / "ailedger", "publish-raw", "--target", "spark",
            "--warehouse", self.warehouse, "--parquet-dir", self.root / "parquet",
        )

    def build_spark(self) -> None:
        self.run(
            BIN / "dbt", "build", "--target", "spark", "--no-use-colors",
            "--project-dir", ROOT, "--profiles-dir", ROOT,
            "--target-path", self.root / "spark-target", "--log-path", self.root / "logs",
        )

    def duckdb_marts(self) -> dict:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()}
            marts = {"_tables": tables}
            for mart, key in MARTS.items():
                if mart in tables:
                    marts[mart] = _keyed(con.execute(f"select * from marts.{mart}"), key)
            return marts
        finally:
            con.close()

    def duckdb_raw_counts(self) -> dict[str, int]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
            return {
                t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0]
                for (t,) in tables
            }
        finally:
            con.close()

    def spark_marts(self) -> tuple[dict, dict[str, int]]:
        """What Spark returns for every mart, and its raw tables' row counts."""
        self.dumps += 1
        out = self.root / f"spark-dump-{self.dumps}"
        self.run(BIN / "python", DUMP, out)
        tables = {p.name for p in out.iterdir() if p.is_dir()}
        con = duckdb.connect()
        try:
            marts = {"_tables": tables}
            for mart, key in MARTS.items():
                if mart in tables:
                    files = str(out / mart / "*.parquet")
                    marts[mart] = _keyed(con.execute(f"select * from read_parquet('{files}')"), key)
        finally:
            con.close()
        return marts, json.loads((out / "raw_counts.json").read_text())


def _keyed(cursor, key: str) -> dict:
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[key]: row for row in rows}


def _differences(duck: dict, spark: dict) -> list[str]:
    """Every disagreement between the two engines' marts, as readable lines."""
    problems = []
    if duck["_tables"] != spark["_tables"]:
        problems.append(f"marts differ: duckdb {sorted(duck['_tables'])}, "
                        f"spark {sorted(spark['_tables'])}")
    unchecked = duck["_tables"] - MARTS.keys()
    if unchecked:
        problems.append(f"marts without a key in MARTS, not compared: {sorted(unchecked)}")
    for mart in MARTS:
        if mart not in duck or mart not in spark:
            problems.append(f"{mart}: missing on {'duckdb' if mart not in duck else 'spark'}")
            continue
        d_rows, s_rows = duck[mart], spark[mart]
        for key in sorted(d_rows.keys() - s_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on duckdb")
        for key in sorted(s_rows.keys() - d_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on spark")
        for key in sorted(d_rows.keys() & s_rows.keys(), key=str):
            d_row, s_row = d_rows[key], s_rows[key]
            if d_row.keys() != s_row.keys():
                problems.append(f"{mart}: columns differ: {sorted(d_row.keys() ^ s_row.keys())}")
                break
            for column, d_value in d_row.items():
                if not _agree(d_value, s_row[column]):
                    problems.append(
                        f"{mart}[{key}].{column}: duckdb {d_value!r}, spark {s_row[column]!r}"
                    )
    return problems


def _agree(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return a.quantize(CENT) == b.quantize(CENT)  # money agrees to the cent
    if isinstance(a, float):
        return abs(a - b) <= RATIO_TOLERANCE
    return a == b


def _largest_money_difference(duck: dict, spark: dict) -> tuple[int, Decimal]:
    """(money values compared, largest absolute difference) over every mart."""
    compared, largest = 0, Decimal(0)
    for mart in MARTS:
        for key, d_row in duck[mart].items():
            for column, value in d_row.items():
                other = spark[mart].get(key, {}).get(column)
                if isinstance(value, Decimal) and isinstance(other, Decimal):
                    compared += 1
                    largest = max(largest, abs(value - other))
    return compared, largest


def _key_figures(marts: dict) -> dict:
    """The figures the issue names, computed the same way from either engine's rows."""
    requests = marts["fct_llm_requests"].values()
    billed: dict[tuple, Decimal] = {}
    for row in marts["fct_provider_costs_daily"].values():
        month = (row["provider"], row["billing_month"])
        billed[month] = billed.get(month, Decimal(0)) + row["billed_cost_usd"]
    return {
        "coverage": {
            m: (r["total_spend_usd"].quantize(CENT), r["attributed_spend_usd"].quantize(CENT),
                round(r["coverage_pct"], 9), r["verdict"])
            for m, r in marts["rpt_attribution_coverage"].items()
        },
        "reconciliation": {
            k: (r["invoice_cost_usd"].quantize(CENT), r["gateway_cost_usd"].quantize(CENT),
                r["gateway_logged_cost_usd"].quantize(CENT), r["gap_usd"].quantize(CENT),
                r["status"])
            for k, r in marts["rpt_reconciliation"].items()
        },
        "billed_per_provider_month": {k: v.quantize(CENT) for k, v in billed.items()},
        "requests": (
            len(requests),
            sum((r["cost_usd"] or 0 for r in requests), Decimal(0)).quantize(CENT),
            sum((r["gateway_cost_usd"] or 0 for r in requests), Decimal(0)).quantize(CENT),
            sum(1 for r in requests if r["is_attributed"]),
        ),
    }


def _headline(duck: dict, spark: dict) -> str:
    d, s = _key_figures(duck), _key_figures(spark)
    lines = ["", "coverage (duckdb | spark):"]
    for month in sorted(d["coverage"]):
        (dt, da, dc, dv), (st, sa, sc, sv) = d["coverage"][month], s["coverage"][month]
        lines.append(f"  {month}  total {dt} | {st}  attributed {da} | {sa}"
                     f"  coverage {dc:.9f} | {sc:.9f}  {dv} | {sv}")
    lines.append("reconciliation (duckdb | spark):")
    for key in sorted(d["reconciliation"]):
        (di, dg, _, dgap, dst), (si, sg, _, sgap, sst) = (
            d["reconciliation"][key], s["reconciliation"][key])
        lines.append(f"  {key:<20} invoice {di} | {si}  gateway {dg} | {sg}"
                     f"  gap {dgap} | {sgap}  {dst} | {sst}")
    lines.append("billed per provider-month (duckdb | spark):")
    for key in sorted(d["billed_per_provider_month"]):
        lines.append(f"  {key[0]:<10} {key[1]}  {d['billed_per_provider_month'][key]}"
                     f" | {s['billed_per_provider_month'].get(key)}")
    for name, figures in (("duckdb", d), ("spark", s)):
        count, cost, logged, attributed = figures["requests"]
        lines.append(f"fct_llm_requests {name}: {count} requests, cost {cost}, "
                     f"gateway logged {logged}, {attributed} attributed")
    return "\n".join(lines)


def _late_export(exports: Path, out: Path) -> str:
    """A later gateway export: one old request re-sent with corrected counts, two new ones."""
    source = exports / "gateway" / "litellm_spend_logs.csv"
    with source.open(newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r, _ in zip(reader, range(3), strict=False)]
        header = reader.fieldnames
    corrected, new_a, new_b = (dict(r) for r in rows)
    corrected["completion_tokens"] = str(int(corrected["completion_tokens"]) + 1000)
    new_a["request_id"], new_b["request_id"] = "late-spark-0001", "late-spark-0002"
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows([corrected, new_a, new_b])
    return corrected["request_id"]


def _fixture_exports() -> list[Path]:
    """The format fixtures that land cleanly: OpenTelemetry spans (attribute names with dots)
    and standard-logging payloads (epoch times) give the models the demo leaves empty rows."""
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    return sorted(
        p for p in files
        if p.parent.name in {"litellm", "otel", "openai", "anthropic"}
        and not p.name.startswith("bad")
    )


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("sparklane")
    lane = Lane(root)
    exports = root / "exports"
    generate(exports, requests=20_000, seed=11)
    (exports / "truth.json").unlink()

    lane.ingest(exports, *_fixture_exports())
    lane.build_duckdb()
    lane.publish()
    duck_raw = lane.duckdb_raw_counts()
    lane.build_spark()
    duck_full = lane.duckdb_marts()
    spark_full, raw_first = lane.spark_marts()

    lane.publish()  # the same warehouse again: replaces, never appends
    lane.build_spark()
    spark_unchanged, raw_again = lane.spark_marts()

    late = root / "late" / "spend_logs_late.csv"
    late.parent.mkdir()
    corrected_id = _late_export(exports, late)
    lane.ingest(late)
    lane.build_duckdb()
    lane.publish()
    lane.build_spark()
    duck_late = lane.duckdb_marts()
    spark_late, _ = lane.spark_marts()

    return {
        "lane": lane,
        "full": (duck_full, spark_full),
        "unchanged": spark_unchanged,
        "incremental": (duck_late, spark_late),
        "raw": (duck_raw, raw_first, raw_again),
        "corrected_id": corrected_id,
    }


def test_marts_agree_after_the_full_build(lane: dict) -> None:
    duck, spark = lane["full"]
    compared, largest = _largest_money_difference(duck, spark)
    print(_headline(duck, spark))
    print(f"money values compared: {compared}, largest difference: {largest}")
    assert _differences(duck, spark) == []
    assert _key_figures(duck) == _key_figures(spark)
    assert len(duck["fct_llm_requests"]) > 20_000  # the demo plus the fixtures' requests


def test_publish_copies_every_raw_table_whole(lane: dict) -> None:
    duck_raw, spark_raw, _ = lane["raw"]
    assert spark_raw == duck_raw
    empty = [t for t, n in duck_raw.items() if n == 0 and not t.startswith("_")]
    assert empty == []  # every staging model ran on Spark with rows


def test_republishing_replaces_the_raw_tables(lane: dict) -> None:
    _, raw_first, raw_again = lane["raw"]
    assert raw_again == raw_first


def test_second_build_with_nothing_new_changes_nothing(lane: dict) -> None:
    _, spark_full = lane["full"]
    assert _differences(spark_full, lane["unchanged"]) == []


def test_incremental_build_overwrites_whole_request_days(lane: dict) -> None:
    duck, spark = lane["incremental"]
    print(_headline(duck, spark))
    assert _differences(duck, spark) == []
    _, spark_full = lane["full"]
    requests, before = spark["fct_llm_requests"], spark_full["fct_llm_requests"]
    assert len(requests) == len(before) + 2
    assert {"late-spark-0001", "late-spark-0002"} <= requests.keys()
    corrected = lane["corrected_id"]
    assert requests[corrected]["output_tokens"] == before[corrected]["output_tokens"] + 1000


def test_compiled_sql_for_spark_has_no_duckdb_only_syntax(lane: dict) -> None:
    # What the builds compiled and ran, the incremental branch of fct_llm_requests included.
    compiled = lane["lane"].root / "spark-target" / "compiled"
    assert len(list(compiled.rglob("*.sql"))) > 100  # every model and test, not a stub
    findings = duckdb_only_syntax(compiled, shared=SPARK_SHARES)
    assert findings == [], "DuckDB-only syntax compiled for Spark:\n" + "\n".join(findings)
