{#- Values staging could not read become NULL so that every model still builds (landing
    rejects such flat values; values inside JSON columns, and rows landed before those
    checks, reach staging). This names the rows: start_time outside var ailedger_timestamp_window. -#}
{{ config(severity='warn') }}

select cost_row_id as row_key, 'start_time outside var ailedger_timestamp_window' as reason
from {{ ref('stg_openai__costs') }}
where bucket_start_at is null
