"""A warehouse built before anything landed, then fed: every source table is created empty
on the first build, the incremental request fact picks everything up on the next, and a
provider with usage but no cost export has its usage priced and marked as an estimate."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.cli import run_dbt
from ingest.landing import land_paths
from ingest.warehouse import connect

FIXTURES = Path(__file__).parent / "fixtures"
USAGE = FIXTURES / "anthropic" / "usage_report_pages.jsonl"
SPEND_LOGS = FIXTURES / "litellm" / "spend_logs.csv"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estimated")
    # A hyphen in the file name makes the catalog name need quoting.
    path = root / "empty-first.duckdb"
    saved = {k: os.environ.get(k) for k in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ["DBT_TARGET_PATH"], os.environ["DBT_LOG_PATH"] = str(root / "t"), str(root / "l")
    try:
        assert run_dbt(path) == 0  # nothing landed yet
        con = connect(path)
        assert {r.status for r in land_paths(con, [USAGE, SPEND_LOGS])} == {"landed"}
        con.close()
        assert run_dbt(path) == 0
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return path


def test_usage_without_cost_export_is_priced_as_an_estimate(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    rows = con.execute(
        "select model, billed_cost_usd, is_estimated from marts.fct_provider_costs_daily"
        " where cost_date = date '2025-10-27' order by model"
    ).fetchall()
    con.close()
    # Price book (USD per 1M), both rows in effect on 2025-10-27:
    # claude-3-5-haiku-20241022 (batch, no batch price -> 50%): 300 x 0.40 + 500 1h-writes x 6
    #   (the listed 1h price) + 100 x 2.00 = 3,320 / 1M
    # claude-sonnet-4-5 (standard): 1,500 x 3 + 2,000 5m-writes x 3.75 + 12,000 reads x 0.30
    #   + 800 x 15 = 27,600 / 1M
    assert rows == [
        ("claude-3-5-haiku-20241022", Decimal("0.003320000000"), True),
        ("claude-sonnet-4-5", Decimal("0.027600000000"), True),
    ]


def test_reconciliation_says_the_invoice_is_an_estimate(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    flags = con.execute(
        "select provider, cast(billing_month as varchar), has_invoice, is_invoice_estimated,"
        " status from marts.rpt_reconciliation order by 1, 2"
    ).fetchall()
    con.close()
    assert flags == [
        ("anthropic", "2025-10-01", True, True, "gap"),  # usage priced, no gateway traffic
        ("anthropic", "2026-07-01", False, False, "no_invoice"),  # gateway only
        ("openai", "2026-07-01", False, False, "no_invoice"),
    ]


def test_requests_landed_after_an_empty_first_build_reach_the_fact(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    (requests,) = con.execute("select count(*) from marts.fct_llm_requests").fetchall()[0]
    con.close()
    assert requests == 5
