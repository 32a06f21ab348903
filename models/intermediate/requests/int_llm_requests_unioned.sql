{#- Every gateway format in one request grain. A request exported twice (overlapping exports,
    or the same proxy logged both as SpendLogs and StandardLoggingPayload) is kept once: the
    most recently landed copy, SpendLogs first. Spans that are not LLM calls are left out. -#}
{%- set common = [
    'request_id', 'requested_at', 'completed_at', 'provider_name', 'model_name', 'status',
    'team', 'feature', 'customer', 'cost_center', 'route', 'service_tier',
    'uncached_input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens',
    'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens', 'session_id',
    'system_prompt_sha256', 'is_cache_hit', 'load_id', 'source_file', 'source_row_number',
    'loaded_at',
] -%}
with

spend_logs as (

    select
        {{ common | join(', ') }},
        api_key_hash,
        gateway_cost_usd,
        'litellm_spend_logs' as source_format,
        1 as source_preference,
        false as is_cache_unknown,
        api_key_alias
    from {{ ref('stg_litellm__spend_logs') }}

),

standard_logging as (

    select
        {{ common | join(', ') }},
        api_key_hash,
        gateway_cost_usd,
        'litellm_standard_logging' as source_format,
        2 as source_preference,
        false as is_cache_unknown,
        api_key_alias
    from {{ ref('stg_litellm__standard_logging') }}

),

otel_spans as (

    select
        {{ common | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as api_key_hash,
        cast(null as {{ ailedger.type_money() }}) as gateway_cost_usd,
        'otel_genai_spans' as source_format,
        3 as source_preference,
        is_cache_unknown,
        cast(null as {{ dbt.type_string() }}) as api_key_alias
    from {{ ref('stg_otel__genai_spans') }}
    where model_name is not null

),

unioned as (

    select * from spend_logs
    union all
    select * from standard_logging
    union all
    select * from otel_spans

),

ranked as (

    select
        *,
        row_number() over (
            partition by request_id
            order by source_preference, loaded_at desc, load_id desc, source_row_number desc
        ) as copy_rank
    from unioned

),

deduplicated as (

    select * from ranked where copy_rank = 1

)

select * from deduplicated
