{#- Values staging could not read (a token count in JSON beyond 64 bits or not a number, an
    epoch outside var ailedger_timestamp_window) become NULL so that every model still
    builds. Landing rejects such flat values; this names the rows landed before it did,
    or the values inside JSON columns it does not check. -#}
{{ config(severity='warn') }}

with

spend_logs as (
    select * from {{ ref('stg_litellm__spend_logs') }}
),

standard_logging as (
    select * from {{ ref('stg_litellm__standard_logging') }}
),

spans as (
    select * from {{ ref('stg_otel__genai_spans') }}
),

openai_costs as (
    select * from {{ ref('stg_openai__costs') }}
),

openai_usage as (
    select * from {{ ref('stg_openai__usage_completions') }}
),

unreadable as (
    select 'stg_litellm__spend_logs' as model_name, spend_log_row_id as row_key,
           'usage_object cache token count out of range' as reason
    from spend_logs
    where cache_read_tokens is null or cache_write_5m_tokens is null
        or cache_write_1h_tokens is null
    union all
    select 'stg_litellm__standard_logging', payload_row_id,
           'usage_object cache token count out of range'
    from standard_logging
    where cache_read_tokens is null or cache_write_5m_tokens is null
        or cache_write_1h_tokens is null
    union all
    select 'stg_litellm__standard_logging', payload_row_id,
           'startTime outside ailedger_timestamp_window'
    from standard_logging
    where requested_at is null
    union all
    select 'stg_otel__genai_spans', span_row_id, 'gen_ai.usage token count out of range'
    from spans
    where cache_read_tokens is null or cache_write_5m_tokens is null
    union all
    select 'stg_openai__costs', cost_row_id, 'start_time outside ailedger_timestamp_window'
    from openai_costs
    where bucket_start_at is null
    union all
    select 'stg_openai__usage_completions', usage_row_id,
           'start_time outside ailedger_timestamp_window'
    from openai_usage
    where bucket_start_at is null
)

select * from unreadable
