{#- One row per provider, day, model and tier of gateway requests: the tokens that reached the
    provider (calls answered from the gateway's own response cache never did) and their
    re-priced cost, for comparing with the invoice cell by cell. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

aggregated as (

    select
        provider,
        requested_date as usage_date,
        billing_month,
        model,
        -- Tier as both sides report it today: the batch API or not.
        case when is_batch then 'batch' else 'standard' end as tier,
        sum(case when is_cache_hit then 0 else uncached_input_tokens end) as uncached_input_tokens,
        sum(case when is_cache_hit then 0 else cache_read_tokens end) as cache_read_tokens,
        sum(case when is_cache_hit then 0 else cache_write_5m_tokens end) as cache_write_5m_tokens,
        sum(case when is_cache_hit then 0 else cache_write_1h_tokens end) as cache_write_1h_tokens,
        sum(case when is_cache_hit then 0 else output_tokens end) as output_tokens,
        -- THE one place the reconciliation reads the gateway's cost: effective cost (after
        -- negotiated rates), so the invoice is compared with what was actually agreed.
        sum(effective_cost_usd) as gateway_effective_cost_usd,
        sum(cost_usd) as gateway_list_cost_usd,
        -- Server-side tool calls the gateway saw, priced apart from tokens.
        sum(case when is_cache_hit then 0 else coalesce(tool_cost_usd, 0) end)
            as gateway_tool_cost_usd,
        -- Mis-pricing only where the gateway logged a cost (spans log none).
        sum(gateway_cost_usd) as gateway_logged_cost_usd,
        sum(case when gateway_cost_usd is not null then gateway_cost_usd - cost_usd end)
            as gateway_mispricing_usd,
        -- Requests whose source reports no cache reads: priced as uncached, maybe overstated.
        sum(case when is_cache_unknown then effective_cost_usd else 0 end) as cache_unknown_usd,
        count(*) as request_count,
        sum(case when is_priced then 0 else 1 end) as unpriced_request_count
    from requests
    group by provider, requested_date, billing_month, model,
        case when is_batch then 'batch' else 'standard' end

),

final as (

    select
        cast({{ dbt.concat(['provider', "'|'", 'cast(usage_date as ' ~ dbt.type_string() ~ ')', "'|'", "coalesce(model, '')", "'|'", 'tier']) }}
             as {{ dbt.type_string() }}) as gateway_day_id,
        provider,
        usage_date,
        billing_month,
        coalesce(model, '') as model,
        tier,
        cast(uncached_input_tokens as {{ dbt.type_bigint() }}) as uncached_input_tokens,
        cast(cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(cache_write_5m_tokens as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(cache_write_1h_tokens as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        {{ ailedger.money('coalesce(gateway_effective_cost_usd, 0)') }} as gateway_effective_cost_usd,
        {{ ailedger.money('coalesce(gateway_list_cost_usd, 0)') }} as gateway_list_cost_usd,
        {{ ailedger.money('gateway_tool_cost_usd') }} as gateway_tool_cost_usd,
        {{ ailedger.money('coalesce(gateway_logged_cost_usd, 0)') }} as gateway_logged_cost_usd,
        {{ ailedger.money('coalesce(gateway_mispricing_usd, 0)') }} as gateway_mispricing_usd,
        {{ ailedger.money('coalesce(cache_unknown_usd, 0)') }} as cache_unknown_usd,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(unpriced_request_count as {{ dbt.type_bigint() }}) as unpriced_request_count
    from aggregated

)

select * from final
