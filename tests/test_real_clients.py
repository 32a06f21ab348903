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

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REAL = FIXTURES / "real_clients"
DIMENSIONS = [FIXTURES / "litellm" / f"LiteLLM_{t}.csv"
              for t in ("TeamTable", "VerificationToken", "EndUserTable")]
KEY_HASH = "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"
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
    # A SpendLogs row whose metadata names neither its key nor its team: only ids.
    (tmp / "ids_only.csv").write_text(
        "request_id,spend,prompt_tokens,completion_tokens,startTime,model,api_key,team_id,metadata\n"
        f"req-ids-only,0.001,100,10,2026-11-30 12:00:00,gpt-4o,{KEY_HASH},team-uuid-2,{{}}\n"
    )
    # Spans that land but are not understood as LLM calls: no model attribute ailedger reads.
    (tmp / "no_model.jsonl").write_text("".join(
        json.dumps({"trace_id": "t", "span_id": f"s{i}", "start_time": "2026-11-30T12:00:00Z",
                    "attributes": {"gen_ai.operation.name": "chat",
                                   "gen_ai.usage.input_tokens": 5}})
        + "\n" for i in range(2)
    ))
    con = connect(wh)
    for path in [*sorted(REAL.glob("*.json*")), tmp / "span_only.json", tmp / "ids_only.csv",
                 tmp / "no_model.jsonl", *DIMENSIONS]:
        result = land_file(con, path)
        assert result.status == "landed", result.message
        assert result.rows_rejected == 0
    con.close()
    dbt_build(wh, tmp, "+rpt_reconciliation", "assert_gateway_files_yield_requests")
    (tmp / "run_results.json").write_bytes((tmp / "target" / "run_results.json").read_bytes())
    return wh


def test_every_real_file_is_recognised(warehouse: Path) -> None:
    formats = query(warehouse, "select format, count(*) from raw._loads group by all order by 1")
    assert formats == [
        ("litellm_end_user_table_csv", 1),
        ("litellm_spend_logs_csv", 1),
        ("litellm_spend_logs_jsonl", 1),  # spend_logs_payload.json, one pretty object
        ("litellm_standard_logging", 2),  # the JSON lines and one pretty payload file
        ("litellm_team_table_csv", 1),
        ("litellm_verification_token_csv", 1),
        ("otel_genai_spans_console", 3),
        ("otel_genai_spans_jsonl", 1),
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
        ("req-ids-only", "litellm_spend_logs"),
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
    # $0.2991, what LiteLLM logged. Read as 5-minute writes, the 1-hour ones would give $0.2091.
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
    # OpenInference's metadata attribute (a string of JSON) is parsed at landing.
    meta = query(
        warehouse,
        "select distinct attributes -> '$.metadata' ->> '$.feature', attributes ->> '$.\"user.id\"'"
        " from raw.otel_genai_spans where attributes ->> '$.\"llm.model_name\"' is not null",
    )
    assert meta == [("invoice-qa", "cust_9")]
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
    # OpenAI: LiteLLM logged $0.00608 for the call it saw and ailedger agrees; it logged
    # $0.001 for req-ids-only, which re-prices at $0.00035 (the $0.00065 mispricing). The two
    # span-only calls ($0.00608 + $0.008) have no logged cost and are no mispricing.
    assert recon == [
        ("anthropic", Decimal("0.2991"), Decimal("0.2991"), Decimal("0"), Decimal("0")),
        ("openai", Decimal("0.02051"), Decimal("0.00708"), Decimal("0.00065"),
         Decimal("0.008")),
    ]


def test_team_names_and_key_aliases_resolve_from_the_proxy_tables(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select request_id, team, api_key_alias from marts.fct_llm_requests"
        " where request_id in (?, ?, ?) order by request_id",
        [ANTHROPIC_ID, OPENAI_ID, "req-ids-only"],
    )
    assert rows == [
        (ANTHROPIC_ID, "billing", "key-billing"),  # team-uuid-1 named by the team table
        (OPENAI_ID, "billing", None),
        ("req-ids-only", "search", "batch-reports"),  # alias from the key table, by hash
    ]


def test_a_gateway_file_that_yields_no_request_is_a_warning(warehouse: Path) -> None:
    results = json.loads((warehouse.parent / "run_results.json").read_text())["results"]
    check = [r for r in results if r["unique_id"].endswith("assert_gateway_files_yield_requests")]
    assert [(r["status"], r["failures"]) for r in check] == [("warn", 1)]
    compiled = (warehouse.parent / "target" / "compiled").rglob(
        "assert_gateway_files_yield_requests.sql"
    )
    findings = query(warehouse, next(compiled).read_text())
    assert [(Path(f).name, n, reason) for f, n, reason in findings] == [
        ("no_model.jsonl", 2, "no model")
    ]


def test_the_model_litellm_priced_is_kept_beside_the_logged_one(warehouse: Path) -> None:
    for table in ("stg_litellm__standard_logging", "stg_litellm__spend_logs"):
        rows = query(
            warehouse,
            f"select distinct base_model_name from staging.{table} where request_id = ?",
            [ANTHROPIC_ID],
        )
        assert rows == [("claude-sonnet-4-5-20250929",)]
    # The price-map entry itself (hundreds of keys per call) does not land in _extra.
    extra = query(
        warehouse,
        "select count(*) from raw.litellm_standard_logging"
        " where cast(_extra as varchar) like '%model_map%'",
    )
    assert extra == [(0,)]
