{#- One row per billing month: how much of the bill can be assigned to an owner.
    coverage_pct = re-priced spend of attributed gateway requests / total spend, where total
    spend is the invoice (provider cost exports) and, for a provider-month with no invoice
    landed, the gateway's re-priced spend. Traffic that bypassed the gateway is on the
    invoice but in no request, so it is unattributed by definition. -#}
with

provider_months as (

    select * from {{ ref('int_provider_months_compared') }}

),

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

spend as (

    select
        billing_month,
        sum(case when has_invoice then invoice_cost_usd else gateway_cost_usd end)
            as total_spend_usd,
        sum(invoice_cost_usd) as invoice_spend_usd,
        sum(gateway_cost_usd) as gateway_spend_usd
    from provider_months
    group by billing_month

),

attributed as (

    select
        billing_month,
        sum(case when is_attributed then cost_usd else 0 end) as attributed_spend_usd,
        count(*) as request_count,
        sum(case when is_attributed then 1 else 0 end) as attributed_request_count
    from requests
    group by billing_month

),

joined as (

    select
        spend.billing_month,
        spend.total_spend_usd,
        spend.invoice_spend_usd,
        spend.gateway_spend_usd,
        coalesce(attributed.attributed_spend_usd, 0) as attributed_spend_usd,
        coalesce(attributed.request_count, 0) as request_count,
        coalesce(attributed.attributed_request_count, 0) as attributed_request_count
    from spend
    left join attributed
        on attributed.billing_month = spend.billing_month

),

scored as (

    select
        *,
        case when total_spend_usd > 0
             then cast(attributed_spend_usd as {{ ailedger.type_ratio() }})
                  / cast(total_spend_usd as {{ ailedger.type_ratio() }}) end as coverage_pct,
        case when request_count > 0
             then cast(attributed_request_count as {{ ailedger.type_ratio() }}) / request_count
        end as request_coverage_pct
    from joined

),

final as (

    select
        cast(billing_month as date) as billing_month,
        {{ ailedger.money('total_spend_usd') }} as total_spend_usd,
        {{ ailedger.money('attributed_spend_usd') }} as attributed_spend_usd,
        {{ ailedger.money('total_spend_usd - attributed_spend_usd') }} as unattributed_spend_usd,
        {{ ailedger.money('invoice_spend_usd') }} as invoice_spend_usd,
        {{ ailedger.money('gateway_spend_usd') }} as gateway_spend_usd,
        cast(coverage_pct as {{ ailedger.type_ratio() }}) as coverage_pct,
        cast(request_coverage_pct as {{ ailedger.type_ratio() }}) as request_coverage_pct,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count,
        cast(attributed_request_count as {{ dbt.type_bigint() }}) as attributed_request_count,
        cast(case
            when coverage_pct is null then 'no_spend'
            when coverage_pct < {{ var('ailedger_coverage_critical_below') }} then 'critical'
            when coverage_pct < {{ var('ailedger_coverage_at_risk_below') }} then 'at_risk'
            when coverage_pct < {{ var('ailedger_coverage_healthy_below') }} then 'healthy'
            else 'governed'
        end as {{ dbt.type_string() }}) as verdict
    from scored

)

select * from final
