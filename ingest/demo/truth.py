"""The planted truths, computed from the generated calls: what the warehouse should find."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import duckdb

from ingest.demo.organization import ANTHROPIC_WORKSPACES, OPENAI_PROJECTS

PROVIDERS = ("anthropic", "openai")
ATTRIBUTED = "key_team is not null and sends_feature"
PROVIDER_CALL = "not is_failed and not is_proxy_cache_hit"

DEFINITIONS = {
    "invoice_usd": "what the provider bills: gateway calls that reached it + bypass traffic + "
    "web search calls",
    "gateway_repriced_usd": "gateway calls re-priced with seeds/model_prices.csv",
    "gateway_logged_usd": "sum of LiteLLM's own `spend` column",
    "bypass_usd": "billed traffic that never went through the gateway",
    "attributed_usd": "re-priced gateway spend whose team and feature are both known",
    "coverage_pct": "attributed_usd / total_invoice_usd (0-1, rounded to 10 places)",
    "request_count": "gateway log rows, failures included",
    "mispricing_overstatement_usd": "gateway_logged_usd - gateway_repriced_usd: LiteLLM prices "
    "cached input at the full input price",
    "price_change_effect_usd": "claude-sonnet-4-5 1h cache writes from the price change on, at "
    "the new 1h price minus at the old (5m fallback) price",
    "gap_by_cause": "per provider-month, the gap's causes: bypass_usd (token traffic that never "
    "went through the gateway, all of it in bypass_account_id) and non_token_usd (web search "
    "calls billed on their own lines); no other cause is planted",
}
# The account each provider's bypass traffic is billed to.
BYPASS_ACCOUNTS = {"openai": OPENAI_PROJECTS["batch"], "anthropic": ANTHROPIC_WORKSPACES["direct"]}


def _money(value: Decimal | None) -> str:
    return str(value if value is not None else Decimal("0.000000000000"))


def build_truth(
    con: duckdb.DuckDBPyConnection, *, seed: int, start: date, end: date, requests: int
) -> dict[str, Any]:
    """Aggregate `demo_requests` into the truth document (money as exact decimal strings)."""
    per_provider = con.execute(f"""
        select
            cast(date_trunc('month', day) as date) as billing_month,
            provider,
            sum(cost_usd) filter ({PROVIDER_CALL}) as invoice_usd,
            sum(cost_usd) filter (channel = 'gateway') as gateway_repriced_usd,
            sum(cost_usd + cache_read_overcharge_usd)
                filter (channel = 'gateway' and not is_failed) as gateway_logged_usd,
            sum(cost_usd) filter (channel <> 'gateway') as bypass_usd
        from demo_requests
        group by all
        order by all
    """).fetchall()
    tools = con.execute("""
        select cast(date_trunc('month', day) as date), provider, sum(usd)
        from demo_tool_calls
        group by all
    """).fetchall()
    tool_usd = {(month, provider): usd for month, provider, usd in tools}
    per_provider = [
        (month, provider, (invoice or Decimal(0)) + tool_usd.get((month, provider), 0), *rest)
        for month, provider, invoice, *rest in per_provider
    ]
    per_month = con.execute(f"""
        select
            cast(date_trunc('month', day) as date) as billing_month,
            sum(cost_usd) filter ({PROVIDER_CALL}) as total_invoice_usd,
            sum(cost_usd) filter (channel = 'gateway' and {ATTRIBUTED}) as attributed_usd,
            count(*) filter (channel = 'gateway') as request_count,
            count(*) filter (channel = 'gateway' and {ATTRIBUTED}) as attributed_request_count,
            count(*) filter (channel = 'gateway' and is_failed) as failed_requests,
            count(*) filter (channel <> 'gateway') as bypass_request_count,
            sum(cache_read_overcharge_usd) filter (channel = 'gateway' and not is_failed)
                as mispricing_overstatement_usd
        from demo_requests
        group by all
        order by all
    """).fetchall()
    totals = con.execute("""
        select
            sum(cache_read_overcharge_usd) filter (channel = 'gateway' and not is_failed),
            sum(price_change_effect_usd),
            sum(price_change_effect_usd) filter (channel = 'gateway'),
            count(*) filter (channel = 'gateway' and is_failed),
            count(*) filter (channel <> 'gateway')
        from demo_requests
    """).fetchall()[0]
    overstatement, change_effect, change_effect_gateway, failed, bypass_requests = totals
    runaway = con.execute("""
        select feature, day, count(*) from demo_requests
        where channel = 'gateway' and session_key like 'runaway|%'
        group by all
    """).fetchall()

    months = []
    gap_by_cause = []
    for month, invoice, attributed, n, n_attributed, n_failed, n_bypass, overs in per_month:
        invoice = (invoice or Decimal(0)) + sum(
            (usd for (m, _), usd in tool_usd.items() if m == month), start=Decimal(0)
        )
        figures = {p: [r for r in per_provider if r[0] == month and r[1] == p] for p in PROVIDERS}

        def by_provider(column: int, figures: dict = figures) -> dict[str, str]:
            return {p: _money(rows[0][column] if rows else None) for p, rows in figures.items()}

        invoice = invoice or Decimal(0)
        attributed = attributed or Decimal(0)
        coverage = (attributed / invoice).quantize(Decimal("1e-10")) if invoice else Decimal(0)
        months.append({
            "billing_month": month.isoformat(),
            "invoice_usd": by_provider(2),
            "gateway_repriced_usd": by_provider(3),
            "bypass_usd": by_provider(5),
            "gateway_logged_usd": by_provider(4),
            "attributed_usd": _money(attributed),
            "total_invoice_usd": _money(invoice),
            "coverage_pct": str(coverage),
            "request_count": n,
            "attributed_request_count": n_attributed,
            "failed_requests": n_failed,
            "bypass_request_count": n_bypass,
            "mispricing_overstatement_usd": _money(overs),
        })  # fmt: skip
        for provider, rows in figures.items():
            gap_by_cause.append({
                "billing_month": month.isoformat(),
                "provider": provider,
                "bypass_usd": _money(rows[0][5] if rows else None),
                "bypass_account_id": BYPASS_ACCOUNTS[provider],
                "non_token_usd": _money(tool_usd.get((month, provider))),
            })  # fmt: skip

    return {
        "generator": {"seed": seed, "requests": requests},
        "period": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "days": (end - start).days + 1,
        },
        "months": months,
        "gap_by_cause": gap_by_cause,
        "mispricing_overstatement_usd": _money(overstatement),
        "price_change_effect_usd": _money(change_effect),
        "price_change_effect_gateway_usd": _money(change_effect_gateway),
        "requests": requests,
        "failed_requests": failed,
        "bypass_requests": bypass_requests,
        "runaway_sessions": [
            {"feature": feature, "day": day.isoformat(), "requests": n}
            for feature, day, n in runaway
        ],
        "definitions": DEFINITIONS,
    }
