{#- Every priced model the gateway used has a row in seeds/model_tiers.csv, so model-tier
    overspend never silently skips a model. Models only in the price book are not required. -#}
select distinct requests.provider, requests.model
from {{ ref('fct_llm_requests') }} as requests
left join {{ ref('model_tiers') }} as tiers
    on tiers.provider = requests.provider
    and tiers.model = requests.model
where requests.is_priced
    and tiers.model is null
