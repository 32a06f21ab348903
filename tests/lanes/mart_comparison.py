"""What the engine lanes (test_postgres_lane.py, test_spark_lane.py) share: running each step
as its own process, reading every mart keyed by its primary key, and comparing another
engine's marts with DuckDB's.

Two values agree when both are null, or both have the same type and:
- money (Decimal) is equal to the cent: less than half a cent apart *and* the same after
  rounding to cents. Neither rule implies the other (1.00499 and 1.00501 are within half a
  cent but round to different cents; 1.0051 and 1.0149 round to the same cent but are almost
  a cent apart), so money must pass both: the Postgres lane used the first, the Spark lane the
  second, and each is held to at least what it was;
- ratios (floats) are within RATIO_TOLERANCE: the engines divide in different orders;
- anything else is equal.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

# Every mart and its primary key: a mart missing here fails the lane instead of going unchecked.
MARTS = {
    "fct_llm_requests": "request_id",
    "fct_provider_costs_daily": "cost_day_id",
    "rpt_reconciliation": "reconciliation_id",
    "rpt_reconciliation_detail": "reconciliation_detail_id",
    "rpt_attribution_coverage": "billing_month",
    "rpt_gpu_waste": "gpu_waste_id",
    "rpt_inference_unit_cost": "inference_unit_cost_id",
    "rpt_model_tier_overspend": "overspend_id",
    "rpt_prompt_efficiency": "prompt_efficiency_id",
    "rpt_unit_cost_baseline": "unit_cost_id",
    "rpt_spend_anomalies": "anomaly_id",
    "rpt_chargeback": "chargeback_id",
    "rpt_budget_alerts": "alert_id",
    "rpt_forecast": "forecast_id",
    "rpt_governance_queue": "queue_id",
}
CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
RATIO_TOLERANCE = 1e-9


class EngineLane:
    """One lane's steps, each a process of its own whose output goes to ROOT/lane.log; a step
    that fails fails the test with the log's tail."""

    def __init__(self, root: Path, env: dict[str, str], target: str) -> None:
        self.root, self.env, self.target = root, env, target
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

    def dbt(self, command: str, target_path: str) -> None:
        """`dbt COMMAND` on the lane's engine, into ROOT/TARGET_PATH."""
        self.run(
            BIN / "dbt", command, "--target", self.target, "--no-use-colors",
            "--project-dir", ROOT, "--profiles-dir", ROOT,
            "--target-path", self.root / target_path, "--log-path", self.root / "logs",
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
            BIN / "ailedger", "publish-raw", "--target", self.target,
            "--warehouse", self.warehouse, "--parquet-dir", self.root / "parquet",
        )

    def duckdb_marts(self) -> dict:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = {r[0] for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()}
            return read_marts(tables, lambda mart: con.execute(f"select * from marts.{mart}"))
        finally:
            con.close()


def read_marts(tables: set[str], select: Callable[[str], object]) -> dict:
    """{"_tables": the marts an engine has} and, for each mart of MARTS among them, its rows
    keyed by primary key; SELECT(mart) returns a DB-API cursor over the mart's rows."""
    marts: dict = {"_tables": tables}
    for mart, key in MARTS.items():
        if mart in tables:
            marts[mart] = keyed(select(mart), key)
    return marts


def keyed(cursor, key: str) -> dict:
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return {row[key]: row for row in rows}


def differences(duck: dict, other: dict, engine: str) -> list[str]:
    """Every disagreement between DuckDB's marts and ENGINE's, as readable lines."""
    problems = []
    if duck["_tables"] != other["_tables"]:
        problems.append(f"marts differ: duckdb {sorted(duck['_tables'])}, "
                        f"{engine} {sorted(other['_tables'])}")
    unchecked = duck["_tables"] - MARTS.keys()
    if unchecked:
        problems.append(f"marts without a key in MARTS, not compared: {sorted(unchecked)}")
    for mart in MARTS:
        if mart not in duck or mart not in other:
            problems.append(f"{mart}: missing on {'duckdb' if mart not in duck else engine}")
            continue
        d_rows, o_rows = duck[mart], other[mart]
        for key in sorted(d_rows.keys() - o_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on duckdb")
        for key in sorted(o_rows.keys() - d_rows.keys(), key=str)[:5]:
            problems.append(f"{mart}[{key}]: only on {engine}")
        for key in sorted(d_rows.keys() & o_rows.keys(), key=str):
            d_row, o_row = d_rows[key], o_rows[key]
            if d_row.keys() != o_row.keys():
                problems.append(f"{mart}: columns differ: {sorted(d_row.keys() ^ o_row.keys())}")
                break
            for column, d_value in d_row.items():
                if not agree(d_value, o_row[column]):
                    problems.append(
                        f"{mart}[{key}].{column}: duckdb {d_value!r}, {engine} {o_row[column]!r}"
                    )
    return problems


def agree(a: object, b: object) -> bool:
    """Whether two values agree, as the module docstring says."""
    if a is None or b is None:
        return a is b
    if type(a) is not type(b):
        return False
    if isinstance(a, Decimal):
        return abs(a - b) < HALF_CENT and a.quantize(CENT) == b.quantize(CENT)
    if isinstance(a, float):
        return abs(a - b) <= RATIO_TOLERANCE
    return a == b


def money_compared(duck: dict, other: dict) -> tuple[int, Decimal]:
    """(money values compared, largest absolute difference) over every mart."""
    compared, largest = 0, Decimal(0)
    for mart in MARTS:
        for key, d_row in duck[mart].items():
            for column, value in d_row.items():
                theirs = other[mart].get(key, {}).get(column)
                if isinstance(value, Decimal) and isinstance(theirs, Decimal):
                    compared += 1
                    largest = max(largest, abs(value - theirs))
    return compared, largest


def key_figures(marts: dict) -> dict:
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


def headline(duck: dict, other: dict, engine: str) -> str:
    """The key figures side by side, DuckDB's then ENGINE's, for the lane's log."""
    d, o = key_figures(duck), key_figures(other)
    lines = ["", f"coverage (duckdb | {engine}):"]
    for month in sorted(d["coverage"]):
        (dt, da, dc, dv), (ot, oa, oc, ov) = d["coverage"][month], o["coverage"][month]
        lines.append(f"  {month}  total {dt} | {ot}  attributed {da} | {oa}"
                     f"  coverage {dc:.9f} | {oc:.9f}  {dv} | {ov}")
    lines.append(f"reconciliation (duckdb | {engine}):")
    for key in sorted(d["reconciliation"]):
        (di, dg, _, dgap, dst), (oi, og, _, ogap, ost) = (
            d["reconciliation"][key], o["reconciliation"][key])
        lines.append(f"  {key:<20} invoice {di} | {oi}  gateway {dg} | {og}"
                     f"  gap {dgap} | {ogap}  {dst} | {ost}")
    lines.append(f"billed per provider-month (duckdb | {engine}):")
    for key in sorted(d["billed_per_provider_month"]):
        lines.append(f"  {key[0]:<10} {key[1]}  {d['billed_per_provider_month'][key]}"
                     f" | {o['billed_per_provider_month'].get(key)}")
    for name, figures in (("duckdb", d), (engine, o)):
        count, cost, logged, attributed = figures["requests"]
        lines.append(f"fct_llm_requests {name}: {count} requests, cost {cost}, "
                     f"gateway logged {logged}, {attributed} attributed")
    return "\n".join(lines)
