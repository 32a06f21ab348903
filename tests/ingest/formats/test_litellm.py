"""LiteLLM SpendLogs (CSV and JSONL exports) and StandardLoggingPayload, landed from fixtures
that carry the real exports' quirks."""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.formats import Head
from ingest.landing import detect, land_file
from ingest.warehouse import connect

FIXTURES = Path(__file__).parents[2] / "fixtures" / "litellm"
SPEND_CSV = FIXTURES / "spend_logs.csv"
SPEND_JSONL = FIXTURES / "spend_logs.jsonl"
STANDARD = FIXTURES / "standard_logging.jsonl"

LEAD_SYSTEM_PROMPT = "You are a helpful support assistant for Acme. Answer briefly."
SLP_SYSTEM_PROMPT = "SECRET-SYSTEM-PROMPT-SLP: you are the billing assistant for Acme."


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def land(con: duckdb.DuckDBPyConnection, path: Path, **kwargs) -> None:
    result = land_file(con, path, **kwargs)
    assert result.status == "landed", result.message
    assert result.rows_rejected == 0, result.message


def by_request(con: duckdb.DuckDBPyConnection, column: str, source: Path) -> dict:
    rows = con.execute(
        f'select request_id, "{column}" from raw.litellm_spend_logs where _source_file = ?',
        [str(source)],
    ).fetchall()
    return dict(rows)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- recognising the files -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (SPEND_CSV, "litellm_spend_logs_csv"),
        (SPEND_JSONL, "litellm_spend_logs_jsonl"),
        (STANDARD, "litellm_standard_logging"),
    ],
)
def test_detect_recognises_each_export(path: Path, name: str) -> None:
    head = Head(path=path, text=path.read_text(encoding="utf-8"))
    assert detect(head, str(path)).name == name


# --- SpendLogs CSV ---------------------------------------------------------------------------


def test_spend_logs_csv_lands_one_row_per_record(con: duckdb.DuckDBPyConnection) -> None:
    # CRLF line ends; the messages column holds quoted commas and doubled quotes.
    result = land_file(con, SPEND_CSV)
    assert (result.status, result.format, result.rows_landed) == (
        "landed", "litellm_spend_logs_csv", 5)
    ids = [r[0] for r in con.execute(
        "select request_id from raw.litellm_spend_logs order by _row_number").fetchall()]
    assert ids == ["req-001", "req-002", "req-003", "req-004", "req-005"]


def test_spend_logs_csv_with_newlines_inside_cells(con: duckdb.DuckDBPyConnection,
                                                   tmp_path: Path) -> None:
    # Postgres COPY ... CSV writes a multi-line text cell as is, inside quotes.
    rows = list(csv.DictReader(io.StringIO(SPEND_CSV.read_text(encoding="utf-8"))))
    for row in rows:
        row["response"] = "line one,\nline two\r\n\"quoted\"\n"
        row["metadata"] = row["metadata"].replace(", ", ",\n  ")
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "multiline.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 5, 0)
    assert by_request(con, "spend", path)["req-003"] == Decimal("0.0211")
    cached = con.execute(
        "select cast(metadata -> '$.usage_object.prompt_tokens_details.cached_tokens' as int)"
        " from raw.litellm_spend_logs where request_id = 'req-001'").fetchall()
    assert cached == [(400,)]


def test_spend_logs_keep_camel_case_columns(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    columns = {
        name: kind
        for name, kind in con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'raw' and table_name = 'litellm_spend_logs'"
        ).fetchall()
    }
    assert columns["startTime"] == "TIMESTAMP"
    assert columns["endTime"] == "TIMESTAMP"
    assert columns["completionStartTime"] == "TIMESTAMP"
    assert columns["spend"].startswith("DECIMAL")
    assert columns["cache_hit"] == "VARCHAR"
    assert columns["metadata"] == "JSON"
    assert "starttime" not in columns


