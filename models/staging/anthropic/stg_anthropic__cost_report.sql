with

source as (

    select * from {{ source('anthropic', 'anthropic_cost_report') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as cost_row_id,
        workspace_id,

        ---------- strings
        cast('anthropic' as {{ dbt.type_string() }}) as provider,
        model as model_name,
        cost_type,
        token_type,
        service_tier,
        context_window,
        description,
        lower(currency) as currency,

        ---------- numerics
        -- amount is in CENTS ("123.45" = $1.2345). Multiplying keeps DECIMAL on every engine
        -- (DuckDB turns decimal division into a double).
        {{ ailedger.money('amount') }} as billed_cost_cents,
        {{ ailedger.money('amount * 0.01') }} as billed_cost_usd,

        ---------- booleans
        coalesce(service_tier = 'batch', false) as is_batch,

        ---------- timestamps
        starting_at as bucket_start_at,
        ending_at as bucket_end_at,
        cast(starting_at as date) as cost_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
