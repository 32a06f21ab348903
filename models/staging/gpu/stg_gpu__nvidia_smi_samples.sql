with

source as (

    select * from {{ source('gpu', 'nvidia_smi_samples') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as sample_id,
        uuid as gpu_uuid,
        cast(gpu_index as {{ dbt.type_string() }}) as gpu_index,
        hostname,

        ---------- strings
        gpu_name as gpu_model_name,
        pci_bus_id,
        source_timezone,

        ---------- numerics
        utilization_gpu_percent,
        utilization_memory_percent,
        memory_total_mib,
        memory_used_mib,
        power_draw_w,

        ---------- timestamps (UTC: local times were converted at landing)
        sampled_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
