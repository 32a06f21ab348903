{#- One row per route, provider, model, UTC day and batch flag: the gateway's calls summed,
    the building block of the waste surfaces. Token counts cover only calls that reached the
    provider (gateway response-cache hits cost nothing and are left out of the token mix);
    cost_usd is the request fact's re-priced cost, null when any call of the group is
    unpriced. Calls with no route or feature tag fall under var('ailedger_untagged_route'). -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

labelled as (

    select
        coalesce(route, '{{ var("ailedger_untagged_route") }}') as route,
        provider,
        model,
        requested_date,
        billing_month,
        coalesce(is_batch, false) as is_batch,
        case when is_cache_hit then 0 else 1 end as reached_provider,
        case when is_priced then 0 else 1 end as is_unpriced,
        case when is_cache_hit then 0 else uncached_input_tokens end as uncached_input_tokens,
        case when is_cache_hit then 0 else cache_read_tokens end as cache_read_tokens,
        case when is_cache_hit then 0 else cache_write_5m_tokens end as cache_write_5m_tokens,
        case when is_cache_hit then 0 else cache_write_1h_tokens end as cache_write_1h_tokens,
        case when is_cache_hit then 0 else output_tokens end as output_tokens,
        web_search_requests,
        cost_usd
    from requests

),

summed as (

    select
        route,
        provider,
        model,
        requested_date,
        billing_month,
        is_batch,
        count(*) as requests,
        sum(reached_provider) as provider_calls,
        sum(is_unpriced) as unpriced_requests,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(output_tokens) as output_tokens,
        sum(web_search_requests) as web_search_requests,
        sum(cost_usd) as cost_usd
    from labelled
    group by route, provider, model, requested_date, billing_month, is_batch

),

final as (

    select
        cast(route as {{ dbt.type_string() }}) as route,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(requested_date as date) as requested_date,
        cast(billing_month as date) as billing_month,
        cast(is_batch as boolean) as is_batch,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(provider_calls as {{ dbt.type_bigint() }}) as provider_calls,
        cast(unpriced_requests as {{ dbt.type_bigint() }}) as unpriced_requests,
        cast(uncached_input_tokens as {{ dbt.type_bigint() }}) as uncached_input_tokens,
        cast(cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(cache_write_5m_tokens as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(cache_write_1h_tokens as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(uncached_input_tokens + cache_read_tokens + cache_write_5m_tokens
             + cache_write_1h_tokens + output_tokens as {{ dbt.type_bigint() }}) as total_tokens,
        cast(web_search_requests as {{ dbt.type_bigint() }}) as web_search_requests,
        case when unpriced_requests = 0 then {{ ailedger.money('cost_usd') }} end as cost_usd
    from summed

)

select * from final
