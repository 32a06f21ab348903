{{ config(severity='warn') }}
{#- Models the gateway used that the price book cannot price, with their request counts.
    Their cost_usd is NULL (unknown, never 0): add the model to seeds/model_prices.csv
    (`ailedger prices import`) or an alias to seeds/model_aliases.csv. -#}
select
    provider,
    model,
    model_name_logged,
    count(*) as request_count,
    min(requested_at) as first_seen_at,
    max(requested_at) as last_seen_at
from {{ ref('fct_llm_requests') }}
where not is_priced
group by provider, model, model_name_logged
