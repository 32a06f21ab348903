{#- Every billing month, chargeback adds up to the month's total spend to the cent: the
    invoice of each provider-month that has one, the gateway's re-priced requests for one that
    has none (as rpt_reconciliation states them, a path independent of the chargeback's).
    A month on either side only is a failure too. -#}
with

billed as (

    select
        billing_month,
        sum(case when has_invoice then invoice_cost_usd else gateway_cost_usd end) as total_usd
    from {{ ref('rpt_reconciliation') }}
    group by billing_month

),

charged as (

    select billing_month, sum(chargeback_usd) as chargeback_usd
    from {{ ref('rpt_chargeback') }}
    group by billing_month

)

select
    coalesce(billed.billing_month, charged.billing_month) as billing_month,
    billed.total_usd,
    charged.chargeback_usd
from billed
full outer join charged
    on charged.billing_month = billed.billing_month
where billed.total_usd is null
   or charged.chargeback_usd is null
   or abs(billed.total_usd - charged.chargeback_usd) >= 0.005
