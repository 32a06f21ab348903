{#- Each gateway request re-priced from the price book row in effect when it was made.
    Calls served from the gateway's own response cache cost nothing. -#}
with

requests as (

    select * from {{ ref('int_llm_requests_unioned') }}

),

provider_aliases as (

    select * from {{ ref('provider_aliases') }}

),

prices as (

    select * from {{ ref('model_prices') }}

),

-- A model priced by exactly one provider tells us the provider when the log does not; resellers
-- (Azure, Bedrock) that price the maker's model under the same name do not make it ambiguous.
priced_models as (

    select distinct
        model,
        provider,
        provider in ({% for p in var('ailedger_hosting_providers') %}'{{ p }}'{% if not loop.last %}, {% endif %}{% endfor %})
            as is_hosting
    from prices

),

single_provider_models as (

    select
        model,
        coalesce(min(case when not is_hosting then provider end), min(provider)) as provider
    from priced_models
    group by model
    having count(distinct case when not is_hosting then provider end) = 1
        or count(distinct provider) = 1

),

with_provider as (

    select
        requests.*,
        coalesce(
            named.provider,
            prefixed.provider,
            single_provider_models.provider,
            requests.provider_name
        ) as provider
    from requests
    left join provider_aliases as named
        on named.provider_name = requests.provider_name
    left join provider_aliases as prefixed
        on prefixed.provider_name = lower({{ ailedger.provider_prefix('requests.model_name') }})
    left join single_provider_models
        on single_provider_models.model = lower({{ ailedger.strip_provider_prefix('requests.model_name') }})

),

with_model as (

    select
        with_provider.*,
        {{ ailedger.canonical_model('with_provider.model_name') }} as model
    from with_provider
    {{ ailedger.canonical_model_joins('with_provider.provider', 'with_provider.model_name') }}

),

flagged as (

    select
        *,
        coalesce(service_tier = 'batch', false) as is_batch
    from with_model

),

priced as (

    select
        flagged.*,
        prices.effective_from as price_effective_from,
        prices.input_per_1m_usd is not null as is_priced,
        -- A hit in LiteLLM's own response cache never reached the provider: nothing billed.
        case when flagged.is_cache_hit and prices.input_per_1m_usd is not null
             then {{ ailedger.money(0) }}
             else {{ ailedger.token_cost('flagged', 'prices', 'flagged.is_batch') }}
        end as cost_usd
    from flagged
    left join prices
        on prices.provider = flagged.provider
        and prices.model = flagged.model
        and prices.effective_from <= cast(flagged.requested_at as date)
        and (prices.effective_to is null or cast(flagged.requested_at as date) < prices.effective_to)

)

select * from priced
