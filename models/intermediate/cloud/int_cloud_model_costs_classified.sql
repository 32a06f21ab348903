{#- One row per cloud bill line that is a managed-model charge: Bedrock (first-party and
    Marketplace usage types, every naming scheme), Azure OpenAI and Vertex AI through FOCUS.
    The provider is the name the gateway side uses (seeds/cloud_ai_services.csv), so these
    lines reconcile with gateway traffic; tokens are counted in tokens whatever the pricing
    unit (1K or 1M). -#}
{%- set text = "lower(" ~ dbt.concat(["coalesce(costs.usage_type, '')", "' '", "coalesce(costs.charge_description, '')", "' '", "coalesce(costs.usage_detail, '')"]) ~ ")" -%}
with

costs as (

    select * from {{ ref('int_cloud_costs_converted') }}

),

services as (

    select * from {{ ref('cloud_ai_services') }}

),

-- CUR token usage types name no service when bought through the Marketplace; they are
-- Bedrock's by their shape.
cur_token_lines as (

    select costs.cloud_cost_id
    from costs
    where costs.source_format = 'aws_cur'
        and costs.charge_category = 'usage'
        and (
            costs.usage_type like '%TokenCount%'
            or lower(costs.usage_type) like '%-tokens'
            or lower(costs.usage_type) like '%token-count'
            or lower(costs.usage_type) like '%!_tokens!_%' escape '!'
        )

),

matched as (

    select
        costs.*,
        services.provider,
        row_number() over (
            partition by costs.cloud_cost_id
            order by {{ dbt.length('services.service_match') }} desc
        ) as match_rank
    from costs
    left join cur_token_lines
        on cur_token_lines.cloud_cost_id = costs.cloud_cost_id
    inner join services
        on lower(costs.service_name) like {{ dbt.concat(["'%'", 'services.service_match', "'%'"]) }}
        or (cur_token_lines.cloud_cost_id is not null and services.service_match = 'amazonbedrock')
    where costs.charge_category = 'usage'

),

classified as (

    select
        cloud_cost_id,
        provider,
        source_format,
        cloud,
        account_id,
        billing_month,
        cast(charge_period_start_at as date) as cost_date,
        charge_period_start_at,
        -- First-party Bedrock usage types carry the model (USE1-Claude3Haiku-input-tokens);
        -- Marketplace ones and FOCUS lines name it in the description or meter.
        case
            when source_format = 'aws_cur' and usage_type not like '%MP:%'
                then {{ dbt.split_part('usage_type', "'-'", 2) }}
            else coalesce(charge_description, usage_type)
        end as model_name,
        case
            when {{ text.replace('costs.', '') }} like '%cache%read%'
                or {{ text.replace('costs.', '') }} like '%cached%' then 'cache_read'
            when {{ text.replace('costs.', '') }} like '%cache%write%' then 'cache_write'
            when {{ text.replace('costs.', '') }} like '%output%'
                or {{ text.replace('costs.', '') }} like '%outp%' then 'output'
            when {{ text.replace('costs.', '') }} like '%input%'
                or {{ text.replace('costs.', '') }} like '%inp%' then 'input'
            else 'other'
        end as charge_type,
        {{ text.replace('costs.', '') }} like '%batch%' as is_batch,
        usage_type,
        pricing_unit,
        cast(usage_amount * units_per_usage_amount as {{ dbt.type_numeric() }}) as token_count,
        billed_cost_usd,
        effective_cost_usd,
        currency,
        loaded_at,
        load_id
    from matched
    where match_rank = 1

)

select * from classified
