"""OpenAI Usage / Costs API pages and dashboard CSV exports: sniffing, landing, staging."""

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
OPENAI = FIXTURES / "openai"

USAGE_API = OPENAI / "usage_completions_pages.json"
COSTS_API = OPENAI / "costs_pages.jsonl"
USAGE_CSV = OPENAI / "completions_usage_2025-10-27_2025-10-27.csv"
COSTS_CSV = OPENAI / "cost_2025-10-05_2025-10-08.csv"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "w.duckdb")


def one(con: duckdb.DuckDBPyConnection, query: str) -> tuple:
    return con.execute(query).fetchall()[0]


def claims(path: Path, text: str | None = None) -> list[str]:
    head = Head(path=path, text=text if text is not None else path.read_text("utf-8")[:HEAD_BYTES])
    return [f.name for f in FORMATS if f.sniff(head)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (USAGE_API, "openai_usage_completions_api"),
        (COSTS_API, "openai_costs_api"),
        (USAGE_CSV, "openai_usage_completions_csv"),
        (COSTS_CSV, "openai_costs_csv"),
        (OPENAI / "bad_usage_truncated.json", "openai_usage_completions_api"),
        (OPENAI / "bad_usage_missing_input_tokens.csv", "openai_usage_completions_csv"),
    ],
)
def test_exactly_one_format_claims_each_fixture(path: Path, expected: str) -> None:
    assert claims(path) == [expected]


def test_openai_formats_claim_no_gateway_or_anthropic_files() -> None:
    ours = {f for f in (f.name for f in FORMATS) if f.startswith("openai_")}
    others = [
        p
        for d in ("litellm", "otel", "anthropic")
        for p in sorted((FIXTURES / d).glob("*"))
        if p.is_file()
    ]
    assert others, "expected fixtures of other formats to test against"
    for path in others:
        assert not ours & set(claims(path)), path


def test_an_export_with_only_empty_buckets_is_not_claimed_as_usage_or_cost() -> None:
    # Both dashboard exports start with these four columns; nothing else tells them apart.
    text = "start_time,end_time,start_time_iso,end_time_iso\n1,2,x,y\n"
    assert not [n for n in claims(Path("x.csv"), text) if n.startswith("openai_")]


def test_a_page_of_only_empty_buckets_lands_no_rows(tmp_path: Path, con) -> None:
    page = {
        "object": "page",
        "data": [
            {"object": "bucket", "start_time": 1761523200, "end_time": 1761609600, "results": []}
        ],
        "has_more": False,
        "next_page": None,
    }
    path = tmp_path / "quiet_day.json"
    path.write_text(json.dumps(page))
    assert claims(path) == ["openai_usage_completions_api"]
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 0, 0)


def test_a_head_of_empty_minute_buckets_still_sniffs_as_usage(tmp_path: Path) -> None:
    # 1-minute buckets: a quiet night fills the first 256 KB before any result.
    empty = [
        {"object": "bucket", "start_time": t, "end_time": t + 60, "results": []}
        for t in range(1761523200, 1761523200 + 60 * 5000, 60)
    ]
    page = json.loads(USAGE_API.read_text())[0]
    page["data"] = empty + page["data"]
    path = tmp_path / "minutes.json"
    path.write_text(json.dumps(page))
    text = path.read_text()[:HEAD_BYTES]
    assert "organization.usage" not in text
    assert claims(path, text) == ["openai_usage_completions_api"]


def test_usage_api_pages_land_grouped_results_and_skip_empty_buckets(con) -> None:
    result = land_file(con, USAGE_API)
    assert (result.status, result.format, result.table) == (
        "landed",
        "openai_usage_completions_api",
        "openai_usage_completions",
    )
    # Two pages, three buckets (one empty), four results.
    assert (result.rows_landed, result.rows_rejected) == (4, 0)
    sums = one(
        con,
        "select sum(input_tokens), sum(output_tokens), sum(input_cached_tokens),"
        " sum(num_model_requests), count(distinct start_time), min(start_time), max(end_time)"
        " from raw.openai_usage_completions",
    )
    assert sums == (226464, 100846, 13952, 60, 2, 1761523200, 1761782400)


