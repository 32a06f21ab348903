{#- One row per self-hosted inference endpoint x billing month: what a million tokens cost on
    the endpoint's own GPUs (every billed hour of its pool, idle hours included) beside what
    the same tokens would have cost at the list price of a comparable API model. Endpoints,
    their pools and comparable models come from seeds/gpu_inference_endpoints.csv; requests
    match by the model name the gateway logged. Input tokens (uncached, cache read and cache
    write) are priced at the comparable model's input price, output at its output price. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

gpu_hours as (

    select * from {{ ref('int_gpu_hours_matched') }}

),

endpoints as (

    select * from {{ ref('gpu_inference_endpoints') }}

),

prices as (

    select * from {{ ref('model_prices') }}

),

endpoint_requests as (

    select
        endpoints.endpoint,
        cast({{ dbt.date_trunc('month', 'requests.requested_at') }} as date) as billing_month,
        coalesce(requests.uncached_input_tokens, 0) + coalesce(requests.cache_read_tokens, 0)
            + coalesce(requests.cache_write_tokens, 0) as input_tokens,
        coalesce(requests.output_tokens, 0) as output_tokens,
        prices.input_per_1m_usd,
        prices.output_per_1m_usd
    from requests
    inner join endpoints
        on lower(requests.model_name_logged) = lower(endpoints.gateway_model)
    left join prices
        on prices.provider = endpoints.comparable_provider
        and prices.model = endpoints.comparable_model
        and prices.effective_from <= cast(requests.requested_at as date)
        and (prices.effective_to is null
             or cast(requests.requested_at as date) < prices.effective_to)

),

usage as (

    select
        endpoint,
        billing_month,
        count(*) as request_count,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(input_tokens * input_per_1m_usd + output_tokens * output_per_1m_usd)
            as api_cost_per_1m_units,
        sum(case when input_per_1m_usd is null then 1 else 0 end) as unpriced_requests
    from endpoint_requests
    group by endpoint, billing_month

),

pool_costs as (

    select
        gpu_pool,
        billing_month,
        sum(gpu_hours) as gpu_hours,
        sum(idle_gpu_hours) as idle_gpu_hours,
        sum(effective_cost_usd) as gpu_cost_usd
    from gpu_hours
    group by gpu_pool, billing_month

),

joined as (

    select
        endpoints.endpoint,
        endpoints.gpu_pool,
        endpoints.gateway_model,
        endpoints.comparable_provider,
        endpoints.comparable_model,
        usage.billing_month,
        usage.request_count,
        usage.input_tokens,
        usage.output_tokens,
        usage.input_tokens + usage.output_tokens as total_tokens,
        pool_costs.gpu_hours,
        pool_costs.idle_gpu_hours,
        coalesce(pool_costs.gpu_cost_usd, 0) as gpu_cost_usd,
        case when usage.unpriced_requests = 0
            then usage.api_cost_per_1m_units * cast(0.000001 as decimal(18, 9))
        end as api_cost_usd
    from usage
    inner join endpoints
        on endpoints.endpoint = usage.endpoint
    left join pool_costs
        on pool_costs.gpu_pool = endpoints.gpu_pool
        and pool_costs.billing_month = usage.billing_month

),

final as (

    select
        cast({{ dbt.concat(['endpoint', "'|'", "cast(billing_month as " ~ dbt.type_string() ~ ")"]) }}
            as {{ dbt.type_string() }}) as inference_unit_cost_id,
        cast(billing_month as date) as billing_month,
        cast(endpoint as {{ dbt.type_string() }}) as endpoint,
        cast(gpu_pool as {{ dbt.type_string() }}) as gpu_pool,
        cast(gateway_model as {{ dbt.type_string() }}) as gateway_model,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(total_tokens as {{ dbt.type_bigint() }}) as total_tokens,
        cast(gpu_hours as {{ ailedger.type_ratio() }}) as gpu_hours,
        cast(idle_gpu_hours as {{ ailedger.type_ratio() }}) as idle_gpu_hours,
        {{ ailedger.money('gpu_cost_usd') }} as gpu_cost_usd,
        {{ ailedger.money('case when total_tokens > 0 then cast(gpu_cost_usd as ' ~ ailedger.type_ratio() ~ ') * 1000000 / total_tokens end') }}
            as cost_per_1m_tokens_usd,
        cast(comparable_provider as {{ dbt.type_string() }}) as comparable_provider,
        cast(comparable_model as {{ dbt.type_string() }}) as comparable_model,
        {{ ailedger.money('api_cost_usd') }} as api_cost_usd,
        {{ ailedger.money('case when total_tokens > 0 then cast(api_cost_usd as ' ~ ailedger.type_ratio() ~ ') * 1000000 / total_tokens end') }}
            as api_cost_per_1m_tokens_usd,
        cast(case when api_cost_usd > 0
            then cast(gpu_cost_usd as {{ ailedger.type_ratio() }})
                / cast(api_cost_usd as {{ ailedger.type_ratio() }})
        end as {{ ailedger.type_ratio() }}) as self_hosted_to_api_cost_ratio
    from joined

)

select * from final
