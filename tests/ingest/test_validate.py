"""Great Expectations suites over the staged batch: what fails, what passes, what is skipped."""

import json
from datetime import datetime
from typing import ClassVar

import duckdb
import pytest

from ingest import validate
from ingest.formats import FORMATS
from ingest.formats.base import Field, Format
from ingest.validate import BETWEEN, IN_SET, NOT_NULL, UNIQUE, suite_checks, validate_incoming


class TinyFormat(Format):
    name = "tiny"
    table = "tiny_calls"
    description = "a count, a timestamp and a required id"
    fields: ClassVar[tuple[Field, ...]] = (
        Field("call_id", "call_id", "varchar", required=True, not_null=True),
        Field("output_tokens", "output_tokens", "count"),
        Field("called_at", "called_at", "timestamp"),
        Field("payload", "payload", "json"),
    )


CLEAN = [
    (1, "a", 10, "2025-03-01 12:00:00"),
    (2, "b", 0, "2025-03-02 08:30:00"),
    (3, "c", None, None),
    (4, "d", 7, "2025-03-03 00:00:00"),
]


def stage(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    """``incoming`` as landing stages it: the raw columns plus ``_row_number``."""
    con.execute(
        "create or replace temp table incoming (_row_number bigint, call_id varchar,"
        " output_tokens bigint, called_at timestamp, payload json, _extra json)"
    )
    if rows:
        con.executemany("insert into incoming values (?, ?, ?, ?, '{\"big\": true}', null)", rows)


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def test_a_negative_count_and_a_1999_timestamp_fail_exactly_their_expectations(con) -> None:
    stage(con, [*CLEAN, (5, "e", -4, "2025-03-04 00:00:00"), (6, "f", 3, "1999-12-31 23:00:00")])

    failed = validate_incoming(con, TinyFormat())

    assert sorted((f["expectation"], f["column"]) for f in failed) == [
        (BETWEEN, "called_at"),
        (BETWEEN, "output_tokens"),
    ]
    by_column = {f["column"]: f for f in failed}
    assert by_column["output_tokens"]["unexpected_count"] == 1
    assert by_column["output_tokens"]["sample"] == ["-4"]
    assert by_column["called_at"]["unexpected_count"] == 1
    assert by_column["called_at"]["sample"] == ["1999-12-31 23:00:00"]
    assert all(f["suite"] == "tiny_calls" for f in failed)
    # Percent of the non-null values: 1 of 5 counts.
    assert by_column["output_tokens"]["unexpected_percent"] == pytest.approx(20.0)
    # Stored with the load as JSON, so it must be plain data.
    assert json.loads(json.dumps(failed)) == failed


def test_a_clean_batch_fails_nothing(con) -> None:
    stage(con, CLEAN)
    assert validate_incoming(con, TinyFormat()) == []


def test_a_timestamp_far_in_the_future_is_implausible(con) -> None:
    stage(con, [*CLEAN, (5, "e", 1, "2999-01-01 00:00:00")])
    failed = validate_incoming(con, TinyFormat())
    assert [(f["column"], f["sample"]) for f in failed] == [("called_at", ["2999-01-01 00:00:00"])]


def test_a_missing_not_null_value_is_reported(con) -> None:
    stage(con, [*CLEAN, (5, None, 1, "2025-03-05 00:00:00")])
    failed = validate_incoming(con, TinyFormat())
    assert [(f["expectation"], f["column"], f["unexpected_count"]) for f in failed] == [
        (NOT_NULL, "call_id", 1)
    ]


def test_checks_on_columns_the_batch_lacks_are_skipped(con, monkeypatch) -> None:
    monkeypatch.setitem(
        validate.EXTRAS,
        "tiny_calls",
        ((IN_SET, "currency", {"value_set": ["usd"]}), (UNIQUE, "call_id", {})),
    )
    stage(con, [*CLEAN, (5, "a", 1, "2025-03-05 00:00:00")])

    failed = validate_incoming(con, TinyFormat())

    # The absent ``currency`` check neither errors nor appears; the present extra still runs.
    assert [(f["expectation"], f["column"], f["unexpected_count"]) for f in failed] == [
        (UNIQUE, "call_id", 2)
    ]
    assert "error" not in failed[0]


def test_only_checked_columns_reach_great_expectations(con, monkeypatch) -> None:
    seen = []
    run = validate._run
    monkeypatch.setattr(
        validate,
        "_run",
        lambda name, checks, frame: seen.append(list(frame)) or run(name, checks, frame),
    )
    stage(con, CLEAN)
    validate_incoming(con, TinyFormat())
    # JSON columns (large, unchecked) and _row_number stay in DuckDB.
    assert seen == [["call_id", "called_at", "output_tokens"]]


def test_an_empty_batch_fails_nothing(con) -> None:
    stage(con, [])
    assert validate_incoming(con, TinyFormat()) == []


def test_every_table_extra_names_a_real_column_or_a_table_still_being_written() -> None:
    columns = {f.table: set(f.raw_columns()) for f in FORMATS}
    for table, checks in validate.EXTRAS.items():
        if table in columns:
            assert {c for _, c, _ in checks} <= columns[table], table


def test_real_suites_cover_the_issue_requirements() -> None:
    suites = {f.table: suite_checks(f) for f in FORMATS}

    def has(table: str, expectation: str, column: str) -> bool:
        return any(e == expectation and c == column for e, c, _ in suites.get(table, []))

    for table in ("openai_usage_completions", "anthropic_usage_report"):
        if table in suites:
            tokens = [
                c
                for f in FORMATS
                if f.table == table
                for c in f.raw_columns()
                if c.endswith("_tokens")
            ]
            assert tokens and all(has(table, BETWEEN, c) for c in tokens), table
    assert has("litellm_spend_logs", UNIQUE, "request_id")
    assert has("litellm_spend_logs", NOT_NULL, "request_id")
    assert has("litellm_spend_logs", BETWEEN, "spend")
    assert has("litellm_standard_logging", UNIQUE, "id")
    assert has("otel_genai_spans", NOT_NULL, "span_id")
    for table, currency, code in (
        ("openai_costs", "amount_currency", "usd"),
        ("anthropic_cost_report", "currency", "USD"),
    ):
        if table in suites:
            sets = [k["value_set"] for e, c, k in suites[table] if e == IN_SET and c == currency]
            assert sets == [[code]], table


def test_a_real_format_validates_a_staged_batch(con) -> None:
    fmt = next(f for f in FORMATS if f.table == "litellm_spend_logs")
    columns = ", ".join(f'"{c}" {t}' for c, t in fmt.raw_columns().items())
    con.execute(f"create temp table incoming (_row_number bigint, {columns})")
    con.execute(
        """insert into incoming (_row_number, request_id, spend, prompt_tokens,
                                 completion_tokens, "startTime", status)
           values (1, 'r1', 0.25, 10, 5, ?, 'success'),
                  (2, 'r1', -0.5, 10, 5, ?, 'success')""",
        [datetime(2025, 5, 1), datetime(2025, 5, 1)],
    )
    failed = {(f["expectation"], f["column"]) for f in validate_incoming(con, fmt)}
    assert failed == {(UNIQUE, "request_id"), (BETWEEN, "spend")}


def test_validation_prints_no_progress_bars_or_logs(con, capfd) -> None:
    stage(con, [*CLEAN, (5, "e", -1, "2025-03-04 00:00:00")])
    capfd.readouterr()
    assert validate_incoming(con, TinyFormat())
    assert capfd.readouterr() == ("", "")
