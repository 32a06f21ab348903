"""Cloud bills and GPUs end to end: the demo's CUR, FOCUS export and DCGM telemetry plus the
format fixtures → land → dbt build: every planted GPU pool gets its utilization, cost, waste
driver and recoverable dollars; the CUR effective total matches the bill to the cent; Bedrock,
Azure OpenAI and Vertex AI appear in reconciliation; an unknown currency fails a named test.
"""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.cli import run_dbt
from ingest.demo import write_cloud_demo
from ingest.landing import land_paths
from ingest.warehouse import connect
from tests.support.dbt import dbt_paths_in
from tests.support.dbt import query as _query

CENT = Decimal("0.01")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXTRA_BILLS = (
    "cloud/cur_legacy_2025-10.csv",
    "cloud/cur_athena_2025-11.csv",
    "cloud/focus_aws_1.2.csv",
    "cloud/focus_gcp_1.3.csv",
    "cloud/gpu_invoice_coreweave.csv",
)
# The audit story each planted pool tells (ingest/demo/gpu_telemetry.py).
STORY = {
    "batch-embeddings": ("idle", 22.0),
    "realtime-inference": ("oversized", 61.0),
    "llama-finetune": ("orphaned", None),
    "dev-endpoint": ("always_on_dev", 8.0),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("cloud")
    exports = root / "exports"
    truth = write_cloud_demo(exports, date(2026, 7, 10), 30, 5)
    for name in EXTRA_BILLS:
        target = exports / "fixtures" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / name, target)
    warehouse = root / "ailedger.duckdb"
    with dbt_paths_in(root):
        con = connect(warehouse)
        results = land_paths(con, [exports])
        con.close()
        build = run_dbt(warehouse)
    return {"root": root, "exports": exports, "warehouse": warehouse, "truth": truth,
            "results": results, "build": build}


def q(built: dict, sql: str) -> list[tuple]:
    return _query(built["warehouse"], sql)


def test_every_bill_and_telemetry_file_lands_whole(built: dict) -> None:
    results = built["results"]
    assert len(results) == 5 + len(EXTRA_BILLS)
    assert {r.status for r in results} == {"landed"}, [r.message for r in results]
    assert sum(r.rows_rejected for r in results) == 0


def test_build_and_its_effective_cost_test_pass(built: dict) -> None:
    # The build runs assert_cloud_effective_cost_matches_amortized_bill and
    # assert_cloud_bill_currencies_have_rates: exit 0 means both found nothing.
    assert built["build"] == 0


def test_cur_effective_and_billed_totals_match_the_bill_to_the_cent(built: dict) -> None:
    cur = built["truth"]["aws_cur"]
    effective, billed = q(
        built,
        "select sum(effective_cost_usd), sum(billed_cost_usd)"
        " from intermediate.int_cloud_costs_converted where source_file like '%cur2-%'",
    )[0]
    assert effective.quantize(CENT) == Decimal(cur["effective_cost_usd"]).quantize(CENT)
    assert billed.quantize(CENT) == Decimal(cur["billed_cost_usd"]).quantize(CENT)
    # The upfront reservation fee is why they differ; the Savings Plan is not double counted.
    assert billed - effective > Decimal("100000")
    by_category = dict(q(
        built,
        "select charge_category, sum(effective_cost_usd)"
        " from intermediate.int_cloud_costs_converted where source_file like '%cur2-%'"
        " group by 1",
    ))
    assert by_category["savings_plan_negation"] == 0
    assert by_category["tax"] == Decimal("1234.56")
    assert by_category["credit"] == Decimal("-250")
    assert by_category["refund"] == Decimal("-42.17")
    assert by_category["savings_plan_fee"] == Decimal("0.05") * 24 * 22


def test_legacy_cur_savings_plan_lines_are_counted_once(built: dict) -> None:
    (effective,) = q(
        built,
        "select sum(effective_cost_usd) from intermediate.int_cloud_costs_converted"
        " where source_file like '%cur_legacy%'",
    )[0]
    # usage 1.212 + SP-covered at 0.52 + negation 0 + unused commitment 0.08 + Bedrock 0.675
    # + credit -1 + tax 0.25
    assert effective == Decimal("1.737")


@pytest.mark.parametrize("pool", sorted(STORY))
def test_each_planted_pool_gets_its_driver_utilization_cost_and_recoverable(
    built: dict, pool: str
) -> None:
    truth = built["truth"]["gpu_pools"][pool]
    cost = Decimal(built["truth"]["aws_cur"]["pools"][pool]["cost_usd"])
    rows = q(
        built,
        "select waste_driver, avg_utilization_pct, cost_usd, recoverable_usd, gpu_hours,"
        f" untracked_gpu_hours from marts.rpt_gpu_waste where gpu_pool = '{pool}'",
    )
    assert len(rows) == 1
    driver, utilization, cost_usd, recoverable, gpu_hours, untracked = rows[0]
    expected_driver, story_pct = STORY[pool]
    assert driver == truth["waste_driver"] == expected_driver
    assert abs(utilization - truth["avg_utilization_pct"]) < 0.01
    if story_pct is not None:
        assert abs(utilization - story_pct) < 1.0  # within one percentage point
    assert cost_usd.quantize(CENT) == cost.quantize(CENT)
    assert recoverable.quantize(CENT) == Decimal(truth["recoverable_usd"]).quantize(CENT)
    assert gpu_hours == built["truth"]["aws_cur"]["pools"][pool]["gpu_hours"]
    assert untracked == 0


