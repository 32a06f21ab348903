"""Anthropic's side: Admin API cost report (the bill, in cents), usage report, Console CSV.

All three cover gateway traffic that reached Anthropic plus a service in its own workspace that
calls Anthropic directly; the cost report also bills web search requests (cost_type
web_search). The Console CSV is usage only, so it never changes a money total.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb

from ingest.demo.api_pages import paginate, plain, write_json
from ingest.demo.organization import (
    ANTHROPIC_DISPLAY,
    ANTHROPIC_KEY_NAMES,
    ANTHROPIC_WORKSPACE_NAMES,
    ANTHROPIC_WORKSPACES,
)

BILLED = "provider = 'anthropic' and not is_failed and not is_proxy_cache_hit"
TOKEN_TYPES = (
    # (token_type, cost column, token column, description suffix)
    ("uncached_input_tokens", "uncached_input_usd", "uncached_input_tokens", "Input Tokens"),
    ("output_tokens", "output_usd", "output_tokens", "Output Tokens"),
    ("cache_read_input_tokens", "cache_read_usd", "cache_read_tokens",
     "Input Tokens, Cache Read"),
    ("cache_creation.ephemeral_5m_input_tokens", "cache_write_5m_usd", "cache_write_5m_tokens",
     "Input Tokens, 5m Cache Write"),
    ("cache_creation.ephemeral_1h_input_tokens", "cache_write_1h_usd", "cache_write_1h_tokens",
     "Input Tokens, 1h Cache Write"),
)  # fmt: skip
CONSOLE_COLUMNS = (
    "usage_date_utc", "model_version", "api_key", "workspace", "usage_type", "context_window",
    "usage_input_tokens_no_cache", "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h", "usage_input_tokens_cache_read", "usage_output_tokens",
    "web_search_count", "inference_geo", "speed",
)  # fmt: skip


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _buckets(con: duckdb.DuckDBPyConnection, by_day: dict[date, list[dict]]) -> list[dict]:
    days = [row[0] for row in con.execute("select day from demo_days order by day").fetchall()]
    return [
        {
            "starting_at": _rfc3339(day),
            "ending_at": _rfc3339(day + timedelta(days=1)),
            "results": by_day.get(day, []),
        }
        for day in days
    ]


def _workspaces_sql() -> str:
    return " ".join(f"when '{c}' then '{w}'" for c, w in ANTHROPIC_WORKSPACES.items())


def write_cost_report(con: duckdb.DuckDBPyConnection, path: Path, seed: int) -> None:
    """Cost report pages: daily amounts in cents (decimal strings) per workspace, model and
    token type."""
    unions = " union all ".join(
        f"select day, channel, model, billed_as, {n} as type_order, '{token_type}' as token_type,"
        f" {cost} as usd from demo_requests where {BILLED}"
        for n, (token_type, cost, _, _) in enumerate(TOKEN_TYPES)
    )
    rows = con.execute(f"""
        select day, case channel {_workspaces_sql()} end as workspace_id, model, billed_as,
            token_type, sum(usd) * 100 as cents
        from ({unions})
        group by day, channel, model, billed_as, type_order, token_type
        having sum(usd) > 0
        order by day, workspace_id, billed_as, type_order
    """).fetchall()
    suffix = {t[0]: t[3] for t in TOKEN_TYPES}
    by_day: dict[date, list[dict]] = {}
    for day, workspace_id, model, billed_as, token_type, cents in rows:
        by_day.setdefault(day, []).append(
            {
                "currency": "USD",
                "amount": plain(cents),
                "workspace_id": workspace_id,
                "description": f"{ANTHROPIC_DISPLAY[model]} Usage - {suffix[token_type]}",
                "cost_type": "tokens",
                "context_window": "0-200k",
                "model": billed_as,
                "service_tier": "standard",
                "token_type": token_type,
            }
        )
    # Web search requests: cost_type web_search, no token type.
    searches = con.execute(f"""
        select day, case channel {_workspaces_sql()} end as workspace_id, billed_as,
            sum(usd) * 100 as cents
        from demo_tool_calls where provider = 'anthropic'
        group by all
        order by all
    """).fetchall()
    for day, workspace_id, billed_as, cents in searches:
        by_day.setdefault(day, []).append(
            {
                "currency": "USD",
                "amount": plain(cents),
                "workspace_id": workspace_id,
                "description": "Web Search",
                "cost_type": "web_search",
                "context_window": None,
                "model": billed_as,
                "service_tier": "standard",
                "token_type": None,
            }
        )
    write_json(path, paginate(_buckets(con, by_day), f"cost-report-{seed}", openai=False))


def write_usage_report(con: duckdb.DuckDBPyConnection, path: Path, seed: int) -> None:
    """Usage report pages: daily token counts per model and service tier."""
    rows = con.execute(f"""
        with searches as (
            select day, billed_as, sum(calls) as calls
            from demo_tool_calls where provider = 'anthropic'
            group by all
        )
        select day, billed_as, sum(uncached_input_tokens), sum(cache_write_5m_tokens),
            sum(cache_write_1h_tokens), sum(cache_read_tokens), sum(output_tokens),
            coalesce(any_value(searches.calls), 0)
        from demo_requests left join searches using (day, billed_as)
        where {BILLED}
        group by day, billed_as
        order by day, billed_as
    """).fetchall()
    by_day: dict[date, list[dict]] = {}
    for day, model, uncached, write_5m, write_1h, read, output, searches in rows:
        by_day.setdefault(day, []).append(
            {
                "uncached_input_tokens": int(uncached),
                "cache_creation": {
                    "ephemeral_5m_input_tokens": int(write_5m),
                    "ephemeral_1h_input_tokens": int(write_1h),
                },
                "cache_read_input_tokens": int(read),
                "output_tokens": int(output),
                "server_tool_use": {"web_search_requests": int(searches)},
                "api_key_id": None,
                "workspace_id": None,
                "model": model,
                "service_tier": "standard",
                "context_window": None,
            }
        )
    write_json(path, paginate(_buckets(con, by_day), f"usage-report-{seed}", openai=False))


def write_console_csvs(con: duckdb.DuckDBPyConnection, folder: Path) -> list[Path]:
    """Console usage CSV exports, one per calendar month of the period."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = " ".join(f"when '{c}' then '{k}'" for c, k in ANTHROPIC_KEY_NAMES.items())
    names = " ".join(f"when '{c}' then '{w}'" for c, w in ANTHROPIC_WORKSPACE_NAMES.items())
    con.execute(f"""
        create or replace temp table demo_console as
        select
            strftime(day, '%Y-%m') as month,
            cast(day as varchar) as usage_date_utc,
            billed_as as model_version,
            case channel {keys} end as api_key,
            case channel {names} end as workspace,
            'standard' as usage_type,
            '≤ 200k' as context_window,
            sum(uncached_input_tokens) as usage_input_tokens_no_cache,
            sum(cache_write_5m_tokens) as usage_input_tokens_cache_write_5m,
            sum(cache_write_1h_tokens) as usage_input_tokens_cache_write_1h,
            sum(cache_read_tokens) as usage_input_tokens_cache_read,
            sum(output_tokens) as usage_output_tokens,
            0 as web_search_count,
            'global' as inference_geo,
            'standard' as speed
        from demo_requests where {BILLED}
        group by all
    """)
    months = [
        r[0]
        for r in con.execute("select distinct month from demo_console order by month").fetchall()
    ]
    paths = []
    columns = ", ".join(CONSOLE_COLUMNS)
    for month in months:
        path = folder / f"console_usage_{month}.csv"
        target = str(path).replace("'", "''")
        con.execute(f"""
            copy (select {columns} from demo_console where month = '{month}'
                  order by usage_date_utc, workspace, api_key, model_version)
            to '{target}' (header, delimiter ',')
        """)
        paths.append(path)
    return paths
