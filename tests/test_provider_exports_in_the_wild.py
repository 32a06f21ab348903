"""Provider exports as users have them: OpenAI's older cost CSV, the Anthropic Console cost
CSV in both layouts, and overlapping re-exports of Console CSVs, which count once."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from ingest.landing import land_file
from ingest.warehouse import connect
from tests.support.dbt import dbt_build, query

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OPENAI_OLD = FIXTURES / "openai" / "cost_2024-11-01_2024-11-04_old.csv"
CONSOLE_COST = FIXTURES / "anthropic" / "claude_api_cost_2025-10-27.csv"
CONSOLE_COST_OLD = FIXTURES / "anthropic" / "claude_api_cost_2025-06-12_old.csv"
CONSOLE_USAGE = FIXTURES / "anthropic" / "claude_api_usage_2025-10-27.csv"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("in_the_wild")
    wh = tmp / "warehouse.duckdb"
    # Re-exports covering 2025-10-27 again, with corrected figures, landed later.
    cost_again = tmp / "claude_api_cost_2025-10-27_again.csv"
    cost_again.write_text(CONSOLE_COST.read_text(encoding="utf-8").replace(",1.20,", ",1.30,"),
                          encoding="utf-8")
    usage_again = tmp / "claude_api_usage_2025-10-27_again.csv"
    usage_again.write_text(
        CONSOLE_USAGE.read_text(encoding="utf-8").replace(",1500,2000,", ",1600,2000,"),
        encoding="utf-8",
    )
    con = connect(wh)
    for path in (OPENAI_OLD, CONSOLE_COST, CONSOLE_COST_OLD, CONSOLE_USAGE, cost_again,
                 usage_again):
        result = land_file(con, path)
        assert result.status == "landed", result.message
        assert result.rows_rejected == 0
    con.close()
    dbt_build(wh, tmp, "+int_provider_costs_deduplicated", "+int_provider_usage_daily",
              "model_prices")
    return wh


def test_older_openai_cost_csv_lands_with_its_empty_day(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select count(*), count(amount_value) from raw.openai_costs",
    )
    assert rows == [(4, 3)]  # the no-spend day lands as a row without an amount
    billed = query(
        warehouse,
        "select model, sum(billed_cost_usd) from intermediate.int_provider_costs_deduplicated"
        " where provider = 'openai' group by model order by model",
    )
    assert billed == [("gpt-4o", Decimal("2.00")), ("gpt-4o-mini", Decimal("0.03"))]


def test_console_cost_csv_is_a_cost_source_in_both_layouts(warehouse: Path) -> None:
    billed = query(
        warehouse,
        "select cost_date, model, sum(billed_cost_usd) from"
        " intermediate.int_provider_costs_deduplicated where provider = 'anthropic'"
        " group by all order by all",
    )
    # 2025-10-27 from the later re-export only (output 1.30, not 1.20, and not both).
    assert [(str(d), m, c) for d, m, c in billed] == [
        ("2025-06-12", "claude-3-5-haiku", Decimal("0.08")),
        ("2025-06-12", "claude-opus-4", Decimal("2.25")),
        ("2025-10-27", "claude-haiku-4-5", Decimal("0.03")),
        ("2025-10-27", "claude-sonnet-4-5", Decimal("1.79")),
        ("2025-10-28", "claude-sonnet-4", Decimal("0.10")),
    ]


def test_overlapping_console_usage_exports_count_once(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select sum(uncached_input_tokens) from intermediate.int_provider_usage_daily"
        " where provider = 'anthropic' and model = 'claude-sonnet-4-5'",
    )
    assert rows == [(1600,)]  # the re-export's figure, not 1500 + 1600
