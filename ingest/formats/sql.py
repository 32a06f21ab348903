"""SQL expression builders shared by the formats: casting raw text and naming what failed.

Every source value arrives as text (CSV cells, JSON scalars). Casting happens in SQL so a file
of millions of rows never passes through a Python loop, and each failure becomes a
``{column_name, reason}`` struct that ends up in ``raw._rejects``.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# The plausible window for timestamps: one setting, the dbt var of this name, which the
# staging models read too; this default applies when dbt_project.yml is not beside ingest/.
WINDOW_VAR = "ailedger_timestamp_window"
DEFAULT_WINDOW = ("2000-01-01", "2100-01-01")
_EPOCH = datetime(1970, 1, 1)


@cache
def timestamp_window() -> tuple[str, str]:
    """``[from, to)`` as ISO dates, from ``vars.ailedger_timestamp_window`` in dbt_project.yml."""
    project = Path(__file__).resolve().parents[2] / "dbt_project.yml"
    if not project.is_file():
        return DEFAULT_WINDOW
    import yaml

    window = (yaml.safe_load(project.read_text()).get("vars") or {}).get(WINDOW_VAR)
    if not window:
        return DEFAULT_WINDOW
    lo, hi = (date.fromisoformat(str(d)).isoformat() for d in window)
    return lo, hi


def _window_seconds() -> tuple[float, float]:
    lo, hi = timestamp_window()
    return tuple((datetime.fromisoformat(d) - _EPOCH).total_seconds() for d in (lo, hi))


def _in_window(ts: str) -> str:
    lo, hi = timestamp_window()
    return f"({ts} >= timestamp {literal(lo)} and {ts} < timestamp {literal(hi)})"


def _seconds_in_window(secs: str) -> str:
    lo, hi = _window_seconds()
    return f"({secs} >= {lo:.0f} and {secs} < {hi:.0f})"


def _decimal(x: str) -> str:
    return f"try_cast({x} as decimal(38,12))"


def _double(x: str) -> str:
    return f"try_cast({x} as double)"


def _bigint(x: str) -> str:
    # Through DECIMAL so "12.0" and "1e3" read as whole numbers; out of range is NULL.
    return f"try_cast({_decimal(x)} as bigint)"


def _epoch_seconds(num: str) -> str:
    # Numbers are epoch seconds, or milli/micro/nanoseconds when too large to be seconds
    # (OTLP writes nanoseconds as strings).
    return (
        f"case when {num} > 1e17 then {num} / 1e9 when {num} > 1e14 then {num} / 1e6 "
        f"when {num} > 1e11 then {num} / 1e3 else {num} end"
    )


def _timestamp(x: str) -> str:
    # Text is ISO 8601 or Postgres timestamp text, and text without an offset is UTC (the
    # session time zone). Outside the plausible window is NULL, never a cast error.
    num = _double(x)
    secs = _epoch_seconds(num)
    text = f"timezone('UTC', try_cast({x} as timestamptz))"
    return (
        f"case when {num} is not null then (case when {_seconds_in_window(secs)} "
        f"then timezone('UTC', to_timestamp({secs})) end) "
        f"when {_in_window(text)} then {text} end"
    )


def _parses_as_time(x: str) -> str:
    return (
        f"(isfinite({_double(x)}) or try_cast({x} as timestamptz) is not null "
        f"or try_cast({x} as date) is not null)"
    )


def _date(x: str) -> str:
    d = f"try_cast({x} as date)"
    return f"case when {_in_window(d)} then {d} end"


def _boolean(x: str) -> str:
    return (
        f"case when lower(trim({x})) in ('true', 't', '1', 'yes') then true "
        f"when lower(trim({x})) in ('false', 'f', '0', 'no') then false end"
    )


CASTS = {
    "varchar": lambda x: x,
    "count": _bigint,
    "integer": _bigint,
    "decimal": _decimal,
    "double": lambda x: f"case when isfinite({_double(x)}) then {_double(x)} end",
    # Unix seconds kept as numbers (staging turns them into timestamps), window-checked.
    "epoch_seconds": lambda x: (
        f"case when {_seconds_in_window(_double(x))} then {_double(x)} end"
    ),
    "epoch_integer": lambda x: (
        f"case when {_seconds_in_window(_bigint(x))} then {_bigint(x)} end"
    ),
    "timestamp": _timestamp,
    "date": _date,
    "boolean": _boolean,
    "json": lambda x: f"case when json_valid({x}) then cast({x} as json) end",
}

WHAT = {
    "count": "a whole number",
    "integer": "a whole number",
    "decimal": "a decimal number",
    "double": "a finite number",
    "epoch_seconds": "Unix seconds",
    "epoch_integer": "whole Unix seconds",
    "timestamp": "a timestamp",
    "date": "a date",
    "boolean": "a boolean",
    "json": "valid JSON",
}

# Why a value that reads as a number or a time still has no typed value.
_TIME_KINDS = ("timestamp", "date", "epoch_seconds", "epoch_integer")
_RANGE = {
    "count": "is out of range for a 64-bit whole number",
    "integer": "is out of range for a 64-bit whole number",
    "decimal": "is out of range for DECIMAL(38,12)",
}


def _range_check(x: str, kind: str) -> tuple[str, str] | None:
    if kind in _RANGE:
        return f"isfinite({_double(x)}) and abs({_double(x)}) >= 1", _RANGE[kind]
    if kind in _TIME_KINDS:
        lo, hi = timestamp_window()
        return (
            _parses_as_time(x),
            f"is outside the plausible time window [{lo}, {hi}) ({WINDOW_VAR})",
        )
    return None


def _blank(x: str) -> str:
    return f"({x} is null or trim(cast({x} as varchar)) = '')"


def cast_value(x: str, kind: str) -> str:
    """The typed value of raw text ``x``; blank text is NULL for every non-text kind."""
    if kind == "varchar":
        return x
    return f"case when {_blank(x)} then null else {CASTS[kind](x)} end"


def error_check(x: str, kind: str, column: str, not_null: bool) -> str:
    """A struct naming the column and the reason when ``x`` is not a valid ``kind``."""
    shown = f"left(cast({x} as varchar), 60)"
    checks = []
    if not_null:
        checks.append((_blank(x), literal(f"column {column!r}: required value is missing")))
    ranged = _range_check(x, kind)
    if ranged is not None:
        # Only reached when the value has no typed value (the cast below is NULL).
        cond, why = ranged
        checks.append(
            (
                f"not {_blank(x)} and ({CASTS[kind](x)}) is null and {cond}",
                f"{literal(f'column {column!r}: ')} || {shown} || {literal(' ' + why)}",
            )
        )
    if kind != "varchar":
        checks.append(
            (
                f"not {_blank(x)} and ({CASTS[kind](x)}) is null",
                f"{literal(f'column {column!r}: ')} || {shown} "
                f"|| {literal(' is not ' + WHAT[kind])}",
            )
        )
    if kind in ("count", "integer", "epoch_integer"):
        checks.append(
            (
                f"not {_blank(x)} and {_decimal(x)} <> trunc({_decimal(x)})",
                f"{literal(f'column {column!r}: ')} || {shown} || ' is not a whole number'",
            )
        )
    if kind == "count":
        checks.append(
            (
                f"not {_blank(x)} and {_decimal(x)} < 0",
                f"{literal(f'column {column!r}: ')} || {shown} || ' is negative'",
            )
        )
    if not checks:
        return "cast(null as struct(column_name varchar, reason varchar))"
    whens = " ".join(
        f"when {cond} then {{'column_name': {literal(column)}, 'reason': {reason}}}"
        for cond, reason in checks
    )
    return f"case {whens} end"


def json_text(record: str, path: str, kind: str) -> str:
    """Raw text at a JSON path (``a|b`` tries each); JSON kinds keep the JSON.

    A JSON value stored as a string of JSON (double-encoded, common in exports from
    Postgres JSONB columns) is unwrapped.
    """
    options = []
    for p in path.split("|"):
        if kind == "json":
            v = f"json_extract({record}, {literal(p)})"
            options.append(
                f"case when json_type({v}) = 'VARCHAR' and json_valid({v} ->> '$') "
                f"then {v} ->> '$' else cast({v} as varchar) end"
            )
        else:
            options.append(f"json_extract_string({record}, {literal(p)})")
    return options[0] if len(options) == 1 else f"coalesce({', '.join(options)})"


def top_key(path: str) -> str:
    """The top-level key a JSON path starts from: ``$.a.b`` -> ``a``."""
    return path.split("|")[0].removeprefix("$.").split(".")[0].split("[")[0].strip('"')


def system_prompt_sha256(messages_json: str) -> str:
    """sha256 of the first system message's content in an OpenAI-style messages array."""
    system = (
        f"list_filter(cast(json_extract({messages_json}, '$[*]') as json[]), "
        f"lambda m: m ->> 'role' = 'system')[1] ->> 'content'"
    )
    return f"sha256(nullif({system}, ''))"


def json_object_of(columns: list[str], alias: str) -> str:
    """A JSON object of the named (text) columns of ``alias``, for _extra and raw rows."""
    pairs = ", ".join(f"{literal(c)}, {alias}.{ident(c)}" for c in columns)
    return f"json_object({pairs})"
