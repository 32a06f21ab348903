{#- Every priced model the gateway used for generation has a row in seeds/model_tiers.csv, so
    model-tier overspend never silently skips a model. Models only in the price book, and
    embedding models (nothing to right-size to), need none. -#}
select distinct requests.provider, requests.model
from {{ ref('fct_llm_requests') }} as requests
inner join {{ ref('model_prices') }} as prices
    on prices.provider = requests.provider
    and prices.model = requests.model
    and prices.effective_from = requests.price_effective_from
left join {{ ref('model_tiers') }} as tiers
    on tiers.provider = requests.provider
    and tiers.model = requests.model
where requests.is_priced
    and coalesce(prices.mode, 'chat') <> 'embedding'
    and tiers.model is null
