"""Great Expectations suites for landed batches: one per raw table; they report, never refuse.

A suite is data: checks derived from the format's declared fields (counts are non-negative,
timestamps plausible, ``not_null`` fields present) plus the per-table checks in ``EXTRAS``.
Checks on a column the batch does not have are skipped. Failed expectations come back as plain
dicts that landing stores with the load and the CLI prints.
"""

from __future__ import annotations

import functools
import logging
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from ingest.formats.base import Format
from ingest.formats.sql import ident

# (expectation, column, keyword arguments); ``{"$PARAMETER": name}`` values are filled per run.
Check = tuple[str, str, dict[str, Any]]

BETWEEN = "expect_column_values_to_be_between"
IN_SET = "expect_column_values_to_be_in_set"
NOT_NULL = "expect_column_values_to_not_be_null"
UNIQUE = "expect_column_values_to_be_unique"

# No LLM API bill predates 2015; more than a day ahead is a clock or unit error.
EARLIEST = datetime(2015, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

NON_NEGATIVE: dict[str, Any] = {"min_value": 0}
PLAUSIBLE_TIME: dict[str, Any] = {
    "min_value": {"$PARAMETER": "earliest"},
    "max_value": {"$PARAMETER": "latest"},
}
# Unix seconds, for formats that keep times as numbers (staging converts them).
PLAUSIBLE_EPOCH: dict[str, Any] = {
    "min_value": {"$PARAMETER": "earliest_epoch"},
    "max_value": {"$PARAMETER": "latest_epoch"},
}

# Checks every field of a kind gets; token and request counts are all ``count`` fields.
BY_KIND: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "count": ((BETWEEN, NON_NEGATIVE),),
    "timestamp": ((BETWEEN, PLAUSIBLE_TIME),),
    "date": ((BETWEEN, PLAUSIBLE_TIME),),
}

EXTRAS: dict[str, tuple[Check, ...]] = {
    "openai_usage_completions": (
        (BETWEEN, "start_time", PLAUSIBLE_EPOCH),
        (BETWEEN, "end_time", PLAUSIBLE_EPOCH),
    ),
    "openai_costs": (
        (IN_SET, "amount_currency", {"value_set": ["usd"]}),
        (BETWEEN, "start_time", PLAUSIBLE_EPOCH),
        (BETWEEN, "end_time", PLAUSIBLE_EPOCH),
    ),
    "anthropic_cost_report": ((IN_SET, "currency", {"value_set": ["USD"]}),),
    "litellm_spend_logs": (
        (NOT_NULL, "request_id", {}),
        (UNIQUE, "request_id", {}),
        (BETWEEN, "spend", NON_NEGATIVE),
        # Older proxies wrote no status; a few other values are tolerated, many are not.
        (IN_SET, "status", {"value_set": ["success", "failure", ""], "mostly": 0.95}),
    ),
    "litellm_standard_logging": (
        (UNIQUE, "id", {}),
        (BETWEEN, "response_cost", NON_NEGATIVE),
        (BETWEEN, "startTime", PLAUSIBLE_EPOCH),
        (BETWEEN, "endTime", PLAUSIBLE_EPOCH),
    ),
    "otel_genai_spans": ((NOT_NULL, "span_id", {}),),
}

SAMPLE_SIZE = 3
NUMERIC_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UBIGINT",
    "DOUBLE",
    "FLOAT",
    "REAL",
    "DECIMAL",
)


def suite_checks(fmt: Format) -> list[Check]:
    """The checks of ``fmt``'s suite: from its fields' kinds and ``not_null``, then extras."""
    checks: list[Check] = []
    for f in fmt.fields:
        checks += [(name, f.name, kwargs) for name, kwargs in BY_KIND.get(f.kind, ())]
        if f.not_null:
            checks.append((NOT_NULL, f.name, {}))
    for check in EXTRAS.get(fmt.table, ()):
        if check not in checks:
            checks.append(check)
    return checks


