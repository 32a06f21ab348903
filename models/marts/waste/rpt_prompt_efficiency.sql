{#- One row per route and billing month: how efficiently the route uses its context. Token
    percentiles are over calls that reached the provider; duplicate prompts and missed cache
    savings come from int_system_prompt_repeats, runaway sessions from
    int_llm_sessions_summarized (a session counts in the month and route of its first call). -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

prompt_repeats as (

    select * from {{ ref('int_system_prompt_repeats') }}

),

sessions as (

    select * from {{ ref('int_llm_sessions_summarized') }}

),

calls as (

    select
        coalesce(route, '{{ var("ailedger_untagged_route") }}') as route,
        billing_month,
        is_priced,
        cost_usd,
        output_cost_usd,
        case when status = 'success' and not is_cache_hit then 1 else 0 end as is_provider_call,
        uncached_input_tokens,
        cache_read_tokens,
        cache_write_tokens,
        uncached_input_tokens + cache_read_tokens + cache_write_tokens as input_tokens,
        output_tokens
    from requests

),

totals as (

    select
        route,
        billing_month,
        count(*) as requests,
        sum(case when is_priced then 0 else 1 end) as unpriced_requests,
        sum(cost_usd) as cost_usd,
        sum(output_cost_usd) as output_cost_usd,
        sum(case when is_provider_call = 1 then cache_read_tokens else 0 end) as cache_read_tokens,
        sum(case when is_provider_call = 1 then input_tokens else 0 end) as input_tokens,
        sum(case when is_provider_call = 1 then output_tokens else 0 end) as output_tokens
    from calls
    group by route, billing_month

),

percentiles as (

    select
        route,
        billing_month,
        {{ ailedger.percentile('input_tokens', 0.5) }} as p50_input_tokens,
        {{ ailedger.percentile('input_tokens', 0.95) }} as p95_input_tokens,
        {{ ailedger.percentile('output_tokens', 0.5) }} as p50_output_tokens,
        {{ ailedger.percentile('output_tokens', 0.95) }} as p95_output_tokens
    from calls
    where is_provider_call = 1
    group by route, billing_month

),

repeats as (

    select
        route,
        billing_month,
        sum(case when is_duplicated then requests else 0 end) as duplicated_prompt_requests,
        sum(missed_cache_savings_usd) as missed_cache_savings_usd
    from prompt_repeats
    group by route, billing_month

),

runaways as (

    select
        route,
        billing_month,
        count(*) as runaway_sessions,
        sum(calls) as runaway_calls,
        sum(cost_usd) as runaway_cost_usd
    from sessions
    where is_runaway
    group by route, billing_month

),

joined as (

    select
        totals.*,
        percentiles.p50_input_tokens,
        percentiles.p95_input_tokens,
        percentiles.p50_output_tokens,
        percentiles.p95_output_tokens,
        coalesce(repeats.duplicated_prompt_requests, 0) as duplicated_prompt_requests,
        coalesce(repeats.missed_cache_savings_usd, 0) as missed_cache_savings_usd,
        coalesce(runaways.runaway_sessions, 0) as runaway_sessions,
        coalesce(runaways.runaway_calls, 0) as runaway_calls,
        coalesce(runaways.runaway_cost_usd, 0) as runaway_cost_usd
    from totals
    left join percentiles
        on percentiles.route = totals.route
        and percentiles.billing_month = totals.billing_month
    left join repeats
        on repeats.route = totals.route
        and repeats.billing_month = totals.billing_month
    left join runaways
        on runaways.route = totals.route
        and runaways.billing_month = totals.billing_month

),

final as (

    select
        cast({{ dbt.concat([
            "cast(billing_month as " ~ dbt.type_string() ~ ")", "'|'", "route"
        ]) }} as {{ dbt.type_string() }}) as prompt_efficiency_id,
        cast(billing_month as date) as billing_month,
        cast(route as {{ dbt.type_string() }}) as route,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        {{ ailedger.money('case when unpriced_requests = 0 then cost_usd end') }} as cost_usd,
        cast(case when input_tokens > 0
             then cast(cache_read_tokens as {{ ailedger.type_ratio() }}) / input_tokens
        end as {{ ailedger.type_ratio() }}) as cache_hit_rate,
        cast(p50_input_tokens as {{ ailedger.type_ratio() }}) as p50_input_tokens,
        cast(p95_input_tokens as {{ ailedger.type_ratio() }}) as p95_input_tokens,
        cast(p50_output_tokens as {{ ailedger.type_ratio() }}) as p50_output_tokens,
        cast(p95_output_tokens as {{ ailedger.type_ratio() }}) as p95_output_tokens,
        cast(case when output_tokens > 0
             then cast(input_tokens as {{ ailedger.type_ratio() }}) / output_tokens
        end as {{ ailedger.type_ratio() }}) as input_output_ratio,
        cast(case when unpriced_requests = 0 and cost_usd > 0
             then cast(output_cost_usd as {{ ailedger.type_ratio() }})
                  / cast(cost_usd as {{ ailedger.type_ratio() }})
        end as {{ ailedger.type_ratio() }}) as output_cost_share,
        cast(case when p50_input_tokens > 0 then p95_input_tokens / p50_input_tokens end
             as {{ ailedger.type_ratio() }}) as context_bloat_ratio,
        coalesce(p50_input_tokens > 0
            and p95_input_tokens > {{ var('ailedger_context_bloat_ratio') }} * p50_input_tokens,
            false) as is_context_bloated,
        cast(cast(duplicated_prompt_requests as {{ ailedger.type_ratio() }}) / requests
             as {{ ailedger.type_ratio() }}) as duplicate_system_prompt_share,
        {{ ailedger.money('missed_cache_savings_usd') }} as missed_cache_savings_usd,
        missed_cache_savings_usd >= {{ var('ailedger_missed_cache_min_usd') }}
            as has_missed_cache_savings,
        cast(runaway_sessions as {{ dbt.type_bigint() }}) as runaway_sessions,
        cast(runaway_calls as {{ dbt.type_bigint() }}) as runaway_calls,
        {{ ailedger.money('runaway_cost_usd') }} as runaway_cost_usd
    from joined

)

select * from final
