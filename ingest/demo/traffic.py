"""Every LLM call of the demo period, generated and priced in one pass of DuckDB SQL.

`demo_requests` holds one row per call on three channels: `gateway` (logged by LiteLLM), `batch`
(a nightly OpenAI batch job) and `direct` (a service calling Anthropic directly). Token counts
are stored disjoint (uncached input, cache read, 5m/1h cache write, output) and each call carries
its true cost at the price in effect on its day, in DECIMAL(38,12).

Randomness comes from hash(row, stream, seed) rather than random(): hashing gives the same draw
for a row however DuckDB splits the work across threads, so a seed always yields the same files.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb

from ingest.demo.organization import BYPASS_SHARE, DAILY_GROWTH, WEEKEND_WEIGHT

FAILURE_SHARE = 0.01
PROXY_CACHE_HIT_SHARE = 0.004  # answered from LiteLLM's response cache: no provider call
OLD_PROXY_SHARE = 0.10  # rows written by a proxy replica on an older LiteLLM version
STAGING_SHARE = 0.03
# Waste plants (truth.py records each with its figures).
# A runaway agent loop: one SQL-agent session of RUNAWAY_CALLS calls, RUNAWAY_SPACING_S apart
# from RUNAWAY_HOUR on RUNAWAY_DAY, each re-sending the growing context (+RUNAWAY_INPUT_STEP).
RUNAWAY_FEATURE = "sql-assistant"
RUNAWAY_DAY = 12  # days after the start
RUNAWAY_HOUR = 13
RUNAWAY_CALLS = 300  # at most; a small demo gets one call per 40 requests
RUNAWAY_BASE_INPUT = 1500
RUNAWAY_INPUT_STEP = 80
RUNAWAY_SPACING_S = 15
# A one-day backfill: SPIKE_SHARE of the gateway requests on SPIKE_FEATURE on SPIKE_DAY.
SPIKE_FEATURE = "synthetic-data"
SPIKE_DAY = 20
SPIKE_SHARE = 0.03
# A deploy strips prompt caching from CACHE_BREAK_FEATURE from CACHE_BREAK_DAY on.
CACHE_BREAK_FEATURE = "kb-assist"
CACHE_BREAK_DAY = 18


def load_days(con: duckdb.DuckDBPyConnection, start: date, days: int) -> None:
    """Create `demo_days` and `org_days` (per-channel day weights: weekly shape, slow growth)."""
    rows = []
    for n in range(days):
        day = start + timedelta(days=n)
        dow = day.weekday()
        weekday_weight = 1.0 if dow < 5 else WEEKEND_WEIGHT[dow - 5]
        rows.append((day, n, weekday_weight * (1 + DAILY_GROWTH * n), 1.0 if dow < 5 else 0.0))
    con.execute(
        "create or replace table demo_days (day date, day_index integer, "
        "gateway_weight double, weekday_weight double)"
    )
    con.executemany("insert into demo_days values (?, ?, ?, ?)", rows)
    con.execute("""
        create or replace table org_days as
        with weights as (
            select 'gateway' as channel, day, gateway_weight as weight from demo_days
            union all
            select channel, day, weekday_weight from demo_days,
                (values ('batch'), ('direct')) as c(channel)
            where weekday_weight > 0
        )
        select channel, day,
            coalesce(sum(weight) over (partition by channel order by day
                rows between unbounded preceding and 1 preceding), 0)
                / sum(weight) over (partition by channel) as cum_lo
        from weights
    """)


def generate_requests(con: duckdb.DuckDBPyConnection, requests: int, seed: int) -> None:
    """Create `demo_requests` (see the module docstring)."""
    n_batch = round(requests * BYPASS_SHARE["batch"])
    n_direct = round(requests * BYPASS_SHARE["direct"])
    total = requests + n_batch + n_direct
    seed = int(seed)
    n_runaway = min(RUNAWAY_CALLS, requests // 40)
    runaway_lo = requests - n_runaway
    spike_lo = runaway_lo - round(requests * SPIKE_SHARE)
    break_day = f"(select min(day) + {CACHE_BREAK_DAY} from demo_days)"

    def lower_bound(table: str, where: str) -> str:
        """The cum_lo of one row of an org_* table: an asof join on it picks exactly that row."""
        return f"(select cum_lo from {table} where channel = 'gateway' and {where})"

    feature_lo = {f: lower_bound("org_features", f"feature = '{f}'")
                  for f in (RUNAWAY_FEATURE, SPIKE_FEATURE)}  # fmt: skip
    day_lo = {n: lower_bound("org_days", f"day = (select min(day) + {n} from demo_days)")
              for n in (RUNAWAY_DAY, SPIKE_DAY)}  # fmt: skip
    con.execute(
        f"create or replace temp macro u(i, k) as "
        f"cast(hash(i, k, {seed}) >> 11 as double) / 9007199254740992.0"
    )
    con.execute(
        "create or replace temp macro nrm(i, k) as "
        "sqrt(-2 * ln(1 - u(i, k))) * cos(2 * pi() * u(i, k + 500))"
    )

    con.execute(f"""
        create or replace temp table demo_picks as
        with base as (
            select
                i,
                case when i < {requests} then 'gateway'
                     when i < {requests + n_batch} then 'batch'
                     else 'direct' end as channel,
                case when i >= {runaway_lo} and i < {requests} then 'runaway'
                     when i >= {spike_lo} and i < {runaway_lo} then 'spike' end as plant,
                u(i, 1) as u_feature_drawn,
                u(i, 2) as u_day_drawn,
                u(i, 3) as u_hour_drawn,
                u(i, 4) as u_model
            from range({total}) as t(i)
        ),
        planted as (
            select
                *,
                case plant when 'runaway' then {feature_lo[RUNAWAY_FEATURE]}
                           when 'spike' then {feature_lo[SPIKE_FEATURE]}
                           else u_feature_drawn end as u_feature,
                case plant when 'runaway' then {day_lo[RUNAWAY_DAY]}
                           when 'spike' then {day_lo[SPIKE_DAY]}
                           else u_day_drawn end as u_day,
                case when plant = 'runaway'
                    then {lower_bound("org_hours", f"hour = {RUNAWAY_HOUR}")}
                    else u_hour_drawn end as u_hour
            from base
        ),
        featured as (
            select planted.*, f.* exclude (channel, cum_lo)
            from planted
            asof join org_features as f
                on planted.channel = f.channel and planted.u_feature >= f.cum_lo
        ),
        placed as (
            select featured.*, d.day, h.hour, fm.model
            from featured
            asof join org_days as d on featured.channel = d.channel and featured.u_day >= d.cum_lo
            asof join org_hours as h
                on featured.channel = h.channel and featured.u_hour >= h.cum_lo
            asof join org_feature_models as fm
                on featured.feature = fm.feature and featured.u_model >= fm.cum_lo
        )
        select
            placed.*,
            -- planted calls come from one job, through the owning team's key
            case when channel = 'gateway' and plant is null and u(i, 5) < orphan_key
                then '(none)' else team end as key_pool,
            u(i, 6) as u_key,
            u(i, 7) as u_customer
        from placed
    """)

    con.execute(f"""
        create or replace table demo_requests as
        with keyed as (
            select p.*, k.* exclude (pool, cum_lo), c.customer as drawn_customer
            from demo_picks as p
            asof join org_keys as k on p.key_pool = k.pool and p.u_key >= k.cum_lo
            asof join org_customers as c on p.u_customer >= c.cum_lo
        ),
        modelled as (
            select
                keyed.* replace (
                    case when feature = '{CACHE_BREAK_FEATURE}' and day >= {break_day}
                        then 'none' else cache end as cache
                ),
                m.provider,
                m.billed_as,
                m.max_input_tokens,
                names.name_count
            from keyed
            join org_models as m using (model)
            join (select model, count(*) as name_count from org_model_names group by model)
                as names using (model)
        ),
        drawn as (
            select
                *,
                channel = 'gateway' and plant is distinct from 'runaway'
                    and u(i, 14) < {FAILURE_SHARE} as is_failed,
                channel = 'gateway' and plant is distinct from 'runaway'
                    and u(i, 14) >= {FAILURE_SHARE}
                    and u(i, 15) < {PROXY_CACHE_HIT_SHARE} as is_proxy_cache_hit,
                cache <> 'none' and u(i, 16) < cache_hit as is_prompt_cache_hit,
                channel = 'batch' as is_batch,
                cast(least(
                    max_input_tokens - cache_prefix,
                    case when plant = 'runaway'
                        then {RUNAWAY_BASE_INPUT} + {RUNAWAY_INPUT_STEP} * (i - {runaway_lo})
                    else greatest(16, round(
                        input_median * exp(input_sigma * nrm(i, 10))
                        * case when u(i, 12) < long_context then 8 + 24 * u(i, 13) else 1 end
                    )) end
                ) as bigint) as variable_input,
                cast(least(32000, greatest(1, round(
                    output_median * exp(output_sigma * nrm(i, 20))
                ))) as bigint) as drawn_output
            from modelled
        ),
        tokens as (
            select
                *,
                is_failed or is_proxy_cache_hit as has_no_tokens,
                case
                    when provider = 'openai' and is_prompt_cache_hit
                        then cache_prefix - cache_prefix % 128
                    when provider = 'anthropic' and is_prompt_cache_hit then cache_prefix
                    else 0
                end as drawn_cache_read,
                case when provider = 'anthropic' and cache <> 'none' and not is_prompt_cache_hit
                    then cache_prefix else 0 end as drawn_cache_write
            from drawn
        ),
        disjoint as (
            select
                *,
                case when has_no_tokens then 0
                     when provider = 'openai' then variable_input + cache_prefix - drawn_cache_read
                     -- an uncached fixed prefix is billed as plain input
                     when cache = 'none' then variable_input + cache_prefix
                     else variable_input end as uncached_input_tokens,
                case when has_no_tokens then 0 else drawn_cache_read end as cache_read_tokens,
                case when has_no_tokens or cache = '1h' then 0 else drawn_cache_write end
                    as cache_write_5m_tokens,
                case when has_no_tokens or cache <> '1h' then 0 else drawn_cache_write end
                    as cache_write_1h_tokens,
                case when has_no_tokens then 0 else drawn_output end as output_tokens
            from tokens
        ),
        priced as (
            select
                d.*,
                cast(d.uncached_input_tokens * case when d.is_batch then p.batch_input_pt
                    else p.input_pt end as decimal(38, 12)) as uncached_input_usd,
                cast(d.cache_read_tokens * p.cache_read_pt as decimal(38, 12)) as cache_read_usd,
                cast(d.cache_write_5m_tokens * p.write_5m_pt as decimal(38, 12))
                    as cache_write_5m_usd,
                cast(d.cache_write_1h_tokens * p.write_1h_pt as decimal(38, 12))
                    as cache_write_1h_usd,
                cast(d.output_tokens * case when d.is_batch then p.batch_output_pt
                    else p.output_pt end as decimal(38, 12)) as output_usd,
                cast(d.cache_read_tokens * (p.input_pt - p.cache_read_pt) as decimal(38, 12))
                    as cache_read_overcharge_usd,
                cast(case when d.model = 'claude-sonnet-4-5' and p.write_1h_listed_pt is not null
                    then d.cache_write_1h_tokens * (p.write_1h_pt - p.write_5m_pt) else 0 end
                    as decimal(38, 12)) as price_change_effect_usd
            from disjoint as d
            join demo_prices as p on p.model = d.model and p.day = d.day
        )
        select
            i,
            channel,
            feature,
            team,
            model,
            provider,
            billed_as,
            day,
            cast(day as timestamp) + to_microseconds(
                cast(hour as bigint) * 3600000000 + case when plant = 'runaway'
                    then cast((i - {runaway_lo}) * {RUNAWAY_SPACING_S} as bigint) * 1000000
                    else cast(floor(u(i, 50) * 3600000000) as bigint) end
            ) as started_at,
            plant,
            is_failed,
            is_proxy_cache_hit,
            is_batch,
            u(i, 45) < {OLD_PROXY_SHARE} as is_old_proxy,
            uncached_input_tokens,
            cache_read_tokens,
            cache_write_5m_tokens,
            cache_write_1h_tokens,
            output_tokens,
            case when model = 'o4-mini' then cast(round(output_tokens * (0.45 + 0.4 * u(i, 22)))
                as bigint) else 0 end as reasoning_tokens,
            uncached_input_usd,
            cache_read_usd,
            cache_write_5m_usd,
            cache_write_1h_usd,
            output_usd,
            uncached_input_usd + cache_read_usd + cache_write_5m_usd + cache_write_1h_usd
                + output_usd as cost_usd,
            cache_read_overcharge_usd,
            price_change_effect_usd,
            -- who the gateway can tell sent it
            key_alias,
            key_team,
            alias_in_metadata,
            api_key_hash,
            litellm_user,
            ip,
            tagging,
            tagging <> 'none' and (plant is not null or u(i, 30) >= no_feature) as sends_feature,
            u(i, 31) < {STAGING_SHARE} as is_staging,
            case when customer_via is not null and u(i, 32) < 0.9 then drawn_customer end
                as customer,
            customer_via,
            case
                -- an agent loop stuck in one session
                when plant = 'runaway' then 'runaway|' || feature || '|' || day
                when not sessions then null
                else feature || '|' || coalesce(drawn_customer, '') || '|' || day || '|'
                    || cast(floor(u(i, 40) * 60) as integer)
            end as session_key,
            prompts[1 + cast(floor(u(i, 47) * len(prompts)) as integer)] as prompt_id,
            cast((hash(feature, model, {seed}) % name_count + cast(u(i, 46) < 0.15 as integer))
                % name_count as integer) as name_index,
            u(i, 51) as u_timing,
            nrm(i, 52) as z_timing
        from priced
    """)
