{#- The gap's causes sum to it to the cent: on every provider-month of rpt_reconciliation
    (whose totals come from the marts, the causes from the cell comparison), on every row of
    rpt_reconciliation_detail, and the detail adds up to the provider-month. -#}
with

months as (

    select * from {{ ref('rpt_reconciliation') }}

),

detail as (

    select * from {{ ref('rpt_reconciliation_detail') }}

),

detail_months as (

    select billing_month, provider, sum(gap_usd) as gap_usd
    from detail
    group by billing_month, provider

),

month_mismatches as (

    select
        'rpt_reconciliation' as model,
        cast(months.reconciliation_id as {{ dbt.type_string() }}) as row_id,
        months.gap_usd,
        months.bypass_usd + months.overlogged_usd + months.timing_usd + months.non_token_usd
            + months.price_difference_usd + months.unexplained_usd as causes_usd
    from months

),

detail_mismatches as (

    select
        'rpt_reconciliation_detail' as model,
        cast(reconciliation_detail_id as {{ dbt.type_string() }}) as row_id,
        gap_usd,
        bypass_usd + overlogged_usd + timing_usd + non_token_usd + price_difference_usd
            + unexplained_usd as causes_usd
    from detail

),

detail_totals as (

    select
        'detail vs month' as model,
        cast(months.reconciliation_id as {{ dbt.type_string() }}) as row_id,
        months.gap_usd,
        coalesce(detail_months.gap_usd, 0) as causes_usd
    from months
    left join detail_months
        on detail_months.billing_month = months.billing_month
        and detail_months.provider = months.provider

),

checked as (

    select * from month_mismatches
    union all
    select * from detail_mismatches
    union all
    select * from detail_totals

)

select * from checked
where abs(gap_usd - causes_usd) >= 0.005
