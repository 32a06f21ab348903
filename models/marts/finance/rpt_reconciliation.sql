{#- One row per billing month and provider: the invoice against what the gateway saw.
    gap_usd = invoice − gateway re-priced (effective) cost: positive means spend the gateway
    never saw; the gateway's own logged cost sits beside it so mis-pricing by the gateway is
    visible separately from missing traffic. The gap is split by cause (bypass, overlogged,
    timing, non-token, price difference, unexplained; they sum to gap_usd), compared cell by
    cell in int_reconciliation_cells_split. -#}
{%- set tolerance = var('ailedger_reconciliation_tolerance_pct') -%}
with

provider_months as (

    select * from {{ ref('int_provider_months_compared') }}

),

cells as (

    select * from {{ ref('int_reconciliation_cells_split') }}

),

causes as (

    select
        billing_month,
        provider,
        sum(bypass_usd) as bypass_usd,
        sum(overlogged_usd) as overlogged_usd,
        sum(timing_usd) as timing_usd,
        sum(non_token_usd) as non_token_usd,
        sum(non_token_matched_usd) as non_token_matched_usd,
        sum(price_difference_usd) as price_difference_usd,
        sum(unexplained_usd) as unexplained_usd
    from cells
    group by billing_month, provider

),

joined as (

    select
        provider_months.*,
        coalesce(causes.bypass_usd, 0) as bypass_usd,
        coalesce(causes.overlogged_usd, 0) as overlogged_usd,
        coalesce(causes.timing_usd, 0) as timing_usd,
        coalesce(causes.non_token_usd, 0) as non_token_usd,
        coalesce(causes.non_token_matched_usd, 0) as non_token_matched_usd,
        coalesce(causes.price_difference_usd, 0) as price_difference_usd,
        coalesce(causes.unexplained_usd, 0) as unexplained_usd
    from provider_months
    left join causes
        on causes.billing_month = provider_months.billing_month
        and causes.provider = provider_months.provider

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
        {{ ailedger.money('gateway_mispricing_usd') }} as gateway_mispricing_usd,
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
        -- The gap by cause (they sum to gap_usd).
        {{ ailedger.money('bypass_usd') }} as bypass_usd,
        {{ ailedger.money('overlogged_usd') }} as overlogged_usd,
        {{ ailedger.money('timing_usd') }} as timing_usd,
        {{ ailedger.money('non_token_usd') }} as non_token_usd,
        {{ ailedger.money('non_token_matched_usd') }} as non_token_matched_usd,
        {{ ailedger.money('non_token_usd - non_token_matched_usd') }} as non_token_unmatched_usd,
        {{ ailedger.money('price_difference_usd') }} as price_difference_usd,
        {{ ailedger.money('unexplained_usd') }} as unexplained_usd,
        cast(case when invoice_cost_usd <> 0
                  then cast(unexplained_usd as {{ ailedger.type_ratio() }})
                       / cast(invoice_cost_usd as {{ ailedger.type_ratio() }}) end
             as {{ ailedger.type_ratio() }}) as unexplained_pct,
        -- Beside the split: spend priced as uncached because its source reports no cache
        -- reads (may be overstated).
        {{ ailedger.money('cache_unknown_usd') }} as cache_unknown_usd
    from joined

)

select * from final
