{{
    config(
        materialized='incremental',
        on_schema_change='append_new_columns',
        **ailedger.request_fact_config()
    )
}}
{#- One row per LLM call seen by a gateway, re-priced. Incremental: each run re-processes
    whole request days: the last var('ailedger_lookback_days') days, plus every day that has
    requests landed since the last run, replacing them (late or re-exported data corrects
    itself; whole days so that engines which overwrite partitions lose nothing). -#}
{%- set requires = var('ailedger_attribution_requires') -%}
with

all_priced as (

    select * from {{ ref('int_llm_requests_priced') }}

),

priced as (

    select * from all_priced
    {% if is_incremental() %}
    where cast(requested_at as date) >= (
            select {{ dbt.dateadd('day', -1 * var('ailedger_lookback_days'), 'max(requested_date)') }}
            from {{ this }})
       or cast(requested_at as date) in (
            select cast(requested_at as date) from all_priced
            -- An empty fact (first built before anything landed) takes every request.
            where loaded_at > (
                select coalesce(max(loaded_at), cast('1970-01-01' as {{ dbt.type_timestamp() }}))
                from {{ this }}))
    {% endif %}

),

final as (

    select
        cast(request_id as {{ dbt.type_string() }}) as request_id,
        cast(requested_at as {{ dbt.type_timestamp() }}) as requested_at,
        cast(cast(requested_at as date) as date) as requested_date,
        cast({{ dbt.date_trunc('month', 'requested_at') }} as date) as billing_month,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(model_name as {{ dbt.type_string() }}) as model_name_logged,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(customer as {{ dbt.type_string() }}) as customer,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(coalesce(route, feature) as {{ dbt.type_string() }}) as route,
        ({% for dim in requires %}{{ dim }} is not null{% if not loop.last %} and {% endif %}{% endfor %})
            as is_attributed,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(coalesce(uncached_input_tokens, 0) as {{ dbt.type_bigint() }}) as uncached_input_tokens,
        cast(coalesce(cache_read_tokens, 0) as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(coalesce(cache_write_5m_tokens, 0) + coalesce(cache_write_1h_tokens, 0)
             as {{ dbt.type_bigint() }}) as cache_write_tokens,
        cast(coalesce(cache_write_5m_tokens, 0) as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(coalesce(cache_write_1h_tokens, 0) as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(coalesce(output_tokens, 0) as {{ dbt.type_bigint() }}) as output_tokens,
        cast(reasoning_tokens as {{ dbt.type_bigint() }}) as reasoning_tokens,
        is_batch,
        coalesce(is_cache_hit, false) as is_cache_hit,
        {{ ailedger.money('cost_usd') }} as cost_usd,
        {{ ailedger.money('gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('gateway_cost_usd - cost_usd') }} as gateway_overstatement_usd,
        is_priced,
        cast(price_effective_from as date) as price_effective_from,
        cast(session_id as {{ dbt.type_string() }}) as session_id,
        cast(api_key_hash as {{ dbt.type_string() }}) as api_key_hash,
        cast(system_prompt_sha256 as {{ dbt.type_string() }}) as system_prompt_sha256,
        cast(source_format as {{ dbt.type_string() }}) as source_format,
        cast(source_file as {{ dbt.type_string() }}) as source_file,
        cast(loaded_at as {{ dbt.type_timestamp() }}) as loaded_at,
        cast(service_tier as {{ dbt.type_string() }}) as service_tier,
        cast(long_context_above_tokens as {{ dbt.type_bigint() }}) as long_context_above_tokens,
        {{ ailedger.money('uncached_input_cost_usd') }} as uncached_input_cost_usd,
        {{ ailedger.money('cache_read_cost_usd') }} as cache_read_cost_usd,
        {{ ailedger.money('cache_write_cost_usd') }} as cache_write_cost_usd,
        {{ ailedger.money('output_cost_usd') }} as output_cost_usd,
        cast(coalesce(web_search_requests, 0) as {{ dbt.type_bigint() }}) as web_search_requests,
        {{ ailedger.money('tool_cost_usd') }} as tool_cost_usd,
        {{ ailedger.money('effective_cost_usd') }} as effective_cost_usd,
        cast(provisioned_commitment_id as {{ dbt.type_string() }}) as provisioned_commitment_id,
        {{ ailedger.money('provisioned_cost_usd') }} as provisioned_cost_usd,
        coalesce(is_cache_unknown, false) as is_cache_unknown,
        cast(api_key_alias as {{ dbt.type_string() }}) as api_key_alias
    from priced

)

select * from final
