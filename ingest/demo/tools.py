"""Server-side tool calls: billed on their own invoice lines, never inside token cost.

Two gateway features let the model search the web: OpenAI bills the calls as a
`web search tool calls` line item, Anthropic as cost_type `web_search` (and counts them in the
usage report's `server_tool_use.web_search_requests`). The gateway's token cost cannot contain
them, so they are the demo's non-token part of the gap.
"""

from __future__ import annotations

import duckdb

# Feature -> provider of the calls that search the web.
WEB_SEARCH_FEATURES = {"lead-research": "openai", "search-answer": "anthropic"}
WEB_SEARCH_SHARE = 0.4  # of the feature's billed calls
WEB_SEARCH_MAX_CALLS = 3  # searches per call, drawn uniformly from 1..max
WEB_SEARCH_USD_PER_CALL = "0.01"  # $10 per 1,000 searches, both providers' list price

# Calls that reached the provider: not failed, not answered from the proxy's own cache.
BILLED = "not is_failed and not is_proxy_cache_hit"


def load_tool_calls(con: duckdb.DuckDBPyConnection) -> None:
    """Create `demo_tool_calls`: one row per billed call that ran web searches (uses the
    traffic's `u` draw macro, so the same seed gives the same calls)."""
    features = " ".join(f"when '{f}' then '{p}'" for f, p in WEB_SEARCH_FEATURES.items())
    con.execute(f"""
        create or replace table demo_tool_calls as
        select
            i, day, provider, channel, model, billed_as,
            'web_search' as tool,
            cast(1 + floor(u(i, 61) * {WEB_SEARCH_MAX_CALLS}) as bigint) as calls,
            cast((1 + floor(u(i, 61) * {WEB_SEARCH_MAX_CALLS}))
                * cast('{WEB_SEARCH_USD_PER_CALL}' as decimal(38, 12)) as decimal(38, 12)) as usd
        from demo_requests
        where {BILLED}
          and provider = case feature {features} end
          and u(i, 60) < {WEB_SEARCH_SHARE}
    """)
