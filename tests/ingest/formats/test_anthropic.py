"""Anthropic Admin API usage / cost reports and Console usage CSV: sniffing, landing, staging."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.formats import FORMATS, Head
from ingest.landing import HEAD_BYTES, land_file
from ingest.warehouse import connect
from tests.support.dbt import dbt_build

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures"
ANTHROPIC = FIXTURES / "anthropic"

USAGE_API = ANTHROPIC / "usage_report_pages.jsonl"
COST_API = ANTHROPIC / "cost_report.json"
CONSOLE_NEW = ANTHROPIC / "claude_api_usage_2025-10-27.csv"
CONSOLE_OLD = ANTHROPIC / "claude_api_usage_2025-06-12_old.csv"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "w.duckdb")


def one(con: duckdb.DuckDBPyConnection, query: str) -> tuple:
    return con.execute(query).fetchall()[0]


def claims(path: Path, text: str | None = None) -> list[str]:
    head = Head(path=path, text=text if text is not None else path.read_text("utf-8")[:HEAD_BYTES])
    return [f.name for f in FORMATS if f.sniff(head)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("usage_report_pages.jsonl", "anthropic_usage_report_api"),
        ("cost_report.json", "anthropic_cost_report_api"),
        ("claude_api_usage_2025-10-27.csv", "anthropic_console_usage_csv"),
        ("claude_api_usage_2025-06-12_old.csv", "anthropic_console_usage_csv"),
        ("bad_usage_negative_one_of_many.json", "anthropic_usage_report_api"),
        ("bad_usage_missing_uncached.json", "anthropic_usage_report_api"),
        ("bad_cost_amount_one_of_many.json", "anthropic_cost_report_api"),
        ("bad_cost_amount_most.json", "anthropic_cost_report_api"),
        ("bad_cost_missing_amount.json", "anthropic_cost_report_api"),
        ("bad_console_missing_output.csv", "anthropic_console_usage_csv"),
    ],
)
def test_exactly_one_format_claims_each_fixture(name: str, expected: str) -> None:
    assert claims(ANTHROPIC / name) == [expected]


def test_anthropic_formats_claim_no_gateway_or_openai_files() -> None:
    ours = {f.name for f in FORMATS if f.name.startswith("anthropic_")}
    others = [
        p
        for d in ("litellm", "otel", "openai")
        for p in sorted((FIXTURES / d).glob("*"))
        if p.is_file()
    ]
    assert others, "expected fixtures of other formats to test against"
    for path in others:
        assert not ours & set(claims(path)), path


def test_cost_report_naming_usage_keys_as_values_is_not_usage() -> None:
    # token_type values spell usage keys ("uncached_input_tokens"); only keys count.
    assert '"uncached_input_tokens"' in COST_API.read_text()
    assert "anthropic_usage_report_api" not in claims(COST_API)


def test_a_page_of_only_empty_buckets_lands_no_rows(tmp_path: Path, con) -> None:
    page = {
        "data": [
            {
                "starting_at": "2025-10-28T00:00:00Z",
                "ending_at": "2025-10-29T00:00:00Z",
                "results": [],
            }
        ],
        "has_more": False,
        "next_page": None,
    }
    path = tmp_path / "quiet_day.json"
    path.write_text(json.dumps(page))
    assert claims(path) == ["anthropic_usage_report_api"]
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 0, 0)


def test_usage_report_lands_both_pages_with_nested_cache_counts(con) -> None:
    result = land_file(con, USAGE_API)
    assert (result.status, result.format, result.table) == (
        "landed",
        "anthropic_usage_report_api",
        "anthropic_usage_report",
    )
    assert (result.rows_landed, result.rows_rejected) == (3, 0)
    sums = one(
        con,
        "select sum(uncached_input_tokens), sum(cache_creation_ephemeral_5m_input_tokens),"
        " sum(cache_creation_ephemeral_1h_input_tokens), sum(cache_read_input_tokens),"
        " sum(output_tokens), sum(server_tool_use_web_search_requests)"
        " from raw.anthropic_usage_report",
    )
    assert sums == (251800, 2000, 500, 12000, 4900, 3)
    rows = con.execute(
        "select starting_at, ending_at, service_tier, context_window, workspace_id,"
        " json_extract_string(_extra, '$.inference_geo')"
        " from raw.anthropic_usage_report order by _row_number"
    ).fetchall()
    assert [str(r[0]) for r in rows] == [
        "2025-10-27 00:00:00",
        "2025-10-27 00:00:00",
        "2025-10-29 00:00:00",
    ]
    assert str(rows[2][1]) == "2025-10-30 00:00:00"
    assert [r[2] for r in rows] == ["standard", "batch", "priority"]
    assert rows[2][3] == "200k-1M"
    assert rows[1][4] is None
    assert [r[5] for r in rows] == [None, None, "us"]


def test_cost_report_keeps_cents_exactly_as_given(con) -> None:
    result = land_file(con, COST_API)
    assert (result.status, result.format, result.rows_landed, result.rows_rejected) == (
        "landed",
        "anthropic_cost_report_api",
        6,
        0,
    )
    amounts = [
        r[0]
        for r in con.execute(
            "select amount from raw.anthropic_cost_report order by _row_number"
        ).fetchall()
    ]
    assert amounts == [
        Decimal("123.45"),
        Decimal("0.36"),
        Decimal("1200.5"),
        Decimal("75.125"),
        Decimal("3.00"),
        Decimal("9876.54321"),
    ]
    assert one(con, "select sum(amount) from raw.anthropic_cost_report") == (
        Decimal("11278.97821"),
    )
    web = one(
        con,
        "select cost_type, token_type, model, currency from raw.anthropic_cost_report"
        " where _row_number = 5",
    )
    assert web == ("web_search", None, None, "USD")


def test_console_csv_new_header_keeps_utf8_context_window(con) -> None:
    result = land_file(con, CONSOLE_NEW)
    assert (result.status, result.table, result.rows_landed, result.rows_rejected) == (
        "landed",
        "anthropic_console_usage",
        3,
        0,
    )
    sums = one(
        con,
        "select sum(usage_input_tokens_no_cache), sum(usage_input_tokens_cache_write_5m),"
        " sum(usage_input_tokens_cache_write_1h), sum(usage_input_tokens_cache_read),"
        " sum(usage_output_tokens), sum(web_search_count), min(usage_date_utc)"
        " from raw.anthropic_console_usage",
    )
    assert sums[:6] == (251800, 2000, 500, 12000, 4900, 3)
    assert str(sums[6]) == "2025-10-27"
    assert one(
        con,
        "select context_window, inference_geo, speed from raw.anthropic_console_usage"
        " where _row_number = 1",
    ) == ("≤ 200k", "not_available", None)


def test_console_csv_old_header_lands_without_the_newer_columns(con) -> None:
    result = land_file(con, CONSOLE_OLD)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 2, 0)
    row = one(
        con,
        "select sum(usage_input_tokens_no_cache), sum(usage_input_tokens_cache_read),"
        " count(context_window), count(inference_geo), count(speed), count(_extra)"
        " from raw.anthropic_console_usage",
    )
    assert row == (1242, 91011, 0, 0, 0, 0)


def test_one_negative_count_among_many_is_rejected_and_the_rest_land(con) -> None:
    path = ANTHROPIC / "bad_usage_negative_one_of_many.json"
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 119, 1)
    assert one(
        con, "select sum(uncached_input_tokens), sum(output_tokens) from raw.anthropic_usage_report"
    ) == (19033, 2380)
    reject = one(con, "select source_file, row_number, column_name, reason from raw._rejects")
    assert reject[:3] == (str(path), 8, "output_tokens")
    assert "-20 is negative" in reject[3]


def test_one_bad_amount_among_many_is_rejected_and_the_rest_land(con) -> None:
    result = land_file(con, ANTHROPIC / "bad_cost_amount_one_of_many.json")
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 149, 1)
    assert one(con, "select sum(amount) from raw.anthropic_cost_report") == (Decimal("11320.25"),)
    reject = one(con, "select row_number, column_name, reason from raw._rejects")
    assert reject[:2] == (42, "amount")
    assert "n/a is not a decimal number" in reject[2]


def test_mostly_bad_amounts_refuse_the_whole_file(con) -> None:
    path = ANTHROPIC / "bad_cost_amount_most.json"
    result = land_file(con, path)
    assert result.status == "refused"
    assert str(path) in result.message
    assert "4 of 6 records rejected" in result.message
    assert "column 'amount'" in result.message
    assert one(con, "select count(*) from raw._rejects") == (0,)
    assert one(
        con,
        "select count(*) from information_schema.tables where table_name = 'anthropic_cost_report'",
    ) == (0,)


@pytest.mark.parametrize(
    ("name", "column"),
    [
        ("bad_usage_missing_uncached.json", "uncached_input_tokens"),
        ("bad_cost_missing_amount.json", "amount"),
        ("bad_console_missing_output.csv", "usage_output_tokens"),
    ],
)
def test_missing_required_field_refuses_naming_file_and_column(con, name: str, column: str) -> None:
    path = ANTHROPIC / name
    result = land_file(con, path)
    assert result.status == "refused"
    assert str(path) in result.message
    assert column in result.message
    assert "required" in result.message


def test_relanding_the_same_file_changes_nothing(con) -> None:
    assert land_file(con, USAGE_API).status == "landed"
    again = land_file(con, USAGE_API)
    assert again.status == "already_landed"
    assert one(con, "select count(*) from raw.anthropic_usage_report") == (3,)
    assert one(
        con, "select count(*), sum(rows_landed) from raw._loads where status = 'landed'"
    ) == (1, 3)


def test_a_huge_single_line_page_is_sniffed_from_its_cut_head(tmp_path: Path, con) -> None:
    page = json.loads(USAGE_API.read_text().splitlines()[0])
    template = page["data"][0]["results"][0]
    page["data"][0]["results"] = [dict(template, output_tokens=i) for i in range(2500)]
    path = tmp_path / "usage_big.json"
    path.write_text(json.dumps(page))
    text = path.read_text()[:HEAD_BYTES]
    assert len(path.read_text()) > HEAD_BYTES
    with pytest.raises(ValueError):
        json.loads(text)
    assert claims(path, text) == ["anthropic_usage_report_api"]
    result = land_file(con, path)
    assert (result.status, result.rows_landed) == ("landed", 2500)
    assert one(con, "select sum(output_tokens) from raw.anthropic_usage_report") == (
        sum(range(2500)),
    )


def test_staging_converts_cents_to_dollars_and_keeps_tokens_disjoint(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    con = connect(warehouse)
    for path in (USAGE_API, COST_API, CONSOLE_NEW, CONSOLE_OLD):
        assert land_file(con, path).status == "landed"
    con.close()
    dbt_build(warehouse, tmp_path, "staging.anthropic")
    con = duckdb.connect(str(warehouse), read_only=True)
    costs = con.execute(
        "select billed_cost_usd, is_batch from staging.stg_anthropic__cost_report"
        " order by source_row_number"
    ).fetchall()
    assert costs[0] == (Decimal("1.2345"), False)  # "123.45" cents
    assert costs[5] == (Decimal("98.7654321"), True)  # "9876.54321" cents, batch tier
    assert sum(c[0] for c in costs) == Decimal("112.7897821")
    usage = one(
        con,
        "select sum(uncached_input_tokens), sum(cache_read_tokens), sum(cache_write_5m_tokens),"
        " sum(cache_write_1h_tokens), sum(cache_write_tokens), sum(output_tokens),"
        " sum(web_search_requests), count(*) filter (where is_batch)"
        " from staging.stg_anthropic__usage_report",
    )
    assert usage == (251800, 12000, 2000, 500, 2500, 4900, 3, 1)
    console = one(
        con,
        "select count(*), sum(uncached_input_tokens), sum(cache_read_tokens),"
        " sum(cache_write_tokens), count(context_window)"
        " from staging.stg_anthropic__console_usage",
    )
    assert console == (5, 251800 + 1242, 12000 + 91011, 2500 + 5678, 3)
    con.close()
