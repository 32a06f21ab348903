{#- Values staging could not read become NULL so that every model still builds (landing
    rejects such flat values; values inside JSON columns, and rows landed before those
    checks, reach staging). This names the rows: startTime outside var ailedger_timestamp_window, or a usage_object cache token count that is not a 64-bit whole number. -#}
{{ config(severity='warn') }}

select payload_row_id as row_key, 'startTime outside var ailedger_timestamp_window, or a usage_object cache token count that is not a 64-bit whole number' as reason
from {{ ref('stg_litellm__standard_logging') }}
where requested_at is null or cache_read_tokens is null or cache_write_5m_tokens is null or cache_write_1h_tokens is null
