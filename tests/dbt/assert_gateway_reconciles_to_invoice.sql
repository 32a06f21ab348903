{{ config(severity='warn') }}
{#- Provider-months where the gateway's re-priced requests miss the invoice by more than
    var('ailedger_reconciliation_tolerance_pct'). Warn by default: a real gap is a finding to
    report, not a reason to stop a scheduled build. Run with --vars or config to make it fail. -#}
select
    billing_month,
    provider,
    invoice_cost_usd,
    gateway_cost_usd,
    gap_usd,
    gap_pct
from {{ ref('rpt_reconciliation') }}
where has_invoice
  and status = 'gap'
