{#- One row per scope (a cost center or a feature with a budget) × billing month × action it
    reached: the first moment its month-to-date spend crossed a threshold of its monthly
    budget, and the spend at that moment. Actions: `alert` at the alert level (the cost
    center's alert_pct, else var ailedger_budget_alert_pct), `fallback` at
    var ailedger_budget_fallback_pct, `halt` at var ailedger_budget_halt_pct. API spend is
    measured on request time (the request that crossed); spend known only per day (provider
    accounts charged to an owner) counts at the start of its UTC day.
    `emergency_stop`: the first day in the month whose spend exceeded
    var ailedger_spend_spike_multiplier × the average of the var ailedger_spend_spike_baseline_days
    previous days (days with spend anywhere in the organization; a full window only), for
    every cost center and feature with spend, budgeted or not. -#}
{%- set levels = [
    ('alert', 'budgets.alert_pct'),
    ('fallback', var('ailedger_budget_fallback_pct')),
    ('halt', var('ailedger_budget_halt_pct')),
] -%}
{%- set trailing_days = var('ailedger_spend_spike_baseline_days') | int -%}
with

charged as (

    select * from {{ ref('int_llm_requests_charged') }}

),

spend as (

    select * from {{ ref('int_spend_by_owner_daily') }}

),

budgets as (

    select * from {{ ref('int_budgets_monthly') }}

),

-- Everything that adds to a budget, in time order: requests when they were made, daily
-- account charges at the start of their day.
events as (

    select 'cost_center' as scope_type, cost_center as scope, billing_month,
        requested_at as event_at, request_id as event_id, cost_usd as amount_usd,
        'request' as measured_on
    from charged
    where cost_center is not null
    union all
    select 'feature' as scope_type, feature as scope, billing_month,
        requested_at as event_at, request_id as event_id, cost_usd as amount_usd,
        'request' as measured_on
    from charged
    where feature is not null
    union all
    select 'cost_center' as scope_type, cost_center as scope, billing_month,
        cast(spend_date as {{ dbt.type_timestamp() }}) as event_at,
        spend_row_id as event_id, spend_usd as amount_usd, 'day' as measured_on
    from spend
    where attribution = 'account'

),

running as (

    select
        events.*,
        sum(events.amount_usd) over (
            partition by events.scope_type, events.scope, events.billing_month
            order by events.event_at, events.event_id
            rows between unbounded preceding and current row
        ) as running_usd
    from events
    inner join budgets
        on budgets.scope_type = events.scope_type
        and budgets.scope = events.scope
        and budgets.billing_month = events.billing_month

),

thresholds as (

    {% for action, level in levels -%}
    select
        scope_type, scope, billing_month, cost_center, budget_usd,
        '{{ action }}' as action,
        cast({{ level }} as {{ ailedger.type_ratio() }}) as threshold,
        {{ ailedger.money('budget_usd * ' ~ level) }} as threshold_usd
    from budgets
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

budget_crossings as (

    select
        thresholds.scope_type,
        thresholds.scope,
        thresholds.billing_month,
        thresholds.cost_center,
        thresholds.action,
        thresholds.threshold,
        thresholds.budget_usd,
        thresholds.threshold_usd,
        running.event_at as crossed_at,
        running.running_usd as spend_at_crossing_usd,
        running.measured_on,
        row_number() over (
            partition by thresholds.scope_type, thresholds.scope, thresholds.billing_month,
                thresholds.action
            order by running.event_at, running.event_id
        ) as crossing_rank
    from thresholds
    inner join running
        on running.scope_type = thresholds.scope_type
        and running.scope = thresholds.scope
        and running.billing_month = thresholds.billing_month
        and running.running_usd - running.amount_usd < thresholds.threshold_usd
        and running.running_usd >= thresholds.threshold_usd

),

scope_daily as (

    select 'cost_center' as scope_type, cost_center as scope, spend_date,
        sum(spend_usd) as spend_usd
    from spend
    where is_attributed
    group by cost_center, spend_date
    union all
    select 'feature' as scope_type, feature as scope, spend_date, sum(spend_usd) as spend_usd
    from spend
    where feature is not null
    group by feature, spend_date

),

days as (

    select distinct spend_date from spend

),

scopes as (

    select distinct scope_type, scope from scope_daily

),

-- Every scope on every day the organization had spend, 0 where the scope had none.
scope_days as (

    select
        scopes.scope_type,
        scopes.scope,
        days.spend_date,
        coalesce(scope_daily.spend_usd, 0) as spend_usd
    from scopes
    cross join days
    left join scope_daily
        on scope_daily.scope_type = scopes.scope_type
        and scope_daily.scope = scopes.scope
        and scope_daily.spend_date = days.spend_date

),

windowed as (

    select
        *,
        avg(spend_usd) over (
            partition by scope_type, scope order by spend_date
            rows between {{ trailing_days }} preceding and 1 preceding
        ) as trailing_avg_usd,
        count(*) over (
            partition by scope_type, scope order by spend_date
            rows between {{ trailing_days }} preceding and 1 preceding
        ) as trailing_days
    from scope_days

),

spikes as (

    select
        windowed.scope_type,
        windowed.scope,
        cast({{ dbt.date_trunc('month', 'windowed.spend_date') }} as date) as billing_month,
        case when windowed.scope_type = 'cost_center' then windowed.scope
             else budgets.cost_center end as cost_center,
        'emergency_stop' as action,
        cast({{ var('ailedger_spend_spike_multiplier') }} as {{ ailedger.type_ratio() }}) as threshold,
        budgets.budget_usd,
        {{ ailedger.money('windowed.trailing_avg_usd * ' ~ var('ailedger_spend_spike_multiplier')) }}
            as threshold_usd,
        cast(windowed.spend_date as {{ dbt.type_timestamp() }}) as crossed_at,
        windowed.spend_usd as spend_at_crossing_usd,
        'day' as measured_on,
        row_number() over (
            partition by windowed.scope_type, windowed.scope,
                {{ dbt.date_trunc('month', 'windowed.spend_date') }}
            order by windowed.spend_date
        ) as crossing_rank
    from windowed
    left join budgets
        on budgets.scope_type = windowed.scope_type
        and budgets.scope = windowed.scope
        and budgets.billing_month = cast({{ dbt.date_trunc('month', 'windowed.spend_date') }}
            as date)
    where windowed.trailing_days = {{ trailing_days }}
      and windowed.trailing_avg_usd > 0
      and windowed.spend_usd > {{ var('ailedger_spend_spike_multiplier') }} * windowed.trailing_avg_usd

),

unioned as (

    select * from budget_crossings where crossing_rank = 1
    union all
    select * from spikes where crossing_rank = 1

),

final as (

    select
        cast({{ dbt.concat(['scope_type', "'|'", 'scope', "'|'",
            'cast(billing_month as ' ~ dbt.type_string() ~ ')', "'|'", 'action']) }}
            as {{ dbt.type_string() }}) as alert_id,
        cast(scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(scope as {{ dbt.type_string() }}) as scope,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(billing_month as date) as billing_month,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(threshold as {{ ailedger.type_ratio() }}) as threshold,
        {{ ailedger.money('budget_usd') }} as budget_usd,
        {{ ailedger.money('threshold_usd') }} as threshold_usd,
        cast(crossed_at as {{ dbt.type_timestamp() }}) as crossed_at,
        cast(crossed_at as date) as crossed_date,
        {{ ailedger.money('spend_at_crossing_usd') }} as spend_at_crossing_usd,
        cast(measured_on as {{ dbt.type_string() }}) as measured_on
    from unioned

)

select * from final
