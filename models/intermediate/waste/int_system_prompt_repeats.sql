{#- One row per route, billing month, system prompt hash, provider and model: how often the
    same system prompt was sent, whether the provider billed any cache reads for those calls,
    and what caching its prefix would have saved.

    Only a hash of the system prompt lands, never its text, so its length is estimated as the
    smallest input token count seen with that hash (over all routes and months). The prefix
    counts only when it reaches the provider's minimum cacheable length
    (seeds/prompt_cache_minimums: a model's own row, else its provider's). The saving per call
    is prefix × (input price − cache-read price) at the price row the call was priced with. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

prices as (

    select * from {{ ref('model_prices') }}

),

cache_minimums as (

    select * from {{ ref('prompt_cache_minimums') }}

),

calls as (

    select
        coalesce(route, '{{ var("ailedger_untagged_route") }}') as route,
        billing_month,
        system_prompt_sha256,
        provider,
        model,
        price_effective_from,
        cache_read_tokens,
        uncached_input_tokens + cache_read_tokens + cache_write_tokens as input_tokens
    from requests
    where status = 'success'
        and not is_cache_hit
        and system_prompt_sha256 is not null
        -- a call that billed no input (an older proxy logs its cache hits this way) sent no prompt
        and uncached_input_tokens + cache_read_tokens + cache_write_tokens > 0

),

prefixes as (

    select
        system_prompt_sha256,
        min(input_tokens) as prefix_tokens
    from calls
    group by system_prompt_sha256

),

priced_calls as (

    select
        calls.*,
        {{ ailedger.money(
            '(prices.input_per_1m_usd - coalesce(prices.cache_read_per_1m_usd, prices.input_per_1m_usd)) / 1000000'
        ) }} as saving_per_prefix_token_usd
    from calls
    left join prices
        on prices.provider = calls.provider
        and prices.model = calls.model
        and prices.effective_from = calls.price_effective_from

),

grouped as (

    select
        route,
        billing_month,
        system_prompt_sha256,
        provider,
        model,
        count(*) as requests,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(saving_per_prefix_token_usd) as saving_per_prefix_token_usd
    from priced_calls
    group by route, billing_month, system_prompt_sha256, provider, model

),

with_minimum as (

    select
        grouped.*,
        prefixes.prefix_tokens,
        coalesce(model_minimum.min_prefix_tokens, provider_minimum.min_prefix_tokens)
            as min_prefix_tokens
    from grouped
    inner join prefixes
        on prefixes.system_prompt_sha256 = grouped.system_prompt_sha256
    left join cache_minimums as model_minimum
        on model_minimum.provider = grouped.provider
        and model_minimum.model = grouped.model
    left join cache_minimums as provider_minimum
        on provider_minimum.provider = grouped.provider
        -- `*`: the provider's default (a seed's empty text cell reads as 'None' on Spark).
        and provider_minimum.model = '*'

),

final as (

    select
        cast(route as {{ dbt.type_string() }}) as route,
        cast(billing_month as date) as billing_month,
        cast(system_prompt_sha256 as {{ dbt.type_string() }}) as system_prompt_sha256,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(prefix_tokens as {{ dbt.type_bigint() }}) as prefix_tokens,
        cast(min_prefix_tokens as {{ dbt.type_bigint() }}) as min_prefix_tokens,
        requests >= {{ var('ailedger_duplicate_prompt_min_repeats') }} and cache_read_tokens = 0
            as is_duplicated,
        {{ ailedger.money(
            'case when requests >= ' ~ var('ailedger_duplicate_prompt_min_repeats') ~
            ' and cache_read_tokens = 0 and prefix_tokens >= min_prefix_tokens' ~
            ' then prefix_tokens * coalesce(saving_per_prefix_token_usd, 0) else 0 end'
        ) }} as missed_cache_savings_usd
    from with_minimum

)

select * from final
