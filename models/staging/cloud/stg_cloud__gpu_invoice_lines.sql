with

source as (

    select * from {{ source('cloud', 'gpu_invoice') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as invoice_line_id,
        resource_id,

        ---------- strings
        gpu_type,
        upper(coalesce(currency, 'USD')) as currency,
        cast(tags as {{ dbt.type_string() }}) as tags,

        ---------- numerics
        gpu_count,
        {{ ailedger.money('cost') }} as cost,

        ---------- timestamps
        started_at,
        ended_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
