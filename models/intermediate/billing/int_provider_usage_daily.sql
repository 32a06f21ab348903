{#- Provider-reported token usage per day, provider, model, account and batch flag, with
    the same de-duplication as costs (a result landed twice counts once, latest copy). The Console CSV export is used only for days the
    usage-report API did not cover, so the two never add up twice. -#}
with

openai_usage as (

    select
        'openai' as provider, usage_date, model_name, project_id as account_id, is_batch,
        uncached_input_tokens, cache_read_tokens,
        cache_write_tokens as cache_write_5m_tokens,
        cast(0 as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        output_tokens, request_count,
        row_number() over (
            partition by bucket_start_at, model_name, project_id, api_key_id, user_id,
                is_batch, service_tier
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_openai__usage_completions') }}

),

anthropic_usage as (

    select
        'anthropic' as provider, usage_date, model_name, workspace_id as account_id, is_batch,
        uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens,
        cache_write_1h_tokens, output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as request_count,
        row_number() over (
            partition by bucket_start_at, model_name, service_tier, workspace_id, api_key_id,
                context_window
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_anthropic__usage_report') }}

),

console_usage as (

    select
        'anthropic' as provider, usage_date, model_name,
        cast(null as {{ dbt.type_string() }}) as account_id,
        coalesce(lower(usage_type) like '%batch%', false) as is_batch,
        uncached_input_tokens, cache_read_tokens, cache_write_5m_tokens,
        cache_write_1h_tokens, output_tokens,
        cast(null as {{ dbt.type_bigint() }}) as request_count,
        -- Console exports of overlapping ranges (re-exports of the same days): each day is
        -- taken whole from the most recently landed file that covers it.
        dense_rank() over (
            partition by usage_date
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_anthropic__console_usage') }}
    where usage_date not in (select usage_date from {{ ref('stg_anthropic__usage_report') }})

),

unioned as (

    select * from openai_usage where copy_rank = 1
    union all
    select * from anthropic_usage where copy_rank = 1
    union all
    select * from console_usage where copy_rank = 1

),

resolved as (

    select
        unioned.provider,
        unioned.usage_date,
        {{ ailedger.canonical_model('unioned.model_name') }} as model,
        coalesce(unioned.account_id, '') as account_id,
        unioned.is_batch,
        unioned.uncached_input_tokens,
        unioned.cache_read_tokens,
        unioned.cache_write_5m_tokens,
        unioned.cache_write_1h_tokens,
        unioned.output_tokens,
        unioned.request_count
    from unioned
    {{ ailedger.canonical_model_joins('unioned.provider', 'unioned.model_name') }}

),

aggregated as (

    select
        provider,
        usage_date,
        model,
        account_id,
        is_batch,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(output_tokens) as output_tokens,
        sum(request_count) as request_count
    from resolved
    group by provider, usage_date, model, account_id, is_batch

)

select
    {{ dbt.concat(['provider', "'|'", 'cast(usage_date as ' ~ dbt.type_string() ~ ')', "'|'", 'model', "'|'", 'account_id', "'|'", 'cast(is_batch as ' ~ dbt.type_string() ~ ')']) }}
        as usage_day_id,
    *
from aggregated