def test_usage_api_keeps_nulls_booleans_newer_fields_and_unknown_keys(con) -> None:
    land_file(con, USAGE_API)
    rows = con.execute(
        "select _row_number, model, project_id, api_key_id, user_id, batch, service_tier,"
        " input_uncached_tokens, input_cache_write_tokens, result_object,"
        " json_extract_string(_extra, '$.new_metric_tokens')"
        " from raw.openai_usage_completions order by _row_number"
    ).fetchall()
    assert [r[5] for r in rows] == [False, True, None, False]
    ungrouped = rows[2]
    assert ungrouped[1:5] == ("gpt-5-2025-08-07", None, None, None)
    assert ungrouped[7:9] == (38072, 0)
    assert {r[9] for r in rows} == {"organization.usage.completions.result"}
    assert [r[10] for r in rows] == [None, None, None, "7"]
    assert rows[3][4] == "user-dAU7Ud7OljwJvKfi"


def test_usage_csv_reads_float_counts_and_lands_empty_buckets_with_null_counts(con) -> None:
    result = land_file(con, USAGE_CSV)
    assert (result.status, result.format, result.rows_landed, result.rows_rejected) == (
        "landed",
        "openai_usage_completions_csv",
        5,
        0,
    )
    sums = one(
        con,
        "select sum(input_tokens), sum(output_tokens), sum(input_cached_tokens),"
        " sum(num_model_requests), count(*) filter (where num_model_requests is null),"
        " count(*) filter (where batch)"
        " from raw.openai_usage_completions",
    )
    assert sums == (25854, 4574, 1280, 29, 2, 1)
    first = one(
        con,
        "select start_time, start_time_iso, end_time_iso, input_tokens, model, _extra"
        " from raw.openai_usage_completions where _row_number = 1",
    )
    assert first[0] == 1761523200
    assert str(first[1]) == "2025-10-27 00:00:00"
    assert str(first[2]) == "2025-10-27 00:01:00"
    assert first[3:] == (None, None, None)


def test_costs_api_reads_amounts_given_as_numbers_and_strings_exactly(con) -> None:
    result = land_file(con, COSTS_API)
    assert (result.status, result.table, result.rows_landed, result.rows_rejected) == (
        "landed",
        "openai_costs",
        5,
        0,
    )
    amounts = dict(
        con.execute(
            "select coalesce(line_item, '(none)'), amount_value from raw.openai_costs"
        ).fetchall()
    )
    assert amounts == {
        "gpt-4o-2024-08-06, input": Decimal("0.06"),
        "gpt-4o-2024-08-06, output": Decimal("0.10646"),  # given as a string
        "gpt-4o-2024-08-06, cached input": Decimal("0.0072"),
        "gpt-4o-mini-2024-07-18, Batch input": Decimal("0.0375"),  # given as a string
        "(none)": Decimal("1.2345678901"),
    }
    assert one(con, "select sum(amount_value) from raw.openai_costs") == (Decimal("1.4457278901"),)
    assert one(con, "select string_agg(distinct amount_currency, ',') from raw.openai_costs") == (
        "usd",
    )


def test_costs_csv_lands_quoted_line_items_and_empty_buckets(con) -> None:
    result = land_file(con, COSTS_CSV)
    assert (result.status, result.format, result.rows_landed, result.rows_rejected) == (
        "landed",
        "openai_costs_csv",
        5,
        0,
    )
    sums = one(
        con,
        "select sum(amount_value), count(*) filter (where amount_value is null),"
        " count(distinct organization_id), max(user_email) from raw.openai_costs",
    )
    assert sums == (Decimal("1.81104525"), 1, 1, "ana@example.com")
    assert one(con, "select line_item from raw.openai_costs where _row_number = 2") == (
        "gpt-5-mini-2025-08-07, cached input",
    )


def test_api_and_csv_shapes_share_one_raw_table(con) -> None:
    land_file(con, USAGE_API)
    land_file(con, USAGE_CSV)
    counts = con.execute(
        "select count(*) filter (where start_time_iso is null),"
        " count(*) filter (where result_object is null), count(*)"
        " from raw.openai_usage_completions"
    ).fetchall()[0]
    assert counts == (4, 5, 9)


def test_relanding_the_same_file_changes_nothing(con) -> None:
    first = land_file(con, COSTS_API)
    again = land_file(con, COSTS_API)
    assert first.status == "landed"
    assert again.status == "already_landed"
    assert one(con, "select count(*) from raw.openai_costs") == (5,)
    assert one(con, "select count(*) from raw._loads where status = 'landed'") == (1,)


