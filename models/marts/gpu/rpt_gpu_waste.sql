{#- One row per GPU pool x instance type x pricing term x billing month: GPU-hours paid for,
    what they cost (effective, USD), how busy they were, and the one waste driver that explains
    most of the recoverable money, by these rules (each a dbt var, see README "GPUs"), first
    match wins:
      orphaned       a training/fine-tuning pool billed >= N hours after its last active hour;
      always_on_dev  a dev/test pool billed outside working hours; off-hours cost recoverable;
      oversized      peak memory fits a smaller GPU (seeds/gpu_downsize_options.csv);
      idle           idle GPU-hours (below the utilization floor) >= a share of tracked hours;
      low_utilization average utilization below a var: cost beyond the target is recoverable.
    GPU-hours without telemetry (AWS Neuron has none) are reported, never guessed: a row with
    no telemetry gets a driver only by a rule that needs none (orphaned needs telemetry). -#}
{%- set training = "'" ~ var('ailedger_gpu_training_workloads') | join("', '") ~ "'" -%}
{%- set dev_envs = "'" ~ var('ailedger_gpu_dev_envs') | join("', '") ~ "'" -%}
with

gpu_hours as (

    select * from {{ ref('int_gpu_hours_matched') }}

),

downsize_options as (

    select * from {{ ref('gpu_downsize_options') }}

),

pools as (

    select
        billing_month,
        gpu_pool,
        instance_type,
        pricing_term,
        max(cloud) as cloud,
        max(gpu_model) as gpu_model,
        max(accelerator_vendor) as accelerator_vendor,
        max(workload) as workload,
        max(environment) as environment,
        count(distinct resource_id) as resource_count,
        sum(usage_hours) as instance_hours,
        sum(gpu_hours) as gpu_hours,
        sum(effective_cost_usd) as cost_usd,
        sum(billed_cost_usd) as billed_cost_usd,
        sum(telemetry_gpu_hours) as telemetry_gpu_hours,
        sum(utilization_gpu_hours) as utilization_gpu_hours,
        sum(idle_gpu_hours) as idle_gpu_hours,
        sum(utilization_pct_sum) as utilization_pct_sum,
        max(utilization_metric) as utilization_metric,
        max(peak_memory_used_mib) as peak_memory_used_mib,
        sum(case when is_after_last_activity then usage_hours else 0 end)
            as hours_after_last_activity,
        sum(case when is_after_last_activity then effective_cost_usd else 0 end)
            as cost_after_last_activity_usd,
        sum(case when is_off_hours then usage_hours else 0 end) as off_hours,
        sum(case when is_off_hours then effective_cost_usd else 0 end) as off_hours_cost_usd
    from gpu_hours
    group by billing_month, gpu_pool, instance_type, pricing_term

),

downsized as (

    select
        pools.billing_month,
        pools.gpu_pool,
        pools.instance_type,
        pools.pricing_term,
        max(downsize_options.saving_pct) as downsize_saving_pct
    from pools
    inner join downsize_options
        on downsize_options.gpu_model = pools.gpu_model
        and pools.peak_memory_used_mib
            <= downsize_options.smaller_gpu_memory_gib * 1024
                * {{ var('ailedger_gpu_oversized_memory_headroom') }}
    group by pools.billing_month, pools.gpu_pool, pools.instance_type, pools.pricing_term

),

measured as (

    select
        pools.*,
        downsized.downsize_saving_pct,
        case when pools.utilization_gpu_hours > 0
            then cast(pools.utilization_pct_sum as {{ ailedger.type_ratio() }})
                / pools.utilization_gpu_hours
        end as avg_utilization_pct,
        case when pools.telemetry_gpu_hours > 0
            then cast(pools.idle_gpu_hours as {{ ailedger.type_ratio() }})
                / pools.telemetry_gpu_hours
        end as idle_share,
        case when pools.instance_hours > 0
            then cast(pools.off_hours as {{ ailedger.type_ratio() }}) / pools.instance_hours
        end as off_hours_share
    from pools
    left join downsized
        on downsized.billing_month = pools.billing_month
        and downsized.gpu_pool = pools.gpu_pool
        and downsized.instance_type = pools.instance_type
        and downsized.pricing_term = pools.pricing_term

),

classified as (

    select
        measured.*,
        case
            when workload in ({{ training }})
                and hours_after_last_activity >= {{ var('ailedger_gpu_orphaned_min_hours') }}
                then 'orphaned'
            when environment in ({{ dev_envs }})
                and off_hours_share >= {{ var('ailedger_gpu_always_on_min_offhours_share') }}
                then 'always_on_dev'
            when telemetry_gpu_hours = 0 then null
            when downsize_saving_pct is not null then 'oversized'
            when idle_share >= {{ var('ailedger_gpu_idle_min_share') }} then 'idle'
            when avg_utilization_pct < {{ var('ailedger_gpu_low_utilization_below_pct') }}
                then 'low_utilization'
        end as waste_driver
    from measured

),

recovered as (

    select
        classified.*,
        case waste_driver
            when 'orphaned' then cost_after_last_activity_usd
            when 'always_on_dev' then off_hours_cost_usd
            when 'oversized'
                then cost_usd * cast(downsize_saving_pct as decimal(18, 9))
            when 'idle'
                then cost_usd * cast(
                    cast(idle_gpu_hours as {{ ailedger.type_ratio() }}) / gpu_hours
                    as decimal(18, 9))
            when 'low_utilization'
                then cost_usd * cast(
                    1 - avg_utilization_pct / {{ var('ailedger_gpu_target_utilization_pct') }}
                    as decimal(18, 9))
            else 0
        end as recoverable_usd
    from classified

),

final as (

    select
        cast({{ dbt.concat(["cast(billing_month as " ~ dbt.type_string() ~ ")", "'|'", 'gpu_pool', "'|'", 'instance_type', "'|'", 'pricing_term']) }}
            as {{ dbt.type_string() }}) as gpu_waste_id,
        cast(billing_month as date) as billing_month,
        cast(gpu_pool as {{ dbt.type_string() }}) as gpu_pool,
        cast(instance_type as {{ dbt.type_string() }}) as instance_type,
        cast(pricing_term as {{ dbt.type_string() }}) as pricing_term,
        cast(cloud as {{ dbt.type_string() }}) as cloud,
        cast(gpu_model as {{ dbt.type_string() }}) as gpu_model,
        cast(accelerator_vendor as {{ dbt.type_string() }}) as accelerator_vendor,
        cast(resource_count as {{ dbt.type_bigint() }}) as resource_count,
        cast(gpu_hours as {{ ailedger.type_ratio() }}) as gpu_hours,
        cast(telemetry_gpu_hours as {{ ailedger.type_ratio() }}) as telemetry_gpu_hours,
        cast(gpu_hours - telemetry_gpu_hours as {{ ailedger.type_ratio() }})
            as untracked_gpu_hours,
        {{ ailedger.money('cost_usd') }} as cost_usd,
        {{ ailedger.money('billed_cost_usd') }} as billed_cost_usd,
        cast(avg_utilization_pct as {{ ailedger.type_ratio() }}) as avg_utilization_pct,
        cast(utilization_metric as {{ dbt.type_string() }}) as utilization_metric,
        cast(idle_gpu_hours as {{ ailedger.type_ratio() }}) as idle_gpu_hours,
        cast(peak_memory_used_mib as {{ ailedger.type_ratio() }}) as peak_memory_used_mib,
        cast(waste_driver as {{ dbt.type_string() }}) as waste_driver,
        cast(case when cost_usd <> 0
            then cast(recoverable_usd as {{ ailedger.type_ratio() }})
                / cast(cost_usd as {{ ailedger.type_ratio() }})
            else 0 end as {{ ailedger.type_ratio() }}) as recoverable_pct,
        {{ ailedger.money('recoverable_usd') }} as recoverable_usd
    from recovered

)

select * from final
