{#- Every provider cost export in one grain: one billed line per provider, bucket, model and
    charge. A line landed more than once (an API pull and a dashboard CSV of the same days,
    overlapping pulls, a restated day) is kept once: the most recently landed copy. The key
    uses only what both shapes carry (the CSV also names the organization, the API does not),
    so files split by project or by page still add up. -#}
with

openai_costs as (

    select
        'openai' as provider,
        cost_row_id,
        bucket_start_at,
        cost_date,
        model_name,
        charge_type,
        is_batch,
        project_id as account_id,
        billed_cost_usd,
        currency,
        loaded_at,
        load_id,
        row_number() over (
            partition by bucket_start_at, line_item, project_id, api_key_id
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_openai__costs') }}

),

anthropic_costs as (

    select
        'anthropic' as provider,
        cost_row_id,
        bucket_start_at,
        cost_date,
        model_name,
        coalesce(token_type, cost_type) as charge_type,
        is_batch,
        workspace_id as account_id,
        billed_cost_usd,
        currency,
        loaded_at,
        load_id,
        row_number() over (
            partition by bucket_start_at, model_name, cost_type, token_type, service_tier,
                context_window, workspace_id, description
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_anthropic__cost_report') }}

),

-- The Console cost CSV is used only for days the cost report API did not cover, and each
-- day whole from the most recently landed Console file (re-exports overlap).
console_costs as (

    select
        'anthropic' as provider,
        cost_row_id,
        bucket_start_at,
        cost_date,
        model_name,
        coalesce(token_type, cost_type) as charge_type,
        is_batch,
        workspace_name as account_id,
        billed_cost_usd,
        currency,
        loaded_at,
        load_id,
        dense_rank() over (
            partition by cost_date
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from {{ ref('stg_anthropic__console_cost') }}
    where cost_date not in (select cost_date from {{ ref('stg_anthropic__cost_report') }})

),

unioned as (

    select * from openai_costs where copy_rank = 1
    union all
    select * from anthropic_costs where copy_rank = 1
    union all
    select * from console_costs where copy_rank = 1

),

resolved as (

    select
        unioned.cost_row_id,
        unioned.provider,
        unioned.cost_date,
        unioned.model_name,
        {{ ailedger.canonical_model('unioned.model_name') }} as model,
        unioned.charge_type,
        unioned.is_batch,
        unioned.account_id,
        unioned.billed_cost_usd,
        lower(unioned.currency) as currency,
        unioned.loaded_at
    from unioned
    {{ ailedger.canonical_model_joins('unioned.provider', 'unioned.model_name') }}

)

select * from resolved
