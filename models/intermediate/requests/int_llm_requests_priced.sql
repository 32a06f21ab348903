{#- Each gateway request re-priced from the price book row in effect when it was made, in the
    long-context band its input fell in and at the service tier it was served, each token kind
    on its own column (token_cost_parts). Calls served from the gateway's own response cache
    cost nothing. -#}
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

deployments as (

    select * from {{ ref('model_deployments') }}

),

-- A deployment name (Azure's are arbitrary) is priced as its base model: the mapping seed
-- first, then the price-map key LiteLLM priced it with (model_info.base_model).
with_deployment as (

    select
        with_provider.*,
        coalesce(deployments.base_model, with_provider.base_model_name, with_provider.model_name)
            as pricing_model_name
    from with_provider
    left join deployments
        on deployments.provider = with_provider.provider
        and lower(deployments.deployment) in (
            lower(with_provider.model_name),
            lower({{ ailedger.strip_provider_prefix('with_provider.model_name') }})
        )

),

with_candidates as (

    select
        with_deployment.*,
        {{ ailedger.canonical_model('with_deployment.pricing_model_name') }} as named_model,
        {{ ailedger.canonical_model('with_deployment.model_group', '_group') }} as group_model
    from with_deployment
    {{ ailedger.canonical_model_joins('with_deployment.provider', 'with_deployment.pricing_model_name') }}
    {{ ailedger.canonical_model_joins('with_deployment.provider', 'with_deployment.model_group', '_group') }}

),

-- The gateway's model group (the public name a deployment serves) prices a request whose own
-- model name has no price row.
with_model as (

    select
        with_candidates.*,
        case when named_price.model is null and group_price.model is not null
             then with_candidates.group_model
             else with_candidates.named_model
        end as model
    from with_candidates
    left join priced_models as named_price
        on named_price.provider = with_candidates.provider
        and named_price.model = with_candidates.named_model
    left join priced_models as group_price
        on group_price.provider = with_candidates.provider
        and group_price.model = with_candidates.group_model

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
        band.above_input_tokens as long_context_above_tokens,
        {%- set parts = ailedger.token_cost_parts(
            'flagged', 'prices', 'flagged.is_batch', band='band', service_tier='flagged.service_tier') %}
        {%- for name in ['uncached_input', 'cache_read', 'cache_write', 'output'] %}
        -- A hit in LiteLLM's own response cache never reached the provider: nothing billed.
        case when flagged.is_cache_hit and prices.input_per_1m_usd is not null
             then {{ ailedger.money(0) }}
             else {{ parts[name] }}
        end as {{ name }}_cost_usd,
        {%- endfor %}
        -- Server-side tool calls, priced per call and never inside cost_usd.
        case when flagged.is_cache_hit then {{ ailedger.money(0) }}
             else {{ ailedger.tool_cost('flagged', 'prices') }}
        end as tool_cost_usd
    from flagged
    left join prices
        on prices.provider = flagged.provider
        and prices.model = flagged.model
        and prices.effective_from <= cast(flagged.requested_at as date)
        and (prices.effective_to is null or cast(flagged.requested_at as date) < prices.effective_to)
    {{ ailedger.long_context_band_join('prices', 'flagged', 'band') }}

),

totalled as (

    select
        *,
        -- The sum of the parts, so that they add up to it exactly on every row.
        uncached_input_cost_usd + cache_read_cost_usd + cache_write_cost_usd + output_cost_usd
            as cost_usd
    from priced

),

discounts as (

    select * from {{ ref('provider_discounts') }}

),

-- The negotiated rate in effect for a request: its provider's most specific matching pattern.
discount_candidates as (

    select
        totalled.request_id,
        discounts.discount_pct,
        discounts.input_per_1m_usd,
        discounts.cache_read_per_1m_usd,
        discounts.cache_write_per_1m_usd,
        discounts.output_per_1m_usd,
        row_number() over (
            partition by totalled.request_id
            order by length(discounts.model_pattern) desc, discounts.effective_from desc
        ) as match_rank
    from totalled
    inner join discounts
        on discounts.provider = totalled.provider
        and totalled.model like discounts.model_pattern
        and discounts.effective_from <= cast(totalled.requested_at as date)
        and (discounts.effective_to is null
             or cast(totalled.requested_at as date) < discounts.effective_to)

),

negotiated as (

    select * from discount_candidates where match_rank = 1

),

-- List cost after negotiated rates (FOCUS EffectiveCost): a custom price replaces the list price
-- of its token kind, a discount takes its share off every other kind.
effective as (

    select
        totalled.*,
        case
            when totalled.cost_usd is null or negotiated.request_id is null then totalled.cost_usd
            when totalled.is_cache_hit then {{ ailedger.money(0) }}
            else {{ ailedger.money(
                'coalesce(coalesce(totalled.uncached_input_tokens, 0) * negotiated.input_per_1m_usd / 1000000, '
                ~ 'totalled.uncached_input_cost_usd * (1 - coalesce(negotiated.discount_pct, 0)))'
                ~ ' + coalesce(coalesce(totalled.cache_read_tokens, 0) * negotiated.cache_read_per_1m_usd / 1000000, '
                ~ 'totalled.cache_read_cost_usd * (1 - coalesce(negotiated.discount_pct, 0)))'
                ~ ' + coalesce((coalesce(totalled.cache_write_5m_tokens, 0) + coalesce(totalled.cache_write_1h_tokens, 0))'
                ~ ' * negotiated.cache_write_per_1m_usd / 1000000, '
                ~ 'totalled.cache_write_cost_usd * (1 - coalesce(negotiated.discount_pct, 0)))'
                ~ ' + coalesce(coalesce(totalled.output_tokens, 0) * negotiated.output_per_1m_usd / 1000000, '
                ~ 'totalled.output_cost_usd * (1 - coalesce(negotiated.discount_pct, 0)))'
            ) }}
        end as effective_cost_usd
    from totalled
    left join negotiated
        on negotiated.request_id = totalled.request_id

)

select * from effective
