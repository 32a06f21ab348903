{#- Token costs are never negative: not ailedger's re-pricing, not the gateway's logged cost,
    not a provider's billed token line (credits and refunds are not token lines). -#}
select 'fct_llm_requests' as model_name, request_id as row_key, cost_usd as amount_usd
from {{ ref('fct_llm_requests') }}
where cost_usd < 0 or gateway_cost_usd < 0
union all
select 'fct_provider_costs_daily', cost_day_id, billed_cost_usd
from {{ ref('fct_provider_costs_daily') }}
where billed_cost_usd < 0
