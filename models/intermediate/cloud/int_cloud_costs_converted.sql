{#- Every cloud bill line (AWS CUR, FOCUS from any cloud, GPU-cloud invoices) in one grain,
    with its effective (amortized) cost beside its billed (invoiced) cost, both converted to
    USD with seeds/exchange_rates.csv. Original amounts and currency are kept.

    CUR effective cost follows AWS's amortized view: Savings-Plan-covered usage at the Savings
    Plan effective cost, reserved (DiscountedUsage) at the reservation effective cost, the
    Savings Plan negation at zero (it only cancels the covered usage's on-demand price), upfront
    fees at zero (they are amortized into the hourly effective costs) and recurring commitment
    fees at their unused part. FOCUS carries EffectiveCost itself. -#}
with

cur as (

    select * from {{ ref('stg_cloud__aws_cur_line_items') }}

),

focus as (

    select * from {{ ref('stg_cloud__focus_charges') }}

),

invoices as (

    select * from {{ ref('stg_cloud__gpu_invoice_lines') }}

),

rates as (

    select * from {{ ref('exchange_rates') }}

),

cur_lines as (

    select
        line_item_row_id as cloud_cost_id,
        'aws_cur' as source_format,
        'aws' as cloud,
        account_id,
        cast({{ dbt.date_trunc('month', 'coalesce(billing_period_start_at, usage_start_at)') }} as date)
            as billing_month,
        usage_start_at as charge_period_start_at,
        usage_end_at as charge_period_end_at,
        line_item_type,
        case
            when line_item_type in ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
                then 'usage'
            when line_item_type = 'SavingsPlanNegation' then 'savings_plan_negation'
            when line_item_type in ('SavingsPlanRecurringFee', 'SavingsPlanUpfrontFee')
                then 'savings_plan_fee'
            when line_item_type = 'RIFee' then 'reservation_fee'
            when line_item_type = 'Fee' and usage_type like '%HeavyUsage%'
                then 'reservation_upfront_fee'
            when line_item_type = 'Fee' then 'fee'
            when line_item_type = 'Credit' then 'credit'
            when line_item_type = 'Refund' then 'refund'
            when line_item_type = 'Tax' then 'tax'
            else 'adjustment'
        end as charge_category,
        case
            when line_item_type = 'SavingsPlanCoveredUsage' then 'savings_plan'
            when line_item_type = 'DiscountedUsage' or pricing_term = 'Reserved' then 'reserved'
            when pricing_term = 'Spot' or usage_type like '%SpotUsage%' then 'spot'
            when line_item_type = 'Usage' then 'on_demand'
        end as pricing_term,
        product_code as service_name,
        usage_type,
        {{ dbt.concat(["coalesce(instance_type, '')", "' '", "coalesce(usage_type, '')"]) }}
            as usage_detail,
        line_item_description as charge_description,
        resource_id,
        pricing_unit,
        usage_amount,
        units_per_usage_amount,
        case when lower(pricing_unit) like 'hr%' then usage_amount end as usage_hours,
        cast(null as {{ dbt.type_numeric() }}) as gpu_count,
        currency,
        unblended_cost as billed_cost,
        case
            when line_item_type = 'SavingsPlanCoveredUsage' then savings_plan_effective_cost
            when line_item_type = 'DiscountedUsage' then reservation_effective_cost
            when line_item_type in ('SavingsPlanNegation', 'SavingsPlanUpfrontFee') then 0
            when line_item_type = 'Fee' and usage_type like '%HeavyUsage%' then 0
            when line_item_type = 'SavingsPlanRecurringFee'
                then coalesce(savings_plan_total_commitment - savings_plan_used_commitment, 0)
            when line_item_type = 'RIFee'
                then coalesce(reservation_unused_upfront_fee, 0)
                    + coalesce(reservation_unused_recurring_fee, 0)
            else unblended_cost
        end as effective_cost,
        resource_tags as tags,
        source_file,
        load_id,
        loaded_at,
        row_number() over (
            partition by coalesce(line_item_id, line_item_row_id), usage_start_at, line_item_type,
                usage_type, resource_id
            order by loaded_at desc, load_id desc
        ) as copy_rank
    from cur

),

focus_lines as (

    select
        charge_row_id as cloud_cost_id,
        'focus' as source_format,
        case
            when lower(provider_name) like '%amazon%' or lower(provider_name) = 'aws' then 'aws'
            when lower(provider_name) like '%microsoft%' or lower(provider_name) like '%azure%'
                then 'azure'
            when lower(provider_name) like '%google%' then 'gcp'
            else lower(provider_name)
        end as cloud,
        sub_account_id as account_id,
        cast({{ dbt.date_trunc('month', 'coalesce(billing_period_start_at, charge_period_start_at)') }} as date)
            as billing_month,
        charge_period_start_at,
        charge_period_end_at,
        charge_category as line_item_type,
        case
            when charge_class = 'Correction' then 'adjustment'
            when charge_category = 'Usage' then 'usage'
            when charge_category = 'Purchase' then 'commitment_purchase'
            when charge_category = 'Credit' then 'credit'
            when charge_category = 'Tax' then 'tax'
            else 'adjustment'
        end as charge_category,
        case
            when commitment_discount_type like '%Savings%' then 'savings_plan'
            when commitment_discount_id is not null then 'reserved'
            when pricing_category = 'Dynamic' then 'spot'
            when charge_category = 'Usage' then 'on_demand'
        end as pricing_term,
        service_name,
        coalesce({{ ailedger.json_get('x_columns', ['x_UsageType']) }}, sku_meter) as usage_type,
        {{ dbt.concat([
            "coalesce(" ~ ailedger.json_get('x_columns', ['x_UsageType']) ~ ", '')", "' '",
            "coalesce(" ~ ailedger.json_get('x_columns', ['x_SkuMeterSubcategory']) ~ ", '')", "' '",
            "coalesce(sku_meter, '')", "' '", "coalesce(charge_description, '')"]) }}
            as usage_detail,
        charge_description,
        resource_id,
        coalesce(consumed_unit, pricing_unit) as pricing_unit,
        consumed_quantity as usage_amount,
        1 as units_per_usage_amount,
        case when lower(consumed_unit) like 'hour%' or lower(consumed_unit) like 'hr%'
            then consumed_quantity end as usage_hours,
        cast(null as {{ dbt.type_numeric() }}) as gpu_count,
        currency,
        billed_cost,
        effective_cost,
        tags,
        source_file,
        load_id,
        loaded_at,
        1 as copy_rank
    from focus

),

invoice_lines as (

    select
        invoice_line_id as cloud_cost_id,
        'gpu_invoice' as source_format,
        'gpu_cloud' as cloud,
        cast(null as {{ dbt.type_string() }}) as account_id,
        cast({{ dbt.date_trunc('month', 'started_at') }} as date) as billing_month,
        started_at as charge_period_start_at,
        ended_at as charge_period_end_at,
        'Usage' as line_item_type,
        'usage' as charge_category,
        'on_demand' as pricing_term,
        'gpu_invoice' as service_name,
        gpu_type as usage_type,
        gpu_type as usage_detail,
        cast(null as {{ dbt.type_string() }}) as charge_description,
        resource_id,
        'Hrs' as pricing_unit,
        cast({{ ailedger.hours_between('started_at', 'ended_at') }} as {{ dbt.type_numeric() }})
            as usage_amount,
        1 as units_per_usage_amount,
        cast({{ ailedger.hours_between('started_at', 'ended_at') }} as {{ dbt.type_numeric() }})
            as usage_hours,
        gpu_count,
        currency,
        cost as billed_cost,
        cost as effective_cost,
        tags,
        source_file,
        load_id,
        loaded_at,
        1 as copy_rank
    from invoices

),

unioned as (

    select * from cur_lines where copy_rank = 1
    union all
    select * from focus_lines
    union all
    select * from invoice_lines

),

converted as (

    select
        unioned.cloud_cost_id,
        unioned.source_format,
        unioned.cloud,
        unioned.account_id,
        unioned.billing_month,
        unioned.charge_period_start_at,
        unioned.charge_period_end_at,
        unioned.line_item_type,
        unioned.charge_category,
        unioned.pricing_term,
        unioned.service_name,
        unioned.usage_type,
        unioned.usage_detail,
        unioned.charge_description,
        unioned.resource_id,
        unioned.pricing_unit,
        unioned.usage_amount,
        unioned.units_per_usage_amount,
        unioned.usage_hours,
        unioned.gpu_count,
        unioned.currency,
        case when unioned.currency = 'USD' then 1 else rates.usd_per_unit end as usd_per_unit,
        {{ ailedger.money('unioned.billed_cost') }} as billed_cost,
        {{ ailedger.money('unioned.effective_cost') }} as effective_cost,
        {{ ailedger.money('unioned.billed_cost * case when unioned.currency = \'USD\' then 1 else rates.usd_per_unit end') }}
            as billed_cost_usd,
        {{ ailedger.money('unioned.effective_cost * case when unioned.currency = \'USD\' then 1 else rates.usd_per_unit end') }}
            as effective_cost_usd,
        unioned.tags,
        unioned.source_file,
        unioned.load_id,
        unioned.loaded_at
    from unioned
    left join rates
        on rates.currency = unioned.currency
        and rates.billing_month = unioned.billing_month

)

select * from converted
