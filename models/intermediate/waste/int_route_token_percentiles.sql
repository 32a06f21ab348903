{#- One row per route, provider, model and billing month: the median and 95th percentile of
    input tokens (uncached + cache read + cache write) and output tokens per call, over calls
    that reached the provider. Computed once here so the waste marts share one definition. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

calls as (

    select
        coalesce(route, '{{ var("ailedger_untagged_route") }}') as route,
        provider,
        model,
        billing_month,
        uncached_input_tokens + cache_read_tokens + cache_write_tokens as input_tokens,
        output_tokens
    from requests
    where status = 'success' and not is_cache_hit

),

percentiles as (

    select
        route,
        provider,
        model,
        billing_month,
        count(*) as provider_calls,
        {{ ailedger.percentile('input_tokens', 0.5) }} as p50_input_tokens,
        {{ ailedger.percentile('input_tokens', 0.95) }} as p95_input_tokens,
        {{ ailedger.percentile('output_tokens', 0.5) }} as p50_output_tokens,
        {{ ailedger.percentile('output_tokens', 0.95) }} as p95_output_tokens
    from calls
    group by route, provider, model, billing_month

),

final as (

    select
        cast(route as {{ dbt.type_string() }}) as route,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(billing_month as date) as billing_month,
        cast(provider_calls as {{ dbt.type_bigint() }}) as provider_calls,
        cast(p50_input_tokens as {{ ailedger.type_ratio() }}) as p50_input_tokens,
        cast(p95_input_tokens as {{ ailedger.type_ratio() }}) as p95_input_tokens,
        cast(p50_output_tokens as {{ ailedger.type_ratio() }}) as p50_output_tokens,
        cast(p95_output_tokens as {{ ailedger.type_ratio() }}) as p95_output_tokens
    from percentiles

)

select * from final
