{#- Nothing is lost between raw and the request fact: every landed gateway record reaches
    staging, and every distinct request id among the LLM calls reaches fct_llm_requests.
    The one documented dedupe is on request_id (int_llm_requests_unioned). -#}
with

landed as (

    select 'litellm_spend_logs' as source_table, count(*) as raw_rows,
        (select count(*) from {{ ref('stg_litellm__spend_logs') }}) as staged_rows
    from {{ source('litellm', 'litellm_spend_logs') }}
    union all
    select 'litellm_standard_logging', count(*),
        (select count(*) from {{ ref('stg_litellm__standard_logging') }})
    from {{ source('litellm', 'litellm_standard_logging') }}
    union all
    select 'otel_genai_spans', count(*),
        (select count(*) from {{ ref('stg_otel__genai_spans') }})
    from {{ source('otel', 'otel_genai_spans') }}

),

request_ids as (

    select request_id from {{ ref('stg_litellm__spend_logs') }}
    union
    select request_id from {{ ref('stg_litellm__standard_logging') }}
    union
    select request_id from {{ ref('stg_otel__genai_spans') }} where model_name is not null

),

expected as (

    select count(*) as n from request_ids

),

actual as (

    select count(*) as n from {{ ref('fct_llm_requests') }}

)

select source_table, raw_rows, staged_rows, null as expected_requests, null as fact_requests
from landed
where raw_rows <> staged_rows
union all
select 'fct_llm_requests', null, null, expected.n, actual.n
from expected cross join actual
where expected.n <> actual.n
