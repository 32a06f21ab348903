with

source as (

    select * from {{ source('gpu', 'dcgm_samples') }}
    -- The one filter: DCGM writes "not supported" as sentinel values (int64 and fp64 blanks
    -- from 2^31 - 16 up); no real GPU metric comes near them.
    where value < {{ var('ailedger_dcgm_sentinel_min') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as sample_id,
        uuid as gpu_uuid,
        gpu as gpu_index,
        hostname,

        ---------- strings
        metric_name,
        model_name as gpu_model_name,
        device,
        nullif(namespace, '') as namespace,
        nullif(pod, '') as pod,
        nullif(container, '') as container,

        ---------- numerics
        -- Kept in the metric's own unit: % for DEV_*_UTIL, a 0-1 ratio for PROF_*, MiB, W.
        value,

        ---------- timestamps
        sampled_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