def test_finetune_utilization_comes_from_the_profiling_ratio(built: dict) -> None:
    rows = dict(q(built, "select gpu_pool, utilization_metric from marts.rpt_gpu_waste"
                         " where utilization_metric is not null"))
    assert rows["llama-finetune"] == "DCGM_FI_PROF_GR_ENGINE_ACTIVE"
    assert rows["batch-embeddings"] == "DCGM_FI_DEV_GPU_UTIL"


def test_hours_without_telemetry_are_reported_not_guessed(built: dict) -> None:
    rows = {r[0]: r[1:] for r in q(
        built,
        "select gpu_pool, gpu_hours, untracked_gpu_hours, avg_utilization_pct, waste_driver,"
        " recoverable_usd from marts.rpt_gpu_waste",
    )}
    neuron = rows["neuron-inference"]  # inf2: AWS Neuron, no NVIDIA telemetry exists
    assert neuron[0] == neuron[1] == 528 and neuron[2:] == (None, None, 0)
    azure = rows["azure-research"]  # a FOCUS-billed A100 VM nobody scrapes
    assert azure[1] == 22 * 24 and azure[2] is None
    # An untagged instance falls back to its instance type as its pool; the invoice's own tag.
    assert "g5.2xlarge" not in rows and "train-g5" in rows and "cw-train" in rows


def test_managed_model_charges_reconcile_under_gateway_provider_names(built: dict) -> None:
    rows = {
        (str(m), p): v
        for m, p, v in q(
            built,
            "select billing_month, provider, invoice_cost_usd from marts.rpt_reconciliation",
        )
    }
    cloud = built["truth"]
    assert rows[("2026-07-01", "bedrock")].quantize(CENT) == Decimal(
        cloud["aws_cur"]["bedrock_cost_usd"]
    ).quantize(CENT)
    eur = Decimal(cloud["azure_focus"]["azure_openai_cost_eur"])
    assert rows[("2026-07-01", "azure")].quantize(CENT) == (eur * Decimal("1.0870")).quantize(
        CENT
    )
    # October 2025: legacy CUR Bedrock lines (1K-token units) and AWS FOCUS Bedrock lines.
    assert rows[("2025-10-01", "bedrock")] == Decimal("0.675") + Decimal("42.5")
    assert rows[("2025-10-01", "google")] == Decimal("1.70")
    # November 2025: Athena Marketplace lines, batch and global suffixes, per-1M units.
    assert rows[("2025-11-01", "bedrock")] == Decimal("8.75")


def test_bedrock_tokens_are_counted_in_tokens_whatever_the_unit(built: dict) -> None:
    (tokens,) = q(
        built,
        "select sum(token_count) from intermediate.int_cloud_model_costs_classified"
        " where provider = 'bedrock' and billing_month = date '2026-07-01'",
    )[0]
    assert tokens == built["truth"]["aws_cur"]["bedrock_tokens"]


def test_self_hosted_endpoint_cost_per_million_tokens_beside_the_api_price(built: dict) -> None:
    truth = built["truth"]["self_hosted_endpoint"]
    rows = q(
        built,
        "select endpoint, cast(billing_month as varchar), request_count, total_tokens,"
        " gpu_cost_usd, cost_per_1m_tokens_usd, api_cost_usd, comparable_model,"
        " self_hosted_to_api_cost_ratio from marts.rpt_inference_unit_cost",
    )
    assert len(rows) == 1
    endpoint, month, requests, tokens, gpu_cost, per_1m, api_cost, model, ratio = rows[0]
    assert (endpoint, month, model) == (truth["endpoint"], "2026-07-01", "claude-haiku-4-5")
    assert (requests, tokens) == (truth["request_count"], truth["total_tokens"])
    assert gpu_cost.quantize(CENT) == Decimal(truth["gpu_cost_usd"]).quantize(CENT)
    assert per_1m.quantize(CENT) == Decimal(truth["cost_per_1m_tokens_usd"]).quantize(CENT)
    assert api_cost.quantize(CENT) == Decimal(truth["api_cost_usd"]).quantize(CENT)
    assert ratio > 1  # idle-inclusive GPU cost at this volume: the API would be cheaper


def test_a_bill_in_a_currency_without_a_rate_fails_a_test_naming_it(built: dict) -> None:
    bill = built["root"] / "focus_chf.csv"
    text = (FIXTURES / "cloud" / "focus_gcp_1.3.csv").read_text(encoding="utf-8")
    bill.write_text(text.replace(",USD,", ",CHF,"), encoding="utf-8")
    con = connect(built["warehouse"])
    (result,) = land_paths(con, [bill])
    con.close()
    assert result.status == "landed"
    with dbt_paths_in(built["root"] / "chf"):
        code = run_dbt(built["warehouse"], ["-s", "int_cloud_costs_converted+"])
    assert code == 1
    rows = q(
        built,
        "select source_file, currency, sum(effective_cost_usd), count(*)"
        " from intermediate.int_cloud_costs_converted where usd_per_unit is null group by 1, 2",
    )
    assert rows == [(str(bill), "CHF", None, 3)]
