{#- One row per billing month, provider, invoice category, model and account (OpenAI project,
    Anthropic workspace; '' when unknown): the drill-down of rpt_reconciliation, with the same
    split of the gap by cause, so an analyst can go from a provider-month's gap to the lines
    behind it. -#}
with

cells as (

    select * from {{ ref('int_reconciliation_cells_split') }}

),

lines as (

    select * from {{ ref('int_provider_costs_classified') }}

),

aggregated as (

    select
        billing_month, provider, category, model, account_id,
        sum(invoice_cost_usd) as invoice_cost_usd,
        sum(gateway_cost_usd) as gateway_cost_usd,
        sum(gap_usd) as gap_usd,
        sum(bypass_usd) as bypass_usd,
        sum(overlogged_usd) as overlogged_usd,
        sum(timing_usd) as timing_usd,
        sum(non_token_usd) as non_token_usd,
        sum(non_token_matched_usd) as non_token_matched_usd,
        sum(price_difference_usd) as price_difference_usd,
        sum(unexplained_usd) as unexplained_usd
    from cells
    group by billing_month, provider, category, model, account_id

),

line_charges as (

    select distinct
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as billing_month,
        provider, category, model, account_id, charge_label
    from lines

),

charges as (

    select
        billing_month, provider, category, model, account_id,
        {{ ailedger.string_agg('charge_label', ', ') }} as charge_labels
    from line_charges
    group by billing_month, provider, category, model, account_id

),

final as (

    select
        cast({{ dbt.concat(['cast(aggregated.billing_month as ' ~ dbt.type_string() ~ ')', "'|'", 'aggregated.provider', "'|'", 'aggregated.category', "'|'", 'aggregated.model', "'|'", 'aggregated.account_id']) }}
             as {{ dbt.type_string() }}) as reconciliation_detail_id,
        cast(aggregated.billing_month as date) as billing_month,
        cast(aggregated.provider as {{ dbt.type_string() }}) as provider,
        cast(aggregated.category as {{ dbt.type_string() }}) as category,
        cast(aggregated.model as {{ dbt.type_string() }}) as model,
        cast(aggregated.account_id as {{ dbt.type_string() }}) as account_id,
        cast(charges.charge_labels as {{ dbt.type_string() }}) as charge_labels,
        {{ ailedger.money('aggregated.invoice_cost_usd') }} as invoice_cost_usd,
        {{ ailedger.money('aggregated.gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('aggregated.gap_usd') }} as gap_usd,
        {{ ailedger.money('aggregated.bypass_usd') }} as bypass_usd,
        {{ ailedger.money('aggregated.overlogged_usd') }} as overlogged_usd,
        {{ ailedger.money('aggregated.timing_usd') }} as timing_usd,
        {{ ailedger.money('aggregated.non_token_usd') }} as non_token_usd,
        {{ ailedger.money('aggregated.non_token_matched_usd') }} as non_token_matched_usd,
        {{ ailedger.money('aggregated.non_token_usd - aggregated.non_token_matched_usd') }}
            as non_token_unmatched_usd,
        {{ ailedger.money('aggregated.price_difference_usd') }} as price_difference_usd,
        {{ ailedger.money('aggregated.unexplained_usd') }} as unexplained_usd
    from aggregated
    left join charges
        on charges.billing_month = aggregated.billing_month
        and charges.provider = aggregated.provider
        and charges.category = aggregated.category
        and charges.model = aggregated.model
        and charges.account_id = aggregated.account_id

)

select * from final
