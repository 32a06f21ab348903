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
        -- What classifies the line (seeds/invoice_line_categories.csv).
        lower(line_item) as match_text,
        charge_type is not null as names_model,
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
        lower({{ dbt.concat(["coalesce(cost_type, '')", "' | '", "coalesce(token_type, '')", "' | '", "coalesce(description, '')"]) }})
            as match_text,
        model_name is not null as names_model,
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

-- Managed models bought through a cloud bill (Bedrock, Azure OpenAI, Vertex AI), already
-- de-duplicated and converted to USD in the cloud-cost grain.
cloud_model_costs as (

    select
        provider,
        cloud_cost_id as cost_row_id,
        charge_period_start_at as bucket_start_at,
        cost_date,
        model_name,
        charge_type,
        -- Classified like the API lines, by the token kind the cloud line bills
        -- (seeds/invoice_line_categories.csv: `cloud | <kind>`).
        lower({{ dbt.concat(["'cloud | '", 'charge_type']) }}) as match_text,
        true as names_model,
        is_batch,
        account_id,
        billed_cost_usd,
        'usd' as currency,
        loaded_at,
        load_id,
        1 as copy_rank
    from {{ ref('int_cloud_model_costs_classified') }}

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
        -- Classified as the cost report's lines are; the Console names token types its own
        -- way (input_no_cache, ...), which the seed's patterns also cover.
        lower({{ dbt.concat(["coalesce(cost_type, '')", "' | '", "coalesce(token_type, '')", "' | '"]) }})
            as match_text,
        model_name is not null as names_model,
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
    select * from cloud_model_costs
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
        unioned.match_text,
        unioned.names_model,
        unioned.is_batch,
        unioned.account_id,
        unioned.billed_cost_usd,
        lower(unioned.currency) as currency,
        unioned.loaded_at
    from unioned
    {{ ailedger.canonical_model_joins('unioned.provider', 'unioned.model_name') }}

)

select * from resolved
