with

source as (

    select * from {{ source('cloud', 'focus_cost_and_usage') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }} as charge_row_id,
        billing_account_id,
        sub_account_id,
        resource_id,
        commitment_discount_id,
        sku_id,
        sku_price_id,

        ---------- strings
        -- FOCUS 1.3 renamed ProviderName to ServiceProviderName.
        coalesce(service_provider_name, provider_name) as provider_name,
        publisher_name,
        invoice_issuer_name,
        upper(billing_currency) as currency,
        charge_category,
        charge_class,
        charge_frequency,
        charge_description,
        commitment_discount_type,
        commitment_discount_category,
        pricing_category,
        pricing_unit,
        consumed_unit,
        region_id,
        resource_name,
        resource_type,
        service_category,
        service_name,
        sku_meter,
        sub_account_name,
        cast(tags as {{ dbt.type_string() }}) as tags,
        cast(x_columns as {{ dbt.type_string() }}) as x_columns,

        ---------- numerics (money in the billing currency)
        {{ ailedger.money('billed_cost') }} as billed_cost,
        {{ ailedger.money('effective_cost') }} as effective_cost,
        {{ ailedger.money('list_cost') }} as list_cost,
        {{ ailedger.money('contracted_cost') }} as contracted_cost,
        consumed_quantity,
        pricing_quantity,

        ---------- timestamps
        billing_period_start as billing_period_start_at,
        billing_period_end as billing_period_end_at,
        charge_period_start as charge_period_start_at,
        charge_period_end as charge_period_end_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
