{{ config(severity='warn') }}
{#- Provider-months whose unexplained remainder is above
    var('ailedger_unexplained_tolerance_pct') of the invoice: the cause split does not account
    for their gap (missing usage or cost exports, unclassified lines). -#}
select
    billing_month,
    provider,
    invoice_cost_usd,
    gap_usd,
    unexplained_usd,
    unexplained_pct
from {{ ref('rpt_reconciliation') }}
where has_invoice
  and invoice_cost_usd <> 0
  and abs(unexplained_pct) > {{ var('ailedger_unexplained_tolerance_pct') }}
