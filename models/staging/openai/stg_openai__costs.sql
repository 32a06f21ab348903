{#- line_item reads "<model>, <charge>" (e.g. "gpt-4o-2024-08-06, cached input"). -#}
{%- set comma_at = dbt.position("', '", 'line_item') -%}
{%- set after_comma = dbt.right('line_item', dbt.length('line_item') ~ ' - ' ~ comma_at ~ ' - 1') -%}
{%- set charge_type = 'case when ' ~ comma_at ~ ' > 0 then lower(trim(' ~ after_comma ~ ')) end' -%}

with

source as (

    select * from {{ source('openai', 'openai_costs') }}
    -- The one filter: a dashboard CSV writes an empty daily bucket as a row with only its time
    -- columns; it carries no charge.
    where amount_value is not null or line_item is not null

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as cost_row_id,
        project_id,
        api_key_id,
        organization_id,
        user_id,

        ---------- strings
        cast('openai' as {{ dbt.type_string() }}) as provider,
        line_item,
        -- A line item without a comma names no charge: model_name is the whole line item.
        {{ dbt.split_part('line_item', "', '", 1) }} as model_name,
        {{ charge_type }} as charge_type,
        lower(amount_currency) as currency,
        quantity_unit,
        project_name,
        organization_name,
        user_email,
        api_source,

        ---------- numerics
        -- OpenAI amounts are dollars already.
        {{ ailedger.money('amount_value') }} as billed_cost_usd,
        quantity,

        ---------- booleans
        coalesce({{ charge_type }} like 'batch%', false) as is_batch,

        ---------- timestamps
        coalesce({{ ailedger.epoch_to_timestamp('start_time') }}, start_time_iso) as bucket_start_at,
        coalesce({{ ailedger.epoch_to_timestamp('end_time') }}, end_time_iso) as bucket_end_at,
        cast(coalesce({{ ailedger.epoch_to_timestamp('start_time') }}, start_time_iso) as date)
            as cost_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
