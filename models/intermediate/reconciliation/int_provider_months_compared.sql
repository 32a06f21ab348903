{#- One row per billing month and provider: the invoice total (provider cost exports, or usage
    priced by ailedger where no cost export covers a day) beside the gateway's totals. Shared by
    rpt_reconciliation and rpt_attribution_coverage. -#}
with

provider_days as (

    select * from {{ ref('fct_provider_costs_daily') }}

),

gateway_days as (

    select * from {{ ref('int_gateway_usage_daily') }}

),

invoice as (

    select
        billing_month,
        provider,
        sum(billed_cost_usd) as invoice_cost_usd,
        max(case when is_estimated then 1 else 0 end) = 1 as is_invoice_estimated
    from provider_days
    group by billing_month, provider

),

gateway as (

    select
        billing_month,
        provider,
        sum(gateway_effective_cost_usd) as gateway_cost_usd,
        sum(gateway_list_cost_usd) as gateway_list_cost_usd,
        sum(gateway_logged_cost_usd) as gateway_logged_cost_usd,
        sum(gateway_mispricing_usd) as gateway_mispricing_usd,
        sum(cache_unknown_usd) as cache_unknown_usd,
        sum(request_count) as request_count,
        sum(unpriced_request_count) as unpriced_request_count
    from gateway_days
    group by billing_month, provider

),

joined as (

    select
        coalesce(invoice.billing_month, gateway.billing_month) as billing_month,
        coalesce(invoice.provider, gateway.provider) as provider,
        coalesce(invoice.invoice_cost_usd, 0) as invoice_cost_usd,
        coalesce(gateway.gateway_cost_usd, 0) as gateway_cost_usd,
        coalesce(gateway.gateway_list_cost_usd, 0) as gateway_list_cost_usd,
        coalesce(gateway.gateway_logged_cost_usd, 0) as gateway_logged_cost_usd,
        coalesce(gateway.gateway_mispricing_usd, 0) as gateway_mispricing_usd,
        coalesce(gateway.cache_unknown_usd, 0) as cache_unknown_usd,
        coalesce(gateway.request_count, 0) as request_count,
        coalesce(gateway.unpriced_request_count, 0) as unpriced_request_count,
        coalesce(invoice.is_invoice_estimated, false) as is_invoice_estimated,
        invoice.provider is not null as has_invoice
    from invoice
    full outer join gateway
        on gateway.billing_month = invoice.billing_month
        and gateway.provider = invoice.provider

),

final as (

    select
        cast({{ dbt.concat(['cast(billing_month as ' ~ dbt.type_string() ~ ')', "'|'", 'provider']) }}
             as {{ dbt.type_string() }}) as provider_month_id,
        cast(billing_month as date) as billing_month,
        cast(provider as {{ dbt.type_string() }}) as provider,
        {{ ailedger.money('invoice_cost_usd') }} as invoice_cost_usd,
        {{ ailedger.money('gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('gateway_list_cost_usd') }} as gateway_list_cost_usd,
        {{ ailedger.money('gateway_logged_cost_usd') }} as gateway_logged_cost_usd,
        {{ ailedger.money('gateway_mispricing_usd') }} as gateway_mispricing_usd,
        {{ ailedger.money('cache_unknown_usd') }} as cache_unknown_usd,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(unpriced_request_count as {{ dbt.type_bigint() }}) as unpriced_request_count,
        is_invoice_estimated,
        has_invoice
    from joined

)

select * from final
