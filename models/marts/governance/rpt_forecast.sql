{#- One row per cost center and billing month, plus the whole organization as cost center
    `__organization__`: month-to-date spend and where the run-rate takes it by month end.
    The as-of date is the last day with any spend; a month's observed days run from its first
    day (or the first day with data, if later) to the as-of date (or month end).
    forecast_month_end_usd = mtd_usd + mtd_usd / days_observed × days_remaining (a closed
    month's forecast is its actual); forecast_with_buffer_usd adds
    var ailedger_forecast_buffer_pct to the projected rest of the month (spent money carries
    no uncertainty); will_overrun when the buffered forecast exceeds the budget. Cost centers
    count the spend charged to them directly (by request or account); the organization counts
    all spend, against the sum of the cost centers' budgets. -#}
with

spend as (

    select * from {{ ref('int_spend_by_owner_daily') }}

),

budgets as (

    select * from {{ ref('int_budgets_monthly') }}
    where scope_type = 'cost_center'

),

data_window as (

    select min(spend_date) as first_date, max(spend_date) as as_of_date from spend

),

months as (

    select
        months.billing_month,
        data_window.as_of_date,
        case when data_window.first_date > months.billing_month
             then data_window.first_date else months.billing_month end as observed_from,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.billing_month')) }}
             as date) as month_end
    from (select distinct billing_month from spend) as months
    cross join data_window

),

calendar as (

    select
        billing_month,
        as_of_date,
        {{ ailedger.days_between('observed_from',
            'case when as_of_date < month_end then as_of_date else month_end end') }} + 1
            as days_observed,
        case when as_of_date < month_end
             then {{ ailedger.days_between('as_of_date', 'month_end') }} else 0 end
            as days_remaining
    from months

),

cost_center_spend as (

    select billing_month, cost_center, sum(spend_usd) as mtd_usd
    from spend
    where is_attributed
    group by billing_month, cost_center

),

organization_spend as (

    select billing_month, '__organization__' as cost_center, sum(spend_usd) as mtd_usd
    from spend
    group by billing_month

),

cost_center_rows as (

    select
        coalesce(cost_center_spend.billing_month, budgets.billing_month) as billing_month,
        coalesce(cost_center_spend.cost_center, budgets.scope) as cost_center,
        coalesce(cost_center_spend.mtd_usd, 0) as mtd_usd,
        budgets.budget_usd
    from cost_center_spend
    full outer join budgets
        on budgets.billing_month = cost_center_spend.billing_month
        and budgets.scope = cost_center_spend.cost_center

),

organization_rows as (

    select
        organization_spend.billing_month,
        organization_spend.cost_center,
        organization_spend.mtd_usd,
        organization_budget.budget_usd
    from organization_spend
    left join (
        select billing_month, sum(budget_usd) as budget_usd from budgets group by billing_month
    ) as organization_budget
        on organization_budget.billing_month = organization_spend.billing_month

),

unioned as (

    select * from cost_center_rows
    union all
    select * from organization_rows

),

forecast as (

    select
        unioned.billing_month,
        unioned.cost_center,
        calendar.as_of_date,
        calendar.days_observed,
        calendar.days_remaining,
        unioned.mtd_usd,
        unioned.budget_usd,
        {{ ailedger.money('unioned.mtd_usd / calendar.days_observed') }} as daily_run_rate_usd,
        {{ ailedger.money('unioned.mtd_usd + unioned.mtd_usd * calendar.days_remaining'
            ~ ' / calendar.days_observed') }} as forecast_month_end_usd
    from unioned
    inner join calendar
        on calendar.billing_month = unioned.billing_month

),

-- Spent money is certain: the buffer applies to the projected rest of the month only.
buffered as (

    select
        *,
        mtd_usd + (forecast_month_end_usd - mtd_usd)
            * (1 + {{ var('ailedger_forecast_buffer_pct') }}) as forecast_with_buffer_usd
    from forecast

),

final as (

    select
        cast({{ dbt.concat(['cost_center', "'|'",
            'cast(billing_month as ' ~ dbt.type_string() ~ ')']) }}
            as {{ dbt.type_string() }}) as forecast_id,
        cast(billing_month as date) as billing_month,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(as_of_date as date) as as_of_date,
        cast(days_observed as {{ dbt.type_bigint() }}) as days_observed,
        cast(days_remaining as {{ dbt.type_bigint() }}) as days_remaining,
        {{ ailedger.money('mtd_usd') }} as mtd_usd,
        {{ ailedger.money('daily_run_rate_usd') }} as daily_run_rate_usd,
        {{ ailedger.money('forecast_month_end_usd') }} as forecast_month_end_usd,
        {{ ailedger.money('forecast_with_buffer_usd') }} as forecast_with_buffer_usd,
        {{ ailedger.money('budget_usd') }} as budget_usd,
        cast(case when budget_usd is not null
             then forecast_with_buffer_usd > budget_usd end as boolean) as will_overrun
    from buffered

)

select * from final
