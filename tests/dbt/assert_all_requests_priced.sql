{{ config(severity='warn') }}
{#- Models the gateway used that the price book cannot price, with their request counts.
    Their cost_usd is NULL (unknown, never 0): add the model to seeds/model_prices.csv
    (`ailedger prices import`) or an alias to seeds/model_aliases.csv. -#}
with

unpriced as (

    select provider, model, model_name_logged, requested_at
    from {{ ref('fct_llm_requests') }}
    where not is_priced

),

logged_names as (

    select distinct provider, model, model_name_logged from unpriced

),

names_per_model as (

    select provider, model, {{ ailedger.string_agg('model_name_logged', ', ') }} as logged_as
    from logged_names
    group by provider, model

),

counts as (

    select
        provider,
        model,
        count(*) as request_count,
        min(requested_at) as first_seen_at,
        max(requested_at) as last_seen_at
    from unpriced
    group by provider, model

)

select counts.*, names_per_model.logged_as
from counts
inner join names_per_model
    on names_per_model.provider = counts.provider
    and names_per_model.model = counts.model
