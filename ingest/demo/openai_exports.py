"""OpenAI's side: Costs API pages (the bill) and Usage API completions pages (the tokens).

Both cover gateway traffic that reached OpenAI plus the nightly batch job that never went through
the gateway. Costs are grouped by line_item and project_id, usage by model, batch and project_id.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from ingest.demo.api_pages import Number, paginate, plain, write_json
from ingest.demo.organization import OPENAI_ORG, OPENAI_PROJECTS

STRING_AMOUNT_SHARE = 10  # one result in this many carries amount.value as a string

# Calls that reached the provider: not failed, not answered from the proxy's own cache.
BILLED = "provider = 'openai' and not is_failed and not is_proxy_cache_hit"


def _unix(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def _projects_sql() -> str:
    return " ".join(f"when '{c}' then '{p}'" for c, p in OPENAI_PROJECTS.items())


def write_costs(con: duckdb.DuckDBPyConnection, path: Path, seed: int) -> None:
    """Costs API pages: daily buckets of dollar amounts per line item and project."""
    rows = con.execute(f"""
        with billed as (
            select day, case channel {_projects_sql()} end as project_id, billed_as, is_batch,
                uncached_input_usd, cache_read_usd, output_usd
            from demo_requests where {BILLED}
        ),
        items as (
            select day, project_id, billed_as,
                case when is_batch then 'batch input' else 'input' end as item, 1 as item_order,
                uncached_input_usd as usd
            from billed
            union all
            select day, project_id, billed_as,
                case when is_batch then 'batch cached input' else 'cached input' end, 2,
                cache_read_usd
            from billed
            union all
            select day, project_id, billed_as,
                case when is_batch then 'batch output' else 'output' end, 3, output_usd
            from billed
        )
        select day, project_id, billed_as || ', ' || item as line_item, sum(usd) as usd,
            null as quantity
        from items
        group by day, project_id, billed_as, item, item_order
        having sum(usd) > 0
        union all
        -- Web search calls: their own line item, a count for quantity, no model named.
        select day, case channel {_projects_sql()} end, 'web search tool calls', sum(usd),
            sum(calls)
        from demo_tool_calls where provider = 'openai'
        group by all
        order by 1, 2, 3
    """).fetchall()
    by_day: dict[date, list[dict]] = {}
    for day, project_id, line_item, usd, quantity in rows:
        key = f"{seed}|{day}|{project_id}|{line_item}".encode()
        as_string = int(hashlib.md5(key).hexdigest(), 16) % STRING_AMOUNT_SHARE == 0
        result = {
            "object": "organization.costs.result",
            "amount": {"value": plain(usd) if as_string else Number(usd), "currency": "usd"},
            "line_item": line_item,
            "project_id": project_id,
            "organization_id": OPENAI_ORG,
        }
        if quantity is not None:
            result["quantity"] = int(quantity)
        by_day.setdefault(day, []).append(result)
    write_json(path, paginate(_buckets(con, by_day), f"costs-{seed}", openai=True))


def write_usage(con: duckdb.DuckDBPyConnection, path: Path, seed: int) -> None:
    """Usage API pages, fetched twice (batch=false, then batch=true): the batch query has empty
    buckets on days the nightly job did not run."""
    rows = con.execute(f"""
        select
            is_batch, day, case channel {_projects_sql()} end as project_id, billed_as,
            sum(uncached_input_tokens + cache_read_tokens) as input_tokens,
            sum(output_tokens) as output_tokens,
            sum(cache_read_tokens) as input_cached_tokens,
            count(*) as num_model_requests
        from demo_requests where {BILLED}
        group by all
        order by is_batch, day, project_id, billed_as
    """).fetchall()
    pages = []
    for batch in (False, True):
        by_day: dict[date, list[dict]] = {}
        for is_batch, day, project_id, model, inp, out, cached, n in rows:
            if is_batch != batch:
                continue
            by_day.setdefault(day, []).append(
                {
                    "object": "organization.usage.completions.result",
                    "input_tokens": int(inp),
                    "output_tokens": int(out),
                    "input_cached_tokens": int(cached),
                    "input_audio_tokens": 0,
                    "output_audio_tokens": 0,
                    "num_model_requests": int(n),
                    "project_id": project_id,
                    "user_id": None,
                    "api_key_id": None,
                    "model": model,
                    "batch": batch,
                    "service_tier": None,
                }
            )
        pages += paginate(_buckets(con, by_day), f"usage-{seed}-{batch}", openai=True)
    write_json(path, pages)


def _buckets(con: duckdb.DuckDBPyConnection, by_day: dict[date, list[dict]]) -> list[dict]:
    days = [row[0] for row in con.execute("select day from demo_days order by day").fetchall()]
    return [
        {
            "object": "bucket",
            "start_time": _unix(day),
            "end_time": _unix(day + timedelta(days=1)),
            "results": by_day.get(day, []),
        }
        for day in days
    ]
