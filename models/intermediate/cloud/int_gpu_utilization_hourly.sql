{#- One row per billed resource x GPU x hour with telemetry: the GPU's average utilization
    (percent 0-100) and which metric gave it, its peak memory used and average power.
    DCGM_FI_DEV_GPU_UTIL and nvidia-smi utilization.gpu are percents; where a GPU has only
    DCGM_FI_PROF_GR_ENGINE_ACTIVE, that 0-1 ratio x 100 is used. A host is the billed resource
    itself, or mapped to it by seeds/gpu_host_resources.csv (by hostname or GPU UUID). -#}
with

dcgm as (

    select * from {{ ref('stg_gpu__dcgm_samples') }}

),

smi as (

    select * from {{ ref('stg_gpu__nvidia_smi_samples') }}

),

hosts as (

    select * from {{ ref('gpu_host_resources') }}

),

dcgm_hourly as (

    select
        hostname,
        coalesce(gpu_uuid, gpu_index) as gpu_key,
        cast({{ dbt.date_trunc('hour', 'sampled_at') }} as {{ dbt.type_timestamp() }}) as hour_at,
        avg(case when metric_name = 'DCGM_FI_DEV_GPU_UTIL' then value end) as direct_utilization_pct,
        avg(case when metric_name = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE' then value * 100 end)
            as engine_active_pct,
        max(case when metric_name = 'DCGM_FI_DEV_FB_USED' then value end) as memory_used_mib,
        avg(case when metric_name = 'DCGM_FI_DEV_POWER_USAGE' then value end) as power_w,
        'DCGM_FI_DEV_GPU_UTIL' as direct_metric
    from dcgm
    group by hostname, coalesce(gpu_uuid, gpu_index),
        cast({{ dbt.date_trunc('hour', 'sampled_at') }} as {{ dbt.type_timestamp() }})

),

smi_hourly as (

    select
        hostname,
        coalesce(gpu_uuid, gpu_index) as gpu_key,
        cast({{ dbt.date_trunc('hour', 'sampled_at') }} as {{ dbt.type_timestamp() }}) as hour_at,
        avg(utilization_gpu_percent) as direct_utilization_pct,
        cast(null as {{ ailedger.type_ratio() }}) as engine_active_pct,
        max(memory_used_mib) as memory_used_mib,
        avg(power_draw_w) as power_w,
        'nvidia-smi utilization.gpu' as direct_metric
    from smi
    group by hostname, coalesce(gpu_uuid, gpu_index),
        cast({{ dbt.date_trunc('hour', 'sampled_at') }} as {{ dbt.type_timestamp() }})

),

unioned as (

    select * from dcgm_hourly
    union all
    select * from smi_hourly

),

resolved as (

    select
        coalesce(by_host.resource_id, by_gpu.resource_id, unioned.hostname) as resource_id,
        unioned.gpu_key,
        unioned.hour_at,
        coalesce(unioned.direct_utilization_pct, unioned.engine_active_pct) as utilization_pct,
        case
            when unioned.direct_utilization_pct is not null then unioned.direct_metric
            when unioned.engine_active_pct is not null then 'DCGM_FI_PROF_GR_ENGINE_ACTIVE'
        end as utilization_metric,
        unioned.memory_used_mib,
        unioned.power_w
    from unioned
    left join hosts as by_host
        on by_host.host = unioned.hostname
    left join hosts as by_gpu
        on by_gpu.host = unioned.gpu_key

),

-- A GPU logged by two tools in one hour counts once.
final as (

    select
        {{ dbt.concat(['resource_id', "'|'", 'gpu_key', "'|'", 'cast(hour_at as ' ~ dbt.type_string() ~ ')']) }}
            as gpu_hour_id,
        resource_id,
        gpu_key,
        hour_at,
        avg(utilization_pct) as utilization_pct,
        max(utilization_metric) as utilization_metric,
        max(memory_used_mib) as memory_used_mib,
        avg(power_w) as power_w
    from resolved
    where resource_id is not null
    group by resource_id, gpu_key, hour_at

)

select * from final
