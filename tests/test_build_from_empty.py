"""A warehouse built before anything landed, then fed: every source table is created empty
on the first build, the incremental request fact picks everything up on the next, and a
provider with usage but no cost export has its usage priced and marked as an estimate."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.cli import run_dbt
from ingest.landing import land_paths
from ingest.warehouse import connect
from tests.support.dbt import dbt_paths_in, query

FIXTURES = Path(__file__).parent / "fixtures"
USAGE = FIXTURES / "anthropic" / "usage_report_pages.jsonl"
SPEND_LOGS = FIXTURES / "litellm" / "spend_logs.csv"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("estimated")
    # A hyphen in the file name makes the catalog name need quoting.
    path = root / "empty-first.duckdb"
    with dbt_paths_in(root):
        assert run_dbt(path) == 0  # nothing landed yet
        con = connect(path)
        assert {r.status for r in land_paths(con, [USAGE, SPEND_LOGS])} == {"landed"}
        con.close()
        assert run_dbt(path) == 0
    return path


def test_usage_without_cost_export_is_priced_as_an_estimate(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select model, billed_cost_usd, is_estimated from marts.fct_provider_costs_daily"
        " where cost_date = date '2025-10-27' order by model",
    )
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
    flags = query(
        warehouse,
        "select provider, cast(billing_month as varchar), has_invoice, is_invoice_estimated,"
        " status from marts.rpt_reconciliation order by 1, 2",
    )
    assert flags == [
        ("anthropic", "2025-10-01", True, True, "gap"),  # usage priced, no gateway traffic
        ("anthropic", "2026-07-01", False, False, "no_invoice"),  # gateway only
        ("openai", "2026-07-01", False, False, "no_invoice"),
    ]


def test_requests_landed_after_an_empty_first_build_reach_the_fact(warehouse: Path) -> None:
    ((requests,),) = query(warehouse, "select count(*) from marts.fct_llm_requests")
    assert requests == 5
