{{ config(severity='warn') }}
{#- Every landed gateway file contributes LLM calls with token counts to fct_llm_requests. A
    file that lands but yields none is named here with the reason, never silently dropped:
    `no model` (no record names a model: not LLM calls, or an instrumentation whose model
    attribute ailedger does not read) or `no token counts`. A file whose requests all came
    from another copy (counted once there) is not a finding. -#}
with

spend_logs as (

    select source_file, model_name, prompt_tokens as input_tokens, output_tokens
    from {{ ref('stg_litellm__spend_logs') }}

),

standard_logging as (

    select source_file, model_name, prompt_tokens as input_tokens, output_tokens
    from {{ ref('stg_litellm__standard_logging') }}

),

spans as (

    select source_file, model_name, input_tokens_total as input_tokens, output_tokens
    from {{ ref('stg_otel__genai_spans') }}

),

landed as (

    select * from spend_logs
    union all
    select * from standard_logging
    union all
    select * from spans

),

files as (

    select
        source_file,
        count(*) as landed_rows,
        sum(case when nullif(trim(model_name), '') is not null then 1 else 0 end)
            as rows_with_model,
        sum(case when input_tokens is not null or output_tokens is not null then 1 else 0 end)
            as rows_with_tokens
    from landed
    group by source_file

),

findings as (

    select
        source_file,
        landed_rows,
        case when rows_with_model = 0 then 'no model' else 'no token counts' end as reason
    from files
    where rows_with_model = 0 or rows_with_tokens = 0

)

select * from findings