def test_truncated_page_is_refused_naming_the_file(con) -> None:
    path = OPENAI / "bad_usage_truncated.json"
    result = land_file(con, path)
    assert result.status == "refused"
    assert str(path) in result.message
    assert "truncated" in result.message
    assert one(
        con,
        "select count(*) from information_schema.tables"
        " where table_name = 'openai_usage_completions'",
    ) == (0,)


def test_csv_missing_a_required_column_is_refused_naming_file_and_column(con) -> None:
    path = OPENAI / "bad_usage_missing_input_tokens.csv"
    result = land_file(con, path)
    assert result.status == "refused"
    assert result.format == "openai_usage_completions_csv"
    assert str(path) in result.message
    assert "'input_tokens'" in result.message
    assert one(con, "select count(*) from raw._rejects") == (0,)


def test_costs_api_without_amounts_is_refused_naming_the_column(tmp_path: Path, con) -> None:
    page = json.loads(COSTS_API.read_text().splitlines()[0])
    for r in page["data"][0]["results"]:
        del r["amount"]
    path = tmp_path / "costs_no_amount.json"
    path.write_text(json.dumps(page))
    result = land_file(con, path)
    assert result.status == "refused"
    assert str(path) in result.message
    assert "amount" in result.message


def test_a_huge_single_line_page_is_sniffed_from_its_cut_head(tmp_path: Path, con) -> None:
    page = json.loads(COSTS_API.read_text().splitlines()[0])
    template = page["data"][0]["results"][0]
    page["data"][0]["results"] = [dict(template, quantity=i) for i in range(3000)]
    path = tmp_path / "costs_big.json"
    path.write_text(json.dumps(page))
    text = path.read_text()[:HEAD_BYTES]
    assert len(path.read_text()) > HEAD_BYTES
    assert claims(path, text) == ["openai_costs_api"]
    result = land_file(con, path)
    assert (result.status, result.rows_landed) == ("landed", 3000)
    assert one(con, "select sum(amount_value) from raw.openai_costs") == (Decimal("180.00"),)


def test_negative_or_fractional_counts_are_rejected_per_record(tmp_path: Path, con) -> None:
    header, *rows = USAGE_CSV.read_text().splitlines()
    body = [r for r in rows if ",,,,,,," not in r]
    many = body * 60  # 180 good records
    bad = body[0].replace(",3.0,", ",-3.0,", 1)
    path = tmp_path / "usage_with_one_bad.csv"
    path.write_text("\n".join([header, *many, bad]) + "\n")
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 180, 1)
    reject = one(con, "select row_number, column_name, reason from raw._rejects")
    assert reject[:2] == (181, "num_model_requests")
    assert "negative" in reject[2]


def test_staging_makes_disjoint_tokens_and_drops_empty_buckets(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    con = connect(warehouse)
    for path in (USAGE_API, USAGE_CSV, COSTS_API, COSTS_CSV):
        assert land_file(con, path).status == "landed"
    con.close()
    dbt_build(warehouse, tmp_path, "staging.openai")
    con = duckdb.connect(str(warehouse), read_only=True)
    usage = one(
        con,
        "select count(*), sum(uncached_input_tokens), sum(cache_read_tokens),"
        " sum(cache_write_tokens), sum(output_tokens), sum(request_count),"
        " count(*) filter (where is_batch), min(bucket_start_at)"
        " from staging.stg_openai__usage_completions",
    )
    # API: 226464 input incl. 13952 cached; CSV: 25854 input incl. 1280 cached.
    # Empty CSV buckets are gone (7 of 9 raw rows kept).
    assert usage[:7] == (
        7,
        226464 - 13952 + 25854 - 1280,
        13952 + 1280,
        0,
        100846 + 4574,
        60 + 29,
        2,
    )
    assert str(usage[7]) == "2025-10-27 00:00:00"
    costs = con.execute(
        "select model_name, charge_type, is_batch, billed_cost_usd, cost_date"
        " from staging.stg_openai__costs order by cost_row_id"
    ).fetchall()
    assert len(costs) == 9  # 5 API + 4 CSV (the empty CSV bucket is dropped)
    assert sum(c[3] for c in costs) == Decimal("1.4457278901") + Decimal("1.81104525")
    by_line = {(c[0], c[1]): c[2] for c in costs}
    assert by_line[("gpt-4o-mini-2024-07-18", "batch input")] is True
    assert by_line[("gpt-4o-2024-08-06", "batch output")] is True
    assert by_line[("gpt-5-mini-2025-08-07", "cached input")] is False
    assert by_line[(None, None)] is False
    con.close()
