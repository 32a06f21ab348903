"""SQL expression builders shared by the formats: casting raw text and naming what failed.

Every source value arrives as text (CSV cells, JSON scalars). Casting happens in SQL so a file
of millions of rows never passes through a Python loop, and each failure becomes a
``{column_name, reason}`` struct that ends up in ``raw._rejects``.
"""

from __future__ import annotations


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _decimal(x: str) -> str:
    return f"try_cast({x} as decimal(38,12))"


def _timestamp(x: str) -> str:
    # Numbers are epoch seconds, or milli/micro/nanoseconds when too large to be seconds
    # (OTLP writes nanoseconds as strings); text is ISO 8601 or Postgres timestamp text, and
    # text without an offset is UTC (the session time zone).
    num = f"try_cast({x} as double)"
    seconds = (
        f"case when {num} > 1e17 then {num} / 1e9 when {num} > 1e14 then {num} / 1e6 "
        f"when {num} > 1e11 then {num} / 1e3 else {num} end"
    )
    return (
        f"case when {num} is not null then timezone('UTC', to_timestamp({seconds})) "
        f"else timezone('UTC', try_cast({x} as timestamptz)) end"
    )


def _boolean(x: str) -> str:
    return (
        f"case when lower(trim({x})) in ('true', 't', '1', 'yes') then true "
        f"when lower(trim({x})) in ('false', 'f', '0', 'no') then false end"
    )


CASTS = {
    "varchar": lambda x: x,
    "count": lambda x: f"cast({_decimal(x)} as bigint)",
    "integer": lambda x: f"cast({_decimal(x)} as bigint)",
    "decimal": _decimal,
    "double": lambda x: f"try_cast({x} as double)",
    "timestamp": _timestamp,
    "date": lambda x: f"try_cast({x} as date)",
    "boolean": _boolean,
    "json": lambda x: f"case when json_valid({x}) then cast({x} as json) end",
}

WHAT = {
    "count": "a whole number",
    "integer": "a whole number",
    "decimal": "a decimal number",
    "double": "a number",
    "timestamp": "a timestamp",
    "date": "a date",
    "boolean": "a boolean",
    "json": "valid JSON",
}


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
    if kind != "varchar":
        checks.append(
            (
                f"not {_blank(x)} and ({CASTS[kind](x)}) is null",
                f"{literal(f'column {column!r}: ')} || {shown} "
                f"|| {literal(' is not ' + WHAT[kind])}",
            )
        )
    if kind in ("count", "integer"):
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