def validate_incoming(con: duckdb.DuckDBPyConnection, fmt: Format) -> list[dict]:
    """Validate the staged ``incoming`` table with ``fmt``'s suite; the failed expectations."""
    types = {
        name: str(kind).upper()
        for name, kind in con.execute(
            "select column_name, column_type from (describe incoming)"
        ).fetchall()
    }
    checks = [c for c in suite_checks(fmt) if c[1] in types]
    rows = con.execute("select count(*) from incoming").fetchall()[0][0]
    if not checks or not rows:
        return []
    frame = _frame(con, sorted({c[1] for c in checks}), types)
    return _run(fmt.table, checks, frame)


def _frame(con: duckdb.DuckDBPyConnection, columns: list[str], types: dict[str, str]) -> Any:
    """Only the checked columns, in dtypes GX compares vectorised (its fallback is per row)."""
    exprs = []
    for c in columns:
        if types[c].startswith(NUMERIC_TYPES):
            # Nullable BIGINT and DECIMAL arrive as Int64 / object, which GX maps row by row.
            exprs.append(f"cast({ident(c)} as double) as {ident(c)}")
        elif types[c] == "DATE":
            exprs.append(f"cast({ident(c)} as timestamp) as {ident(c)}")
        else:
            exprs.append(ident(c))
    frame = con.execute(f"select {', '.join(exprs)} from incoming").df()
    for c in columns:
        if types[c] in ("DATE", "TIMESTAMP"):
            # GX vectorises only nanosecond or zone-aware datetimes; raw timestamps are UTC.
            frame[c] = frame[c].dt.tz_localize("UTC")
    return frame


def _run(suite_name: str, checks: Iterable[Check], frame: Any) -> list[dict]:
    with warnings.catch_warnings():
        # GX probes for optional back ends; where pyspark is installed (the Spark lane's
        # extra) that probe warns about pandas 3, which ailedger's validation never uses.
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
        import great_expectations as gx

    batch_definition = _batch_definition()  # first: suites need an active context
    suite = gx.ExpectationSuite(name=suite_name)
    for name, column, kwargs in checks:
        suite.add_expectation(_expectation_class(gx, name)(column=column, **kwargs))
    now = datetime.now(UTC)
    parameters = {
        "earliest": EARLIEST,
        "latest": now + FUTURE_SLACK,
        "earliest_epoch": EARLIEST.timestamp(),
        "latest_epoch": (now + FUTURE_SLACK).timestamp(),
    }
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        result_format={"result_format": "BASIC", "partial_unexpected_count": SAMPLE_SIZE},
        expectation_parameters=parameters,
    )
    return [_failure(suite_name, r) for r in result.results if not r.success]


def _expectation_class(gx: Any, name: str) -> Any:
    return getattr(gx.expectations, "".join(p.title() for p in name.split("_")))


def _failure(suite_name: str, r: Any) -> dict:
    config, found = r.expectation_config, r.result or {}
    count, percent = found.get("unexpected_count"), found.get("unexpected_percent")
    failure = {
        "expectation": config.type,
        "column": config.kwargs.get("column"),
        # Plain numbers: the list is stored as JSON with the load.
        "unexpected_count": None if count is None else int(count),
        "unexpected_percent": None if percent is None else round(float(percent), 4),
        "sample": [_text(v) for v in found.get("partial_unexpected_list", [])[:SAMPLE_SIZE]],
        "suite": suite_name,
    }
    error = _error(r.exception_info or {})
    if error:
        failure["error"] = error
    return failure


def _error(info: dict) -> str | None:
    """The message of an expectation that could not run; GX nests it per metric in a suite."""
    for item in (info, *info.values()):
        if isinstance(item, dict) and item.get("raised_exception"):
            return item.get("exception_message")
    return None


def _text(value: Any) -> str:
    """A sample value as the user would write it: ``-5`` not ``-5.0``, timestamps without zone."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    return str(value)


@functools.cache
def _batch_definition() -> Any:
    """One ephemeral context per process: GX is slow to start, and the context is stateless here."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("ailedger").add_dataframe_asset("incoming")
    return asset.add_batch_definition_whole_dataframe("whole batch")


__all__ = ["EXTRAS", "BY_KIND", "suite_checks", "validate_incoming"]
