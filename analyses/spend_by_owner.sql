-- Spend per team, feature, customer and cost center, per month: who spent what.
-- Team, feature and customer come from the gateway's requests (re-priced; `(none)` where the
-- request carried no such tag); cost center is what rpt_chargeback charges, so it also holds
-- spend that bypassed the gateway in an owned account and the allocated unattributable spend.
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

chargeback as (

    select * from {{ ref('rpt_chargeback') }}

),

by_dimension as (

    select 'team' as dimension, coalesce(team, '(none)') as owner, billing_month,
        sum(cost_usd) as spend_usd
    from requests
    group by coalesce(team, '(none)'), billing_month
    union all
    select 'feature' as dimension, coalesce(feature, '(none)') as owner, billing_month,
        sum(cost_usd) as spend_usd
    from requests
    group by coalesce(feature, '(none)'), billing_month
    union all
    select 'customer' as dimension, coalesce(customer, '(none)') as owner, billing_month,
        sum(cost_usd) as spend_usd
    from requests
    group by coalesce(customer, '(none)'), billing_month
    union all
    select 'cost_center' as dimension, cost_center as owner, billing_month,
        sum(chargeback_usd) as spend_usd
    from chargeback
    group by cost_center, billing_month

)

select dimension, owner, billing_month, spend_usd
from by_dimension
order by dimension, billing_month, spend_usd desc
