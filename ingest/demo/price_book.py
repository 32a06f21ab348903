"""Per-day, per-token prices for the demo's models, read from the project's price seed.

Same rule as the warehouse: the row with effective_from <= day < effective_to applies; a 1h cache
write without its own price costs the 5m price; batch requests use the batch prices, or half the
input/output price where the seed has none (cache prices unchanged).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingest.errors import AiledgerError

REQUIRED_COLUMNS = (
    "provider", "model", "effective_from", "effective_to", "input_per_1m_usd",
    "cache_read_per_1m_usd", "cache_write_5m_per_1m_usd", "cache_write_1h_per_1m_usd",
    "output_per_1m_usd", "batch_input_per_1m_usd", "batch_output_per_1m_usd",
)  # fmt: skip
PRICE_COLUMNS = (
    "input_pt", "cache_read_pt", "write_5m_pt", "write_1h_pt", "write_1h_listed_pt", "output_pt",
    "batch_input_pt", "batch_output_pt",
)  # fmt: skip


def load_daily_prices(con: duckdb.DuckDBPyConnection, price_seed: Path) -> None:
    """Create `demo_prices`: one row per (model, day) of `demo_days`, prices per token."""
    if not price_seed.is_file():
        raise AiledgerError(
            f"{price_seed}: price seed not found",
            hint="the demo prices its traffic with seeds/model_prices.csv; pass --price-seed",
        )
    con.execute(
        "create or replace table demo_seed as "
        "select * from read_csv(?, header = true, all_varchar = true)",
        [str(price_seed)],
    )
    present = {row[0] for row in con.execute("select column_name from (describe demo_seed)")
               .fetchall()}  # fmt: skip
    missing = [c for c in REQUIRED_COLUMNS if c not in present]
    if missing:
        raise AiledgerError(f"{price_seed}: missing column {missing[0]!r}")

    def per_token(column: str) -> str:
        return f"cast(nullif(trim({column}), '') as decimal(38, 12)) * 0.000001"

    con.execute(f"""
        create or replace table demo_prices as
        with seed as (
            select
                lower(trim(s.provider)) as provider,
                trim(s.model) as model,
                cast(s.effective_from as date) as effective_from,
                cast(nullif(trim(s.effective_to), '') as date) as effective_to,
                {per_token("input_per_1m_usd")} as input_pt,
                {per_token("cache_read_per_1m_usd")} as cache_read_pt,
                {per_token("cache_write_5m_per_1m_usd")} as write_5m_pt,
                {per_token("cache_write_1h_per_1m_usd")} as write_1h_listed_pt,
                {per_token("output_per_1m_usd")} as output_pt,
                {per_token("batch_input_per_1m_usd")} as batch_input_listed_pt,
                {per_token("batch_output_per_1m_usd")} as batch_output_listed_pt
            from demo_seed as s
        )
        select
            m.model,
            d.day,
            seed.input_pt,
            coalesce(seed.cache_read_pt, seed.input_pt) as cache_read_pt,
            coalesce(seed.write_5m_pt, seed.input_pt) as write_5m_pt,
            coalesce(seed.write_1h_listed_pt, seed.write_5m_pt, seed.input_pt) as write_1h_pt,
            seed.write_1h_listed_pt,
            seed.output_pt,
            coalesce(seed.batch_input_listed_pt, seed.input_pt * 0.5) as batch_input_pt,
            coalesce(seed.batch_output_listed_pt, seed.output_pt * 0.5) as batch_output_pt
        from org_models as m
        cross join demo_days as d
        left join seed
            on seed.provider = m.provider
            and seed.model = m.model
            and seed.effective_from <= d.day
            and (seed.effective_to is null or d.day < seed.effective_to)
    """)
    problems = con.execute("""
        select model, min(day), count(*) - count(distinct day), count(*) filter (input_pt is null)
        from demo_prices group by model
        having count(*) <> count(distinct day) or count(*) filter (input_pt is null) > 0
        order by model
    """).fetchall()
    if problems:
        model, day, overlaps, unpriced = problems[0]
        what = "has overlapping price rows" if overlaps else "has no input price"
        raise AiledgerError(f"{price_seed}: model {model!r} {what} on some day from {day}")
    inexact = con.execute(
        "select model from demo_prices where "
        + " or ".join(
            f"cast(cast({c} as decimal(38, 12)) as decimal(38, 18)) <> {c}" for c in PRICE_COLUMNS
        )
        + " limit 1"
    ).fetchall()
    if inexact:
        raise AiledgerError(
            f"{price_seed}: prices for {inexact[0][0]!r} need more than 12 "
            "decimals per token, so demo money would not be exact"
        )
    casts = ", ".join(f"cast({c} as decimal(38, 12)) as {c}" for c in PRICE_COLUMNS)
    con.execute(
        f"create or replace table demo_prices as select model, day, {casts} from demo_prices"
    )
