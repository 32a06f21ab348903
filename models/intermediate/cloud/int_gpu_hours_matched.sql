{#- One row per billed GPU line (a usage line of a GPU or accelerator instance type in
    seeds/gpu_instance_types.csv, or a GPU-cloud invoice line): its GPU-hours and cost, its
    pool (tag var ailedger_gpu_pool_tag_key, else the instance type), and the telemetry of
    its resource over its charge period. GPU-hours with no telemetry are counted as such,
    never guessed. -#}
{%- set floor = var('ailedger_gpu_utilization_floor_pct') -%}
with

costs as (

    select * from {{ ref('int_cloud_costs_converted') }}

),

instance_types as (

    select * from {{ ref('gpu_instance_types') }}

),

telemetry as (

    select * from {{ ref('int_gpu_utilization_hourly') }}

),

typed as (

    select
        costs.*,
        instance_types.instance_type as matched_instance_type,
        instance_types.gpu_model,
        instance_types.gpus_per_instance,
        instance_types.gpu_memory_gib,
        instance_types.accelerator_vendor,
        row_number() over (
            partition by costs.cloud_cost_id
            order by {{ dbt.length('instance_types.match_text') }} desc
        ) as match_rank
    from costs
    inner join instance_types
        on lower(costs.usage_detail) like {{ dbt.concat(["'%'", 'lower(instance_types.match_text)', "'%'"]) }}
    where costs.charge_category = 'usage'
        and costs.usage_hours is not null
        and costs.source_format <> 'gpu_invoice'

),

gpu_lines as (

    select
        cloud_cost_id, source_format, cloud, billing_month, charge_period_start_at,
        charge_period_end_at, pricing_term, resource_id, tags, usage_hours,
        matched_instance_type as instance_type, gpu_model, gpu_memory_gib, accelerator_vendor,
        usage_hours * gpus_per_instance as gpu_hours,
        billed_cost_usd, effective_cost_usd
    from typed
    where match_rank = 1

    union all

    select
        cloud_cost_id, source_format, cloud, billing_month, charge_period_start_at,
        charge_period_end_at, pricing_term, resource_id, tags, usage_hours,
        usage_type as instance_type, usage_type as gpu_model,
        cast(null as {{ dbt.type_int() }}) as gpu_memory_gib, 'nvidia' as accelerator_vendor,
        usage_hours * gpu_count as gpu_hours,
        billed_cost_usd, effective_cost_usd
    from costs
    where source_format = 'gpu_invoice'

),

last_active as (

    select resource_id, max(hour_at) as last_active_hour_at
    from telemetry
    where utilization_pct >= {{ floor }}
    group by resource_id

),

line_telemetry as (

    select
        gpu_lines.cloud_cost_id,
        count(telemetry.hour_at) as telemetry_gpu_hours,
        sum(case when telemetry.utilization_pct < {{ floor }} then 1 else 0 end)
            as idle_gpu_hours,
        sum(telemetry.utilization_pct) as utilization_pct_sum,
        max(telemetry.utilization_metric) as utilization_metric,
        max(telemetry.memory_used_mib) as peak_memory_used_mib
    from gpu_lines
    inner join telemetry
        on telemetry.resource_id = gpu_lines.resource_id
        and telemetry.hour_at >= gpu_lines.charge_period_start_at
        and telemetry.hour_at < gpu_lines.charge_period_end_at
        and telemetry.utilization_pct is not null
    group by gpu_lines.cloud_cost_id

),

resource_telemetry as (

    select distinct resource_id from telemetry

),

final as (

    select
        gpu_lines.cloud_cost_id,
        gpu_lines.source_format,
        gpu_lines.cloud,
        gpu_lines.billing_month,
        gpu_lines.charge_period_start_at,
        gpu_lines.charge_period_end_at,
        coalesce(gpu_lines.pricing_term, 'on_demand') as pricing_term,
        gpu_lines.resource_id,
        coalesce(
            {{ ailedger.cloud_tag('gpu_lines.tags', var('ailedger_gpu_pool_tag_key')) }},
            gpu_lines.instance_type
        ) as gpu_pool,
        lower({{ ailedger.cloud_tag('gpu_lines.tags', var('ailedger_gpu_workload_tag_key')) }})
            as workload,
        lower({{ ailedger.cloud_tag('gpu_lines.tags', var('ailedger_gpu_env_tag_key')) }})
            as environment,
        gpu_lines.instance_type,
        gpu_lines.gpu_model,
        gpu_lines.gpu_memory_gib,
        gpu_lines.accelerator_vendor,
        gpu_lines.usage_hours,
        gpu_lines.gpu_hours,
        gpu_lines.billed_cost_usd,
        gpu_lines.effective_cost_usd,
        -- Telemetry beyond the billed GPUs (a mapping error) never counts more than was billed.
        case
            when coalesce(line_telemetry.telemetry_gpu_hours, 0) > gpu_lines.gpu_hours
                then gpu_lines.gpu_hours
            else coalesce(line_telemetry.telemetry_gpu_hours, 0)
        end as telemetry_gpu_hours,
        coalesce(line_telemetry.telemetry_gpu_hours, 0) as utilization_gpu_hours,
        coalesce(line_telemetry.idle_gpu_hours, 0) as idle_gpu_hours,
        line_telemetry.utilization_pct_sum,
        line_telemetry.utilization_metric,
        line_telemetry.peak_memory_used_mib,
        resource_telemetry.resource_id is not null as has_telemetry,
        -- Billed after the resource's last GPU-hour above the floor: still running, doing nothing.
        resource_telemetry.resource_id is not null
            and (last_active.last_active_hour_at is null
                 or gpu_lines.charge_period_start_at
                    >= {{ dbt.dateadd('hour', 1, 'last_active.last_active_hour_at') }})
            as is_after_last_activity,
        gpu_lines.usage_hours <= 1
            and (extract(hour from gpu_lines.charge_period_start_at)
                     < {{ var('ailedger_gpu_working_hours_utc')[0] }}
                 or extract(hour from gpu_lines.charge_period_start_at)
                     >= {{ var('ailedger_gpu_working_hours_utc')[1] }})
            as is_off_hours
    from gpu_lines
    left join line_telemetry
        on line_telemetry.cloud_cost_id = gpu_lines.cloud_cost_id
    left join last_active
        on last_active.resource_id = gpu_lines.resource_id
    left join resource_telemetry
        on resource_telemetry.resource_id = gpu_lines.resource_id

)

select * from final
