{#- One row per feature and reason it needs governance, as of the last day with spend:
      approval_needed     monthly run-rate above var ailedger_feature_approval_above_usd and
                          no approval in seeds/feature_approvals.csv dated on or before then;
      quarterly_audit_due monthly run-rate above var ailedger_quarterly_audit_above_usd
                          (approved or not).
    Monthly run-rate = the feature's spend over the last var ailedger_run_rate_days days (fewer
    when the data is younger) / those days × 30. -#}
{%- set window_days = var('ailedger_run_rate_days') | int -%}
with

spend as (

    select * from {{ ref('int_spend_by_owner_daily') }}

),

approvals as (

    select * from {{ ref('feature_approvals') }}

),

mappings as (

    select * from {{ ref('cost_center_mappings') }}

),

data_window as (

    select
        max(spend_date) as as_of_date,
        cast({{ dbt.dateadd('day', 1 - window_days, 'max(spend_date)') }} as date)
            as window_from,
        min(spend_date) as first_date
    from spend

),

window_length as (

    select
        as_of_date,
        window_from,
        case when first_date > window_from
             then {{ ailedger.days_between('first_date', 'as_of_date') }} + 1
             else {{ window_days }} end as window_days
    from data_window

),

feature_run_rates as (

    select
        spend.feature,
        window_length.as_of_date,
        window_length.window_days,
        sum(spend.spend_usd) as window_spend_usd,
        {{ ailedger.money('sum(spend.spend_usd) * 30 / max(window_length.window_days)') }}
            as run_rate_monthly_usd
    from spend
    cross join window_length
    where spend.feature is not null
      and spend.spend_date >= window_length.window_from
    group by spend.feature, window_length.as_of_date, window_length.window_days

),

reasons as (

    select
        feature_run_rates.*,
        'approval_needed' as reason,
        {{ var('ailedger_feature_approval_above_usd') }} as threshold_usd
    from feature_run_rates
    where run_rate_monthly_usd > {{ var('ailedger_feature_approval_above_usd') }}
    union all
    select
        feature_run_rates.*,
        'quarterly_audit_due' as reason,
        {{ var('ailedger_quarterly_audit_above_usd') }} as threshold_usd
    from feature_run_rates
    where run_rate_monthly_usd > {{ var('ailedger_quarterly_audit_above_usd') }}

),

joined as (

    select
        reasons.*,
        approvals.approved_on,
        owners.cost_center
    from reasons
    left join approvals
        on approvals.feature = reasons.feature
        and approvals.approved_on <= reasons.as_of_date
    left join mappings as owners
        on owners.owner_kind = 'feature'
        and owners.owner_key = reasons.feature
        and owners.effective_from <= reasons.as_of_date
        and (owners.effective_to is null or reasons.as_of_date < owners.effective_to)

),

final as (

    select
        cast({{ dbt.concat(['feature', "'|'", 'reason']) }} as {{ dbt.type_string() }})
            as queue_id,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(reason as {{ dbt.type_string() }}) as reason,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        {{ ailedger.money('run_rate_monthly_usd') }} as run_rate_monthly_usd,
        {{ ailedger.money('threshold_usd') }} as threshold_usd,
        {{ ailedger.money('window_spend_usd') }} as window_spend_usd,
        cast(window_days as {{ dbt.type_bigint() }}) as window_days,
        cast(as_of_date as date) as as_of_date,
        cast(approved_on as date) as approved_on
    from joined
    where reason = 'quarterly_audit_due' or approved_on is null

)

select * from final
