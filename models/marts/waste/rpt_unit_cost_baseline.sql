{#- One row per model, route and UTC day: re-priced cost per 1k tokens (every token kind,
    output included) against the median of the same model-route's previous
    var('ailedger_drift_baseline_days') days that had traffic. is_drifting flags a day whose
    cost per 1k is more than var('ailedger_drift_threshold_pct') above that baseline, judged
    only on days with at least var('ailedger_drift_min_requests') calls and at least
    var('ailedger_drift_min_baseline_days') baseline days: the early warning for a deploy that
    stripped prompt caching, or a price change. -#}
with

route_daily as (

    select * from {{ ref('int_llm_requests_route_daily') }}

),

daily as (

    select
        model,
        route,
        requested_date,
        sum(requests) as requests,
        sum(total_tokens) as tokens,
        sum(unpriced_requests) as unpriced_requests,
        sum(cost_usd) as cost_usd
    from route_daily
    group by model, route, requested_date

),

unit_costs as (

    select
        *,
        case when unpriced_requests = 0 and tokens > 0
             then cast(cost_usd as {{ ailedger.type_ratio() }}) * 1000 / tokens
        end as cost_per_1k_tokens
    from daily

),

baseline_days as (

    select
        today.model,
        today.route,
        today.requested_date,
        count(earlier.cost_per_1k_tokens) as baseline_days,
        {{ ailedger.percentile('earlier.cost_per_1k_tokens', 0.5) }} as trailing_baseline
    from unit_costs as today
    inner join unit_costs as earlier
        on earlier.model = today.model
        and earlier.route = today.route
        and earlier.requested_date < today.requested_date
        and earlier.requested_date >= {{ dbt.dateadd('day', -1 * var('ailedger_drift_baseline_days'), 'today.requested_date') }}
    where earlier.cost_per_1k_tokens is not null
    group by today.model, today.route, today.requested_date

),

scored as (

    select
        unit_costs.*,
        coalesce(baseline_days.baseline_days, 0) as baseline_days,
        baseline_days.trailing_baseline,
        case when baseline_days.trailing_baseline > 0
             then unit_costs.cost_per_1k_tokens / baseline_days.trailing_baseline - 1
        end as drift_pct
    from unit_costs
    left join baseline_days
        on baseline_days.model = unit_costs.model
        and baseline_days.route = unit_costs.route
        and baseline_days.requested_date = unit_costs.requested_date

),

final as (

    select
        cast({{ dbt.concat([
            "model", "'|'", "route", "'|'", "cast(requested_date as " ~ dbt.type_string() ~ ")"
        ]) }} as {{ dbt.type_string() }}) as unit_cost_id,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(route as {{ dbt.type_string() }}) as route,
        cast(requested_date as date) as cost_date,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(tokens as {{ dbt.type_bigint() }}) as tokens,
        {{ ailedger.money('case when unpriced_requests = 0 then cost_usd end') }} as cost_usd,
        cast(cost_per_1k_tokens as {{ ailedger.type_ratio() }}) as cost_per_1k_tokens,
        cast(baseline_days as {{ dbt.type_bigint() }}) as baseline_days,
        cast(trailing_baseline as {{ ailedger.type_ratio() }}) as trailing_baseline,
        cast(drift_pct as {{ ailedger.type_ratio() }}) as drift_pct,
        coalesce(
            requests >= {{ var('ailedger_drift_min_requests') }}
            and baseline_days >= {{ var('ailedger_drift_min_baseline_days') }}
            and drift_pct > {{ var('ailedger_drift_threshold_pct') }},
            false
        ) as is_drifting
    from scored

)

select * from final