def test_spend_logs_csv_values_are_typed(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    spend = by_request(con, "spend", SPEND_CSV)
    assert spend["req-002"] == Decimal("0.00006")  # written as 6e-05
    assert sum(spend.values()) == Decimal("0.03766")
    assert by_request(con, "prompt_tokens", SPEND_CSV) == {
        "req-001": 1000, "req-002": 200, "req-003": 3000, "req-004": 300, "req-005": 0}
    assert by_request(con, "request_duration_ms", SPEND_CSV)["req-001"] == 876


def test_postgres_timestamp_text_is_read_as_utc(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    starts = by_request(con, "startTime", SPEND_CSV)
    assert starts["req-001"] == datetime(2026, 7, 10, 9, 0, 1, 123000)
    assert by_request(con, "endTime", SPEND_CSV)["req-001"] == datetime(
        2026, 7, 10, 9, 0, 1, 999000)


def test_cache_hit_stays_the_string_litellm_wrote(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    cache_hit = by_request(con, "cache_hit", SPEND_CSV)
    assert cache_hit["req-001"] == "False"
    assert cache_hit["req-003"] == "True"
    assert cache_hit["req-004"] in (None, "")


def test_usage_object_cache_and_reasoning_counts_survive(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    rows = dict(
        con.execute(
            """
            select request_id, [
                cast(metadata -> '$.usage_object.prompt_tokens_details.cached_tokens' as int),
                cast(metadata -> '$.usage_object.cache_read_input_tokens' as int),
                cast(metadata -> '$.usage_object.cache_creation_input_tokens' as int),
                cast(metadata -> '$.usage_object.completion_tokens_details.reasoning_tokens'
                     as int)]
            from raw.litellm_spend_logs
            """
        ).fetchall()
    )
    assert rows["req-001"] == [400, None, None, 0]
    assert rows["req-003"] == [2000, 2000, 500, None]
    assert rows["req-004"] == [None, 1200, 0, None]


def test_metadata_owner_fields_survive(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    rows = con.execute(
        "select metadata ->> 'user_api_key_team_alias',"
        " metadata ->> '$.spend_logs_metadata.cost_center'"
        " from raw.litellm_spend_logs where request_id = 'req-003'"
    ).fetchall()
    assert rows == [("support", "CC-1001")]


def test_request_tags_are_a_json_array(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    tags = dict(
        con.execute(
            "select request_id, cast(request_tags as varchar[]) from raw.litellm_spend_logs"
        ).fetchall()
    )
    assert tags["req-001"] == ["feature:semantic-search"]
    assert tags["req-004"] == ["env:prod"]
    assert tags["req-005"] == []


def test_system_prompt_is_kept_only_as_its_sha256(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_CSV)
    hashes = by_request(con, "system_prompt_sha256", SPEND_CSV)
    assert hashes["req-001"] == sha256(LEAD_SYSTEM_PROMPT)
    assert len({hashes[f"req-00{i}"] for i in range(1, 5)}) == 1
    assert hashes["req-005"] is None  # messages is "{}": no system prompt
    columns = {r[0] for r in con.execute(
        "select column_name from information_schema.columns"
        " where table_name = 'litellm_spend_logs'").fetchall()}
    assert not columns & {"messages", "response", "proxy_server_request"}


def test_unknown_columns_go_to_extra_not_away(con: duckdb.DuckDBPyConnection,
                                              tmp_path: Path) -> None:
    text = SPEND_CSV.read_text(encoding="utf-8").split("\n")
    text[0] += ",litellm_version"
    text[1:6] = [line + ",1.74.3" for line in text[1:6]]
    path = tmp_path / "spend_logs_newer.csv"
    path.write_text("\n".join(text), encoding="utf-8")
    land(con, path)
    extras = {r[0] for r in con.execute(
        "select _extra ->> 'litellm_version' from raw.litellm_spend_logs").fetchall()}
    assert extras == {"1.74.3"}


# --- SpendLogs JSONL -------------------------------------------------------------------------


def test_spend_logs_jsonl_matches_the_csv_export(con: duckdb.DuckDBPyConnection) -> None:
    # Same five requests, two exports. Blank text is NULL in the CSV and "" in JSON (staging
    # treats both as missing), so text is compared through nullif.
    land(con, SPEND_CSV)
    land(con, SPEND_JSONL)
    query = """
        select request_id, spend, prompt_tokens, completion_tokens, total_tokens,
               "startTime", "endTime", "completionStartTime", model, nullif(team_id, ''),
               cast(metadata as varchar), cast(request_tags as varchar), system_prompt_sha256
        from raw.litellm_spend_logs where _source_file = ? order by request_id
    """
    from_csv = con.execute(query, [str(SPEND_CSV)]).fetchall()
    from_jsonl = con.execute(query, [str(SPEND_JSONL)]).fetchall()
    assert len(from_csv) == 5
    assert [json.loads(r[10]) for r in from_jsonl] == [json.loads(r[10]) for r in from_csv]
    strip = [r[:10] + r[11:] for r in from_csv]
    assert [r[:10] + r[11:] for r in from_jsonl] == strip


def test_spend_logs_jsonl_numbers_written_as_strings(con: duckdb.DuckDBPyConnection) -> None:
    land(con, SPEND_JSONL)
    # request_duration_ms is the string "876" in the export; ISO start times carry +00:00.
    assert set(by_request(con, "request_duration_ms", SPEND_JSONL).values()) == {876}
    assert by_request(con, "startTime", SPEND_JSONL)["req-001"] == datetime(
        2026, 7, 10, 9, 0, 1, 123000)
    assert by_request(con, "cache_hit", SPEND_JSONL)["req-003"] == "True"


def test_timestamps_with_an_offset_are_converted_to_utc(con: duckdb.DuckDBPyConnection,
                                                        tmp_path: Path) -> None:
    record = json.loads(SPEND_JSONL.read_text(encoding="utf-8").splitlines()[0])
    record["startTime"] = "2026-07-10T11:00:01.123+02:00"
    path = tmp_path / "offset.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    land(con, path)
    assert by_request(con, "startTime", path) == {"req-001": datetime(2026, 7, 10, 9, 0, 1, 123000)}


# --- StandardLoggingPayload ------------------------------------------------------------------


def slp(con: duckdb.DuckDBPyConnection, expr: str) -> dict:
    return dict(con.execute(
        f"select id, {expr} from raw.litellm_standard_logging order by id").fetchall())


def test_standard_logging_lands_into_its_own_table(con: duckdb.DuckDBPyConnection) -> None:
    result = land_file(con, STANDARD)
    assert (result.status, result.format, result.table, result.rows_landed) == (
        "landed", "litellm_standard_logging", "litellm_standard_logging", 4)
    assert slp(con, "status") == {
        "slp-001": "success", "slp-002": "success", "slp-003": "success", "slp-004": "failure"}


def test_standard_logging_float_epoch_times(con: duckdb.DuckDBPyConnection) -> None:
    land(con, STANDARD)
    start = datetime(2026, 7, 10, 9, 0, 1, 250000, tzinfo=UTC).timestamp()
    assert slp(con, '"startTime"')["slp-001"] == pytest.approx(start, abs=1e-6)
    assert slp(con, '"endTime" - "startTime"')["slp-002"] == pytest.approx(4.0)
    assert slp(con, '"completionStartTime" - "startTime"')["slp-001"] == pytest.approx(0.4)


def test_standard_logging_cache_hit_is_a_boolean(con: duckdb.DuckDBPyConnection) -> None:
    land(con, STANDARD)
    assert slp(con, "cache_hit") == {
        "slp-001": False, "slp-002": False, "slp-003": True, "slp-004": False}


def test_standard_logging_response_cost_and_tokens(con: duckdb.DuckDBPyConnection) -> None:
    land(con, STANDARD)
    cost = slp(con, "response_cost")
    assert cost["slp-002"] == Decimal("0.00451")
    assert sum(cost.values()) == Decimal("0.01051")
    assert slp(con, "prompt_tokens")["slp-003"] == 3000
    assert slp(con, "completion_tokens")["slp-002"] == 900


def test_standard_logging_usage_object_and_owner_metadata(
    con: duckdb.DuckDBPyConnection,
) -> None:
    land(con, STANDARD)
    reasoning = slp(
        con, "cast(metadata -> '$.usage_object.completion_tokens_details.reasoning_tokens' as int)")
    assert reasoning["slp-002"] == 640
    cache_read = slp(con, "cast(metadata -> '$.usage_object.cache_read_input_tokens' as int)")
    assert cache_read["slp-003"] == 2500
    cached = slp(
        con, "cast(metadata -> '$.usage_object.prompt_tokens_details.cached_tokens' as int)")
    assert cached["slp-001"] == 1024
    assert slp(con, "metadata ->> 'user_api_key_team_alias'")["slp-001"] == "billing"
    assert slp(con, "metadata ->> 'user_api_key_team_id'")["slp-004"] is None
    assert slp(con, "json_array_length(request_tags)") == {
        "slp-001": 1, "slp-002": 2, "slp-003": 0, "slp-004": 0}
    assert slp(con, "error_str")["slp-004"].startswith("litellm.RateLimitError")


def test_standard_logging_drops_the_conversation(con: duckdb.DuckDBPyConnection) -> None:
    land(con, STANDARD)
    assert set(slp(con, "system_prompt_sha256").values()) == {sha256(SLP_SYSTEM_PROMPT)}
    extras = slp(con, "cast(_extra as varchar)")
    assert all("SECRET-" not in e for e in extras.values())
    assert all(
        not {"messages", "response"} & set(json.loads(e)) for e in extras.values()
    )
    # Keys the format does not name are kept, not dropped.
    assert json.loads(extras["slp-001"])["response_time"] == 1.5
