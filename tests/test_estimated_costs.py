"""A provider with usage but no cost export: its usage is priced and marked as an estimate."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.cli import run_dbt
from ingest.landing import land_paths
from ingest.warehouse import connect

USAGE = Path(__file__).parent / "fixtures" / "anthropic" / "usage_report_pages.jsonl"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estimated")
    path = root / "w.duckdb"
    con = connect(path)
    assert land_paths(con, [USAGE])[0].status == "landed"
    con.close()
    saved = {k: os.environ.get(k) for k in ("DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ["DBT_TARGET_PATH"], os.environ["DBT_LOG_PATH"] = str(root / "t"), str(root / "l")
    try:
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
        "select distinct has_invoice, is_invoice_estimated from marts.rpt_reconciliation"
    ).fetchall()
    con.close()
    assert flags == [(True, True)]
