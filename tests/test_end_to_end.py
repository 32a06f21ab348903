"""Demo → land → dbt build → build again (incremental): the marts find the planted truths.

Tolerances are the issue's acceptance bar: coverage within half a percentage point, each
provider-month's gap within 0.5% of its invoice. Invoices and gateway totals must match the
generator's exact decimals to the cent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.cli import run_dbt
from ingest.demo import generate
from ingest.landing import land_paths
from ingest.validate import validate_incoming
from ingest.warehouse import connect
from tests.support.dbt import dbt_paths_in
from tests.support.dbt import query as _query
from tests.support.exports import late_export

CENT = Decimal("0.01")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    exports = root / "exports"
    # Cloud bills and GPUs have their own integration test (tests/test_cloud_gpu.py).
    truth = generate(exports, requests=20_000, seed=11, cloud_bills=False)
    (exports / "truth.json").replace(root / "truth.json")
    warehouse = root / "ailedger.duckdb"
    with dbt_paths_in(root):
        con = connect(warehouse)
        results = land_paths(con, [exports], validator=validate_incoming)
        con.close()
        first = run_dbt(warehouse)
        snapshot = _query(warehouse, "select count(*), sum(cost_usd) from marts.fct_llm_requests")
        second = run_dbt(warehouse)
        yield {
            "root": root,
            "exports": exports,
            "warehouse": warehouse,
            "truth": truth,
            "results": results,
            "builds": (first, second),
            "after_first_build": snapshot[0],
        }


def _months(truth: dict) -> dict[str, dict]:
    return {m["billing_month"]: m for m in truth["months"]}


def test_every_export_landed_without_rejects(built: dict) -> None:
    results = built["results"]
    assert len(results) == 7
    assert {r.status for r in results} == {"landed"}
    assert sum(r.rows_rejected for r in results) == 0
    assert not [r.expectations_failed for r in results if r.expectations_failed]


def test_both_builds_succeed(built: dict) -> None:
    assert built["builds"] == (0, 0)


def test_coverage_matches_planted_truth(built: dict) -> None:
    rows = _query(
        built["warehouse"],
        "select cast(billing_month as varchar), coverage_pct, total_spend_usd, verdict"
        " from marts.rpt_attribution_coverage",
    )
    months = _months(built["truth"])
    assert len(rows) == len(months) == 2
    for month, coverage, total, verdict in rows:
        expected = months[month]
        assert abs(coverage - float(expected["coverage_pct"])) < 0.005
        assert total.quantize(CENT) == Decimal(expected["total_invoice_usd"]).quantize(CENT)
        assert verdict == "healthy"  # 0.70 <= planted coverage < 0.90


def test_reconciliation_finds_each_bypass_gap(built: dict) -> None:
    rows = _query(
        built["warehouse"],
        "select cast(billing_month as varchar), provider, invoice_cost_usd, gateway_cost_usd,"
        " gateway_logged_cost_usd, gap_usd, status from marts.rpt_reconciliation",
    )
    months = _months(built["truth"])
    assert len(rows) == 4
    for month, provider, invoice, gateway, logged, gap, status in rows:
        expected = months[month]
        truth_invoice = Decimal(expected["invoice_usd"][provider])
        assert invoice.quantize(CENT) == truth_invoice.quantize(CENT)
        assert gateway.quantize(CENT) == Decimal(
            expected["gateway_repriced_usd"][provider]
        ).quantize(CENT)
        assert logged.quantize(CENT) == Decimal(expected["gateway_logged_usd"][provider]).quantize(
            CENT
        )
        causes = _causes(built["truth"])[(month, provider)]
        planted_gap = Decimal(causes["bypass_usd"]) + Decimal(causes["non_token_usd"])
        assert abs(gap - planted_gap) <= Decimal("0.005") * truth_invoice
        assert status == "gap"  # the planted bypass is well above the 1% tolerance


def _causes(truth: dict) -> dict[tuple[str, str], dict]:
    return {(c["billing_month"], c["provider"]): c for c in truth["gap_by_cause"]}


def test_gap_is_split_into_its_planted_causes(built: dict) -> None:
    """Bypass and web search calls to the cent; nothing planted elsewhere; the causes sum to
    the gap and the unexplained remainder stays below 0.5% of the invoice."""
    rows = _query(
        built["warehouse"],
        "select cast(billing_month as varchar), provider, invoice_cost_usd, gap_usd,"
        " bypass_usd, overlogged_usd, timing_usd, non_token_usd, price_difference_usd,"
        " unexplained_usd from marts.rpt_reconciliation",
    )
    causes = _causes(built["truth"])
    assert len(rows) == len(causes) == 4
    for month, provider, invoice, gap, bypass, over, timing, non_token, price, rest in rows:
        planted = causes[(month, provider)]
        assert Decimal(planted["non_token_usd"]) > 0
        assert bypass.quantize(CENT) == Decimal(planted["bypass_usd"]).quantize(CENT)
        assert non_token.quantize(CENT) == Decimal(planted["non_token_usd"]).quantize(CENT)
        assert (over.quantize(CENT), timing.quantize(CENT), price.quantize(CENT)) == (0, 0, 0)
        assert (bypass + over + timing + non_token + price + rest).quantize(CENT) == gap.quantize(
            CENT
        )
        assert abs(rest) < Decimal("0.005") * invoice


def test_bypass_is_found_in_its_account(built: dict) -> None:
    rows = _query(
        built["warehouse"],
        "select cast(billing_month as varchar), provider, account_id, sum(bypass_usd),"
        " sum(non_token_usd) from marts.rpt_reconciliation_detail group by all",
    )
    causes = _causes(built["truth"])
    for month, provider, account, bypass, non_token in rows:
        planted = causes[(month, provider)]
        if account == planted["bypass_account_id"]:
            assert bypass.quantize(CENT) == Decimal(planted["bypass_usd"]).quantize(CENT)
            assert non_token == 0
        else:
            assert bypass.quantize(CENT) == 0
    found = {(m, p) for m, p, account, bypass, _ in rows if bypass > 0}
    assert found == set(causes)


def test_gateway_mispricing_of_cached_tokens_is_measured(built: dict) -> None:
    (mispriced,) = _query(
        built["warehouse"], "select sum(gateway_mispricing_usd) from marts.rpt_reconciliation"
    )[0]
    planted = Decimal(str(built["truth"]["mispricing_overstatement_usd"]))
    assert mispriced > 0
    assert mispriced.quantize(CENT) == planted.quantize(CENT)


def test_price_change_applies_from_its_effective_date(built: dict) -> None:
    rows = _query(
        built["warehouse"],
        "select requested_date >= date '2026-07-24', min(price_effective_from),"
        " max(price_effective_from), count(*)"
        " from marts.fct_llm_requests where model = 'claude-sonnet-4-5' group by 1 order by 1",
    )
    (before, b_min, b_max, b_n), (after, a_min, a_max, a_n) = rows
    assert (before, after) == (False, True)
    assert str(b_min) == str(b_max) == "2024-01-01" and b_n > 0
    assert str(a_min) == str(a_max) == "2026-07-24" and a_n > 0


def test_every_gateway_request_reaches_the_fact(built: dict) -> None:
    warehouse = built["warehouse"]
    raw = _query(warehouse, "select count(distinct request_id) from raw.litellm_spend_logs")
    fact = _query(warehouse, "select count(*), count(*) filter (where not is_priced)"
                             " from marts.fct_llm_requests")
    assert raw[0][0] == fact[0][0] == built["truth"]["requests"]
    assert fact[0][1] == 0


def test_second_build_changes_nothing(built: dict) -> None:
    now = _query(built["warehouse"], "select count(*), sum(cost_usd) from marts.fct_llm_requests")
    assert now[0] == built["after_first_build"]


def test_relanding_the_same_exports_changes_nothing(built: dict) -> None:
    warehouse = built["warehouse"]
    before = _query(warehouse, "select count(*) from raw.litellm_spend_logs")
    con = connect(warehouse)
    results = land_paths(con, [built["exports"]])
    con.close()
    assert {r.status for r in results} == {"already_landed"}
    assert _query(warehouse, "select count(*) from raw.litellm_spend_logs") == before


def test_late_and_corrected_requests_flow_in_incrementally(built: dict, tmp_path: Path) -> None:
    """A later export re-sends one request with corrected counts and adds two new ones."""
    warehouse = built["warehouse"]
    late = tmp_path / "spend_logs_late.csv"
    corrected_id = late_export(built["exports"], late, "late")
    (count_before,) = _query(warehouse, "select count(*) from marts.fct_llm_requests")[0]
    (tokens_before,) = _query(
        warehouse, "select output_tokens from marts.fct_llm_requests where request_id = ?",
        [corrected_id],
    )[0]

    con = connect(warehouse)
    assert land_paths(con, [late])[0].status == "landed"
    con.close()
    assert run_dbt(warehouse) == 0

    (count_after,) = _query(warehouse, "select count(*) from marts.fct_llm_requests")[0]
    (tokens_after,) = _query(
        warehouse, "select output_tokens from marts.fct_llm_requests where request_id = ?",
        [corrected_id],
    )[0]
    assert count_after == count_before + 2
    assert tokens_after == tokens_before + 1000


def test_truth_file_is_valid_json(built: dict) -> None:
    assert json.loads((built["root"] / "truth.json").read_text())["requests"] == 20_000
