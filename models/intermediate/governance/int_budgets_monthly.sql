{#- One row per budget scope (a cost center or a feature) and billing month with spend: the
    budget in effect that month (seeds/cost_centers.csv, seeds/feature_budgets.csv; a row
    applies to the months with effective_from <= month start < effective_to) and the alert
    level that applies to it (the cost center's own alert_pct, else the global var). -#}
with

cost_centers as (

    select * from {{ ref('cost_centers') }}

),

feature_budgets as (

    select * from {{ ref('feature_budgets') }}

),

months as (

    select distinct billing_month from {{ ref('int_spend_by_owner_daily') }}

),

cost_center_budgets as (

    select
        'cost_center' as scope_type,
        cost_centers.cost_center as scope,
        months.billing_month,
        cost_centers.cost_center,
        cost_centers.cost_center_name,
        cost_centers.owner,
        cost_centers.monthly_budget_usd as budget_usd,
        coalesce(cost_centers.alert_pct, {{ var('ailedger_budget_alert_pct') }}) as alert_pct
    from cost_centers
    inner join months
        on cost_centers.effective_from <= months.billing_month
        and (cost_centers.effective_to is null
             or months.billing_month < cost_centers.effective_to)

),

feature_limits as (

    select
        'feature' as scope_type,
        feature_budgets.feature as scope,
        months.billing_month,
        feature_budgets.cost_center,
        cast(null as {{ dbt.type_string() }}) as cost_center_name,
        cast(null as {{ dbt.type_string() }}) as owner,
        feature_budgets.monthly_limit_usd as budget_usd,
        {{ var('ailedger_budget_alert_pct') }} as alert_pct
    from feature_budgets
    inner join months
        on feature_budgets.effective_from <= months.billing_month
        and (feature_budgets.effective_to is null
             or months.billing_month < feature_budgets.effective_to)

),

unioned as (

    select * from cost_center_budgets
    union all
    select * from feature_limits

),

final as (

    select
        cast({{ dbt.concat(['scope_type', "'|'", 'scope', "'|'",
            'cast(billing_month as ' ~ dbt.type_string() ~ ')']) }}
            as {{ dbt.type_string() }}) as budget_month_id,
        cast(scope_type as {{ dbt.type_string() }}) as scope_type,
        cast(scope as {{ dbt.type_string() }}) as scope,
        cast(billing_month as date) as billing_month,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(cost_center_name as {{ dbt.type_string() }}) as cost_center_name,
        cast(owner as {{ dbt.type_string() }}) as owner,
        {{ ailedger.money('budget_usd') }} as budget_usd,
        cast(alert_pct as {{ ailedger.type_ratio() }}) as alert_pct
    from unioned

)

select * from final
