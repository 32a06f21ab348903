"""Files written by real client software (tests/fixtures/real_clients, see its README) land,
and every call appears once, with its owner tags, disjoint token counts and the right price."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.landing import land_file
from ingest.warehouse import connect
from tests.support.dbt import dbt_build, query

REAL = Path(__file__).resolve().parent / "fixtures" / "real_clients"
ANTHROPIC_ID = "chatcmpl-23bba323-a94a-4f31-9318-87131e13068f"
OPENAI_ID = "chatcmpl-MockOpenAI0001"
OPENINFERENCE_SPAN = "10fe09c2b891cb8b"  # 0x-hex in the console file, base64 in the OTLP one
SPAN_ONLY_ID = "chatcmpl-SpanOnly0001"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("real_clients")
    wh = tmp / "warehouse.duckdb"
    # A call the gateway never logged, seen only by the openai-v2 instrumentation.
    span_only = json.loads((REAL / "openai_v2_console.json").read_text())
    span_only["attributes"]["gen_ai.response.id"] = SPAN_ONLY_ID
    span_only["context"]["span_id"] = "0x1111111111111111"
    (tmp / "span_only.json").write_text(json.dumps(span_only, indent=4))
    con = connect(wh)
    for path in [*sorted(REAL.glob("*.json*")), tmp / "span_only.json"]:
        result = land_file(con, path)
        assert result.status == "landed", result.message
        assert result.rows_rejected == 0
    con.close()
    dbt_build(wh, tmp, "+rpt_reconciliation")
    return wh


def test_every_real_file_is_recognised(warehouse: Path) -> None:
    formats = query(warehouse, "select format, count(*) from raw._loads group by all order by 1")
    assert formats == [
        ("litellm_spend_logs_jsonl", 1),  # spend_logs_payload.json, one pretty object
        ("litellm_standard_logging", 2),  # the JSON lines and one pretty payload file
        ("otel_genai_spans_console", 3),
        ("otel_genai_spans_otlp", 2),  # MessageToJson: base64 ids
    ]


def test_each_call_counts_once(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select request_id, source_format from marts.fct_llm_requests order by request_id",
    )
    assert rows == [
        (OPENINFERENCE_SPAN, "otel_genai_spans"),
        (ANTHROPIC_ID, "litellm_spend_logs"),
        (OPENAI_ID, "litellm_standard_logging"),
        (SPAN_ONLY_ID, "otel_genai_spans"),
    ]


def test_span_ids_compare_equal_whatever_the_encoding(warehouse: Path) -> None:
    ids = query(
        warehouse,
        "select distinct trace_id, span_id from staging.stg_otel__genai_spans"
        " where model_name = 'gpt-4o-2024-08-06' and request_id = span_id",
    )
    assert ids == [("31f5de6b62da9c253313a47be184a064", OPENINFERENCE_SPAN)]


def test_one_hour_cache_writes_through_litellm_are_priced_as_such(warehouse: Path) -> None:
    row = query(
        warehouse,
        "select uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens,"
        " cache_write_1h_tokens, output_tokens, cost_usd, gateway_cost_usd"
        " from marts.fct_llm_requests where request_id = ?",
        [ANTHROPIC_ID],
    )
    # 1200 x $3 + 20000 x $0.30 + 10000 x $3.75 + 40000 x $6 + 800 x $15 per 1M tokens:
    # $0.2991, what LiteLLM logged. Read as 5-minute writes, the 1-hour ones would give $0.2241.
    assert row == [(1200, 20000, 10000, 40000, 800, Decimal("0.2991"), Decimal("0.2991"))]
    for table in ("stg_litellm__standard_logging", "stg_litellm__spend_logs"):
        writes = query(
            warehouse,
            f"select distinct cache_write_5m_tokens, cache_write_1h_tokens from staging.{table}"
            " where request_id = ?",
            [ANTHROPIC_ID],
        )
        assert writes == [(10000, 40000)]


def test_openinference_spans_are_understood(warehouse: Path) -> None:
    row = query(
        warehouse,
        "select provider, model, team, feature, customer, session_id, uncached_input_tokens,"
        " cache_read_tokens, output_tokens, reasoning_tokens, is_cache_unknown, cost_usd"
        " from marts.fct_llm_requests where request_id = ?",
        [OPENINFERENCE_SPAN],
    )
    # 464 x $2.50 + 1536 x $1.25 + 300 x $10 per 1M tokens.
    assert row == [("openai", "gpt-4o", "billing", "invoice-qa", "cust_9", "sess-1",
                    464, 1536, 300, 0, False, Decimal("0.00608"))]


def test_spans_without_cache_counts_are_flagged_and_kept_out_of_mispricing(
    warehouse: Path,
) -> None:
    flagged = query(
        warehouse,
        "select request_id, cost_usd from marts.fct_llm_requests where is_cache_unknown",
    )
    assert flagged == [(SPAN_ONLY_ID, Decimal("0.008"))]  # 2000 x $2.50 + 300 x $10
    recon = query(
        warehouse,
        "select provider, gateway_cost_usd, gateway_logged_cost_usd, gateway_mispricing_usd,"
        " cache_unknown_usd from marts.rpt_reconciliation order by provider",
    )
    # OpenAI: LiteLLM logged $0.00608 for the call it saw and ailedger agrees; the two
    # span-only calls ($0.00608 + $0.008) have no logged cost and are no mispricing.
    assert recon == [
        ("anthropic", Decimal("0.2991"), Decimal("0.2991"), Decimal("0"), Decimal("0")),
        ("openai", Decimal("0.02016"), Decimal("0.00608"), Decimal("0"), Decimal("0.008")),
    ]
