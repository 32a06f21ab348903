"""The planted truths, computed from the generated calls: what the warehouse should find."""

from __future__ import annotations

import hashlib
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
    "waste": "the planted waste (rpt_model_tier_overspend, rpt_prompt_efficiency, "
    "rpt_unit_cost_baseline, rpt_spend_anomalies); money over gateway calls re-priced like "
    "the warehouse, tokens over calls that reached the provider",
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
        "waste": _waste_truth(con),
        "definitions": DEFINITIONS,
    }


def _waste_truth(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Each waste plant with the figures the waste marts should find."""
    from ingest.demo.organization import FEATURES, ROUTING_POLICY, SYSTEM_PROMPTS
    from ingest.demo.traffic import (
        CACHE_BREAK_DAY,
        CACHE_BREAK_FEATURE,
        SPIKE_DAY,
        SPIKE_FEATURE,
    )

    tokens = ("uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens"
              " + cache_write_1h_tokens")  # fmt: skip
    classify = con.execute("""
        select cast(date_trunc('month', r.day) as date), count(*), sum(r.cost_usd),
            sum(r.uncached_input_tokens * m.input_pt + r.cache_read_tokens * m.cache_read_pt
                + r.cache_write_5m_tokens * m.write_5m_pt + r.cache_write_1h_tokens * m.write_1h_pt
                + r.output_tokens * m.output_pt)
        from demo_requests as r
        join demo_prices as m on m.model = 'gpt-4.1-mini' and m.day = r.day
        where r.channel = 'gateway' and r.feature = 'ticket-classify' and r.sends_feature
        group by all order by all
    """).fetchall()
    cache_break = con.execute(f"""
        with daily as (
            select day, count(*) as requests,
                sum(cost_usd) * 1000 / sum({tokens} + output_tokens) as cost_per_1k
            from demo_requests
            where channel = 'gateway' and feature = '{CACHE_BREAK_FEATURE}' and sends_feature
                and not is_proxy_cache_hit
            group by day
        )
        select today.day, today.requests, today.cost_per_1k, median(earlier.cost_per_1k)
        from daily as today
        join daily as earlier on earlier.day < today.day and earlier.day >= today.day - 7
        where today.day = (select min(day) + {CACHE_BREAK_DAY} from demo_days)
        group by all
    """).fetchall()[0]
    prompt = SYSTEM_PROMPTS[next(f for f in FEATURES if f.name == "policy-check").prompts[0]]
    duplicate = con.execute(f"""
        with calls as (
            select r.*, {tokens} as input_tokens, p.input_pt - p.cache_read_pt as saving_pt,
                {PROVIDER_CALL} as is_provider_call
            from demo_requests as r
            join demo_prices as p on p.model = r.model and p.day = r.day
            where r.channel = 'gateway' and r.feature = 'policy-check'
        ),
        prefix as (
            select min(input_tokens) as prefix_tokens from calls where is_provider_call
        )
        select cast(date_trunc('month', day) as date), count(*) filter (sends_feature),
            sum(cache_read_tokens), any_value(prefix_tokens),
            any_value(prefix_tokens)
                * sum(saving_pt) filter (sends_feature and is_provider_call)
        from calls, prefix
        group by all order by all
    """).fetchall()
    runaway = con.execute(f"""
        select count(*), sum(cost_usd), min({tokens}), max({tokens}), min(started_at)
        from demo_requests where channel = 'gateway' and plant = 'runaway'
    """).fetchall()[0]
    spike = con.execute(f"""
        with daily as (
            select day, sum(cost_usd) as cost_usd from demo_requests
            where channel = 'gateway' and key_team = (
                select team from org_features where feature = '{SPIKE_FEATURE}')
            group by day
        )
        select today.day, today.cost_usd, sum(earlier.cost_usd) / 7
        from daily as today
        join daily as earlier on earlier.day < today.day and earlier.day >= today.day - 7
        where today.day = (select min(day) + {SPIKE_DAY} from demo_days)
        group by all
    """).fetchall()[0]
    break_day, break_requests, break_per_1k, break_baseline = cache_break
    spike_day, spike_usd, spike_baseline = spike
    return {
        "classification_route": {
            "route": "ticket-classify",
            "current_model": "gpt-4.1",
            "right_sized_model": "gpt-4.1-mini",
            "months": [
                {"billing_month": m.isoformat(), "requests": n, "current_cost_usd": _money(cur),
                 "right_sized_cost_usd": _money(right), "overspend_ratio": str(cur / right)}
                for m, n, cur, right in classify
            ],
        },  # fmt: skip
        "justified_route": {**ROUTING_POLICY[0], "monthly_savings_usd": "0"},
        "cache_break": {
            "route": CACHE_BREAK_FEATURE,
            "model": "claude-sonnet-4-5",
            "day": break_day.isoformat(),
            "requests": break_requests,
            "cost_per_1k_tokens": str(break_per_1k),
            "trailing_baseline": str(break_baseline),
        },
        "duplicate_system_prompt": {
            "route": "policy-check",
            "system_prompt_sha256": hashlib.sha256(prompt.encode()).hexdigest(),
            "months": [
                {"billing_month": m.isoformat(), "requests": n, "cache_read_tokens": reads,
                 "prefix_tokens": prefix, "missed_cache_savings_usd": _money(missed)}
                for m, n, reads, prefix, missed in duplicate
            ],
        },  # fmt: skip
        "runaway_session": {
            "calls": runaway[0],
            "cost_usd": _money(runaway[1]),
            "first_input_tokens": runaway[2],
            "last_input_tokens": runaway[3],
            "started_at": runaway[4].isoformat(),
        },
        "spend_spike": {
            "team": next(f.team for f in FEATURES if f.name == SPIKE_FEATURE),
            "day": spike_day.isoformat(),
            "spend_usd": _money(spike_usd),
            "trailing_baseline_usd": _money(spike_baseline),
        },
        "routing_policy": [dict(row) for row in ROUTING_POLICY],
    }
