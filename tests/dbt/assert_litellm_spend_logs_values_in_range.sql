{#- Values staging could not read become NULL so that every model still builds (landing
    rejects such flat values; values inside JSON columns, and rows landed before those
    checks, reach staging). This names the rows: a usage_object cache token count is not a 64-bit whole number. -#}
{{ config(severity='warn') }}

select spend_log_row_id as row_key, 'a usage_object cache token count is not a 64-bit whole number' as reason
from {{ ref('stg_litellm__spend_logs') }}
where cache_read_tokens is null or cache_write_5m_tokens is null or cache_write_1h_tokens is null
