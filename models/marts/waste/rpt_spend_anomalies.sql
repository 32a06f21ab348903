{#- One row per scope and period that crossed an anomaly rule (only crossings are kept):
    - daily_spend_spike: a team's, or the organization's, re-priced spend on a UTC day above
      var('ailedger_spend_spike_multiplier') (K) × its average daily spend over the previous
      var('ailedger_spend_spike_baseline_days') days (days without spend count as 0; a scope
      needs that much history first), on a day of at least var('ailedger_spend_spike_min_usd').
      This K is the emergency-stop multiplier.
    - token_velocity: a team and feature's tokens in one UTC hour above
      var('ailedger_velocity_ceiling_tokens_per_hour'), or above K × the 95th percentile of its
      hourly tokens over the previous baseline days while at least
      var('ailedger_velocity_min_tokens_per_hour'). -#}
{%- set k = var('ailedger_spend_spike_multiplier') -%}
{%- set baseline_days = var('ailedger_spend_spike_baseline_days') -%}
with

hourly as (

    select * from {{ ref('int_llm_spend_hourly') }}

),

scope_daily as (

    select
        'team' as scope_type,
        team as scope,
        spend_date,
        sum(cost_usd) as cost_usd
    from hourly
    group by team, spend_date

    union all

    select
        'organization' as scope_type,
        '__organization__' as scope,
        spend_date,
        sum(cost_usd) as cost_usd
    from hourly
    group by spend_date

),

scope_history as (

    select scope_type, scope, min(spend_date) as first_spend_date
    from scope_daily
    group by scope_type, scope

),

daily_baselines as (

    select
        today.scope_type,
        today.scope,
        today.spend_date,
        today.cost_usd,
        sum(earlier.cost_usd) / {{ baseline_days }} as trailing_baseline
    from scope_daily as today
    inner join scope_history
        on scope_history.scope_type = today.scope_type
        and scope_history.scope = today.scope
    left join scope_daily as earlier
        on earlier.scope_type = today.scope_type
        and earlier.scope = today.scope
        and earlier.spend_date < today.spend_date
        and earlier.spend_date >= {{ dbt.dateadd('day', -1 * baseline_days, 'today.spend_date') }}
    where scope_history.first_spend_date <= {{ dbt.dateadd('day', -1 * baseline_days, 'today.spend_date') }}
    group by today.scope_type, today.scope, today.spend_date, today.cost_usd

),

spend_spikes as (

    select
        'daily_spend_spike' as kind,
        scope_type,
        scope,
        case when scope_type = 'team' then scope end as team,
        cast(null as {{ dbt.type_string() }}) as feature,
        'day' as period,
        cast(spend_date as {{ dbt.type_timestamp() }}) as period_start_at,
        'usd' as unit,
        {{ ailedger.money('cost_usd') }} as observed,
        {{ ailedger.money('trailing_baseline') }} as trailing_baseline,
        {{ ailedger.money('cost_usd') }} as cost_usd
    from daily_baselines
    where trailing_baseline > 0
        and cost_usd > {{ k }} * trailing_baseline
        and cost_usd >= {{ var('ailedger_spend_spike_min_usd') }}

),

feature_history as (

    select team, feature, min(spend_date) as first_spend_date
    from hourly
    group by team, feature

),

feature_days as (

    select distinct team, feature, spend_date
    from hourly

),

hourly_baselines as (

    select
        feature_days.team,
        feature_days.feature,
        feature_days.spend_date,
        {{ ailedger.percentile('earlier.tokens', 0.95) }} as trailing_p95_tokens
    from feature_days
    inner join feature_history
        on feature_history.team = feature_days.team
        and feature_history.feature = feature_days.feature
    inner join hourly as earlier
        on earlier.team = feature_days.team
        and earlier.feature = feature_days.feature
        and earlier.spend_date < feature_days.spend_date
        and earlier.spend_date >= {{ dbt.dateadd('day', -1 * baseline_days, 'feature_days.spend_date') }}
    where feature_history.first_spend_date
        <= {{ dbt.dateadd('day', -1 * baseline_days, 'feature_days.spend_date') }}
    group by feature_days.team, feature_days.feature, feature_days.spend_date

),

velocity as (

    select
        'token_velocity' as kind,
        'team_feature' as scope_type,
        {{ dbt.concat(["hourly.team", "'|'", "hourly.feature"]) }} as scope,
        hourly.team,
        hourly.feature,
        'hour' as period,
        hourly.hour_at as period_start_at,
        'tokens' as unit,
        {{ ailedger.money('hourly.tokens') }} as observed,
        {{ ailedger.money('hourly_baselines.trailing_p95_tokens') }} as trailing_baseline,
        hourly.cost_usd
    from hourly
    left join hourly_baselines
        on hourly_baselines.team = hourly.team
        and hourly_baselines.feature = hourly.feature
        and hourly_baselines.spend_date = hourly.spend_date
    where hourly.tokens > {{ var('ailedger_velocity_ceiling_tokens_per_hour') }}
        or (hourly.tokens >= {{ var('ailedger_velocity_min_tokens_per_hour') }}
            and hourly.tokens > {{ k }} * hourly_baselines.trailing_p95_tokens)

),

crossings as (

    select * from spend_spikes
    union all
    select * from velocity

),

final as (

    select
        cast({{ dbt.concat([
            "kind", "'|'", "scope", "'|'", "cast(period_start_at as " ~ dbt.type_string() ~ ")"
        ]) }} as {{ dbt.type_string() }}) as anomaly_id,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(scope as {{ dbt.type_string() }}) as scope,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(period as {{ dbt.type_string() }}) as period,
        cast(period_start_at as {{ dbt.type_timestamp() }}) as period_start_at,
        cast(unit as {{ dbt.type_string() }}) as unit,
        {{ ailedger.money('observed') }} as observed,
        {{ ailedger.money('trailing_baseline') }} as trailing_baseline,
        cast(case when trailing_baseline > 0
             then cast(observed as {{ ailedger.type_ratio() }})
                  / cast(trailing_baseline as {{ ailedger.type_ratio() }})
        end as {{ ailedger.type_ratio() }}) as ratio,
        {{ ailedger.money('cost_usd') }} as cost_usd
    from crossings

)

select * from final
