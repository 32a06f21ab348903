with

source as (

    select * from {{ source('anthropic', 'anthropic_console_cost') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as cost_row_id,
        workspace as workspace_name,
        api_key as api_key_name,

        ---------- strings
        cast('anthropic' as {{ dbt.type_string() }}) as provider,
        model as model_display_name,
        -- The Console writes display names ("Claude Sonnet 4.5", "Claude 3.5 Haiku"); the
        -- API id is the same words, lowercased, with dashes ("claude-sonnet-4-5").
        lower(replace(replace(trim(model), ' ', '-'), '.', '-')) as model_name,
        usage_type,
        context_window,
        token_type,
        coalesce(nullif(cost_type, ''), 'tokens') as cost_type,
        inference_geo,
        speed,
        cast('usd' as {{ dbt.type_string() }}) as currency,

        ---------- numerics
        {{ ailedger.money('cost_usd') }} as billed_cost_usd,

        ---------- booleans
        coalesce(lower(usage_type) like '%batch%', false) as is_batch,

        ---------- timestamps
        cast(usage_date_utc as {{ dbt.type_timestamp() }}) as bucket_start_at,
        usage_date_utc as cost_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
