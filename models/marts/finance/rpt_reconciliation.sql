{#- One row per billing month and provider: the invoice against what the gateway saw.
    gap_usd = invoice − gateway re-priced cost: positive means spend the gateway never saw
    (traffic that bypassed it, or usage it failed to log); the gateway's own logged cost sits
    beside it so mis-pricing by the gateway is visible separately from missing traffic. -#}
{%- set tolerance = var('ailedger_reconciliation_tolerance_pct') -%}
with

invoice as (

    select
        billing_month,
        provider,
        sum(billed_cost_usd) as invoice_cost_usd,
        max(case when is_estimated then 1 else 0 end) = 1 as is_invoice_estimated
    from {{ ref('fct_provider_costs_daily') }}
    group by billing_month, provider

),

gateway as (

    select
        billing_month,
        provider,
        sum(cost_usd) as gateway_cost_usd,
        sum(gateway_cost_usd) as gateway_logged_cost_usd,
        -- Mispricing compares like with like: only requests that carry a logged cost.
        sum(case when gateway_cost_usd is not null then cost_usd end)
            as logged_requests_repriced_usd,
        sum(case when is_cache_unknown then cost_usd end) as cache_unknown_usd,
        count(*) as request_count,
        sum(case when is_priced then 0 else 1 end) as unpriced_request_count
    from {{ ref('fct_llm_requests') }}
    group by billing_month, provider

),

joined as (

    select
        coalesce(invoice.billing_month, gateway.billing_month) as billing_month,
        coalesce(invoice.provider, gateway.provider) as provider,
        coalesce(invoice.invoice_cost_usd, 0) as invoice_cost_usd,
        coalesce(gateway.gateway_cost_usd, 0) as gateway_cost_usd,
        coalesce(gateway.gateway_logged_cost_usd, 0) as gateway_logged_cost_usd,
        coalesce(gateway.logged_requests_repriced_usd, 0) as logged_requests_repriced_usd,
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
             as {{ dbt.type_string() }}) as reconciliation_id,
        cast(billing_month as date) as billing_month,
        cast(provider as {{ dbt.type_string() }}) as provider,
        {{ ailedger.money('invoice_cost_usd') }} as invoice_cost_usd,
        {{ ailedger.money('gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('gateway_logged_cost_usd') }} as gateway_logged_cost_usd,
        {{ ailedger.money('invoice_cost_usd - gateway_cost_usd') }} as gap_usd,
        -- Ratios divide doubles: a decimal quotient's type differs by engine (on Spark,
        -- decimal(38,12) / decimal(38,12) leaves no integer digit for a gap of 100% or more).
        cast(case when invoice_cost_usd <> 0
                  then cast(invoice_cost_usd - gateway_cost_usd as {{ ailedger.type_ratio() }})
                       / cast(invoice_cost_usd as {{ ailedger.type_ratio() }}) end
             as {{ ailedger.type_ratio() }}) as gap_pct,
        {{ ailedger.money('gateway_logged_cost_usd - logged_requests_repriced_usd') }}
            as gateway_mispricing_usd,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(unpriced_request_count as {{ dbt.type_bigint() }}) as unpriced_request_count,
        has_invoice,
        is_invoice_estimated,
        cast(case
            when not has_invoice then 'no_invoice'
            when invoice_cost_usd = 0 and gateway_cost_usd = 0 then 'reconciled'
            when invoice_cost_usd <> 0
                 and abs(cast(invoice_cost_usd - gateway_cost_usd as {{ ailedger.type_ratio() }})
                         / cast(invoice_cost_usd as {{ ailedger.type_ratio() }})) <= {{ tolerance }}
                then 'reconciled'
            else 'gap'
        end as {{ dbt.type_string() }}) as status,
        {{ ailedger.money('cache_unknown_usd') }} as cache_unknown_usd
    from joined

)

select * from final
