{{ config(severity='warn') }}
{#- Invoice lines no pattern of seeds/invoice_line_categories.csv recognises: they count in
    `other` (never dropped), listed here so a pattern can be added. -#}
select
    provider,
    match_text,
    count(*) as line_count,
    sum(billed_cost_usd) as billed_cost_usd
from {{ ref('int_provider_costs_classified') }}
where category = 'other'
group by provider, match_text
