-- Budget against actual per cost center and month, with where the month is heading: the
-- chargeback (direct spend + allocated share) against the budget, the forecast, and the first
-- budget threshold each crossed.
with

chargeback as (

    select * from {{ ref('rpt_chargeback') }}

),

forecast as (

    select * from {{ ref('rpt_forecast') }}

),

alerts as (

    select * from {{ ref('rpt_budget_alerts') }}
    where scope_type = 'cost_center'

),

highest_crossing as (

    select
        scope as cost_center,
        billing_month,
        max(case action when 'alert' then 1 when 'fallback' then 2 when 'halt' then 3 end)
            as level,
        min(crossed_at) as first_crossed_at
    from alerts
    where action <> 'emergency_stop'
    group by scope, billing_month

)

select
    chargeback.billing_month,
    chargeback.cost_center,
    chargeback.cost_center_name,
    chargeback.owner,
    chargeback.budget_usd,
    chargeback.actual_usd,
    chargeback.allocated_shared_usd,
    chargeback.chargeback_usd,
    chargeback.variance_usd,
    chargeback.utilization_pct,
    forecast.forecast_month_end_usd,
    forecast.forecast_with_buffer_usd,
    forecast.will_overrun,
    case highest_crossing.level
        when 1 then 'alert' when 2 then 'fallback' when 3 then 'halt' else 'none'
    end as budget_status,
    highest_crossing.first_crossed_at
from chargeback
left join forecast
    on forecast.cost_center = chargeback.cost_center
    and forecast.billing_month = chargeback.billing_month
left join highest_crossing
    on highest_crossing.cost_center = chargeback.cost_center
    and highest_crossing.billing_month = chargeback.billing_month
order by chargeback.billing_month, chargeback.cost_center
