"""The headline says the gap in words, naming each cause and where the bypass was billed."""

from __future__ import annotations

import duckdb

from ingest.report import gap_in_words


def _marts() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("""
        create table marts.rpt_reconciliation as
        select * from (values
            (date '2026-07-01', 'openai', true, 89.22, 84.10, 0.00, 0.00, 0.00, 0.00),
            (date '2026-07-01', 'anthropic', true, 4.00, 3.00, -0.50, 0.00, 1.25, 0.25),
            (date '2026-08-01', 'openai', true, 0.004, 0.004, 0.0, 0.0, 0.0, 0.0),
            (date '2026-07-01', 'google', false, -7.00, 0.00, 0.00, 0.00, 0.00, -7.00)
        ) as t(billing_month, provider, has_invoice, gap_usd, bypass_usd, overlogged_usd,
               timing_usd, price_difference_usd, unexplained_usd)
    """)
    con.execute("""
        create table marts.rpt_reconciliation_detail as
        select * from (values
            (date '2026-07-01', 'openai', 'tokens', 'proj_gw', 'input tokens', 0.00, 0.00),
            (date '2026-07-01', 'openai', 'tokens', 'proj_X', 'batch input tokens', 84.10, 0.00),
            (date '2026-07-01', 'openai', 'tool_calls', 'proj_gw', 'web search calls', 0.00, 5.12),
            (date '2026-07-01', 'anthropic', 'tokens', 'wrk_a', 'input tokens', 2.00, 0.00),
            (date '2026-07-01', 'anthropic', 'tokens', 'wrk_b', 'input tokens', 1.00, 0.00)
        ) as t(billing_month, provider, category, account_id, charge_labels, bypass_usd,
               non_token_usd)
    """)
    return con


def test_gap_in_words_names_each_cause_and_account() -> None:
    # The openai row's causes deliberately leave 0.00 where 5.12 is non-token: the sentence
    # reads the non-token lines from the detail.
    assert gap_in_words(_marts()) == [
        "2026-07 anthropic: $4.00 gap: $3.00 bypassed the gateway (workspace wrk_a $2.00,"
        " workspace wrk_b $1.00), -$0.50 logged by the gateway but not billed,"
        " $1.25 price difference, $0.25 unexplained",
        "2026-07 openai: $89.22 gap: $84.10 bypassed the gateway (project proj_X),"
        " $5.12 web search calls",
    ]
