with

source as (

    select * from {{ source('gpu', 'opencost_allocations') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as allocation_row_id,
        allocation_name,
        cluster,
        node,
        namespace,
        controller,
        pod,
        container,

        ---------- strings
        cast(labels as {{ dbt.type_string() }}) as labels,

        ---------- numerics
        gpu_count,
        gpu_hours,
        {{ ailedger.money('gpu_cost') }} as gpu_cost_usd,
        {{ ailedger.money('cpu_cost') }} as cpu_cost_usd,
        {{ ailedger.money('ram_cost') }} as ram_cost_usd,
        {{ ailedger.money('total_cost') }} as total_cost_usd,

        ---------- booleans
        allocation_name = '__idle__' as is_idle,

        ---------- timestamps
        window_start as window_start_at,
        window_end as window_end_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
