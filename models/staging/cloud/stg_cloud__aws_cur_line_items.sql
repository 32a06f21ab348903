with

source as (

    select * from {{ source('cloud', 'aws_cur') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as line_item_row_id,
        identity_line_item_id as line_item_id,
        bill_payer_account_id as payer_account_id,
        line_item_usage_account_id as account_id,
        line_item_resource_id as resource_id,

        ---------- strings
        line_item_line_item_type as line_item_type,
        line_item_product_code as product_code,
        line_item_usage_type as usage_type,
        line_item_operation as operation,
        line_item_line_item_description as line_item_description,
        upper(coalesce(line_item_currency_code, 'USD')) as currency,
        line_item_iam_principal as iam_principal,
        product_instance_type as instance_type,
        product_region_code as region,
        pricing_term,
        pricing_unit,
        -- One tag object whatever the shape: CUR 2.0 map, or per-tag columns gathered at landing.
        cast(coalesce(
            cast(resource_tags as {{ dbt.type_string() }}),
            cast(resource_tags_flat as {{ dbt.type_string() }})
        ) as {{ dbt.type_string() }}) as resource_tags,

        ---------- numerics (money in the bill's currency)
        line_item_usage_amount as usage_amount,
        -- Tokens per usage unit, for token lines priced per 1K or per 1M tokens.
        case
            when upper(pricing_unit) like '%1M%' then 1000000
            when upper(pricing_unit) like '%1K%' then 1000
            else 1
        end as units_per_usage_amount,
        {{ ailedger.money('line_item_unblended_rate') }} as unblended_rate,
        {{ ailedger.money('line_item_unblended_cost') }} as unblended_cost,
        {{ ailedger.money('line_item_net_unblended_cost') }} as net_unblended_cost,
        {{ ailedger.money('pricing_public_on_demand_cost') }} as public_on_demand_cost,
        {{ ailedger.money('savings_plan_savings_plan_effective_cost') }} as savings_plan_effective_cost,
        {{ ailedger.money('savings_plan_total_commitment_to_date') }} as savings_plan_total_commitment,
        {{ ailedger.money('savings_plan_used_commitment') }} as savings_plan_used_commitment,
        {{ ailedger.money('reservation_effective_cost') }} as reservation_effective_cost,
        {{ ailedger.money('reservation_unused_amortized_upfront_fee_for_billing_period') }}
            as reservation_unused_upfront_fee,
        {{ ailedger.money('reservation_unused_recurring_fee') }} as reservation_unused_recurring_fee,

        ---------- timestamps
        bill_billing_period_start_date as billing_period_start_at,
        line_item_usage_start_date as usage_start_at,
        line_item_usage_end_date as usage_end_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
