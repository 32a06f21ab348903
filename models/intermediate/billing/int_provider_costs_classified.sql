{#- One row per billed line (as int_provider_costs_deduplicated), classified by the documented
    patterns of seeds/invoice_line_categories.csv into tokens (with the token kind), tool_calls,
    storage, fine_tuning or other. A line no pattern matches is kept, in `other`, under its own
    text: never dropped. -#}
with

lines as (

    select * from {{ ref('int_provider_costs_deduplicated') }}

),

categories as (

    select * from {{ ref('invoice_line_categories') }}

),

matches as (

    select
        lines.cost_row_id,
        categories.category,
        categories.charge,
        categories.charge_label,
        row_number() over (
            partition by lines.cost_row_id
            order by categories.priority, categories.match_pattern
        ) as match_rank
    from lines
    inner join categories
        on categories.provider = lines.provider
        and lines.match_text like categories.match_pattern

),

classified as (

    select
        lines.cost_row_id,
        lines.provider,
        lines.cost_date,
        lines.model_name,
        -- A line that names no model (an OpenAI line item without "<model>, ") has none.
        case when lines.names_model then coalesce(lines.model, '') else '' end as model,
        coalesce(matches.category, 'other') as category,
        coalesce(matches.charge, lines.match_text, '(blank line item)') as charge,
        coalesce(matches.charge_label, lines.match_text, '(blank line item)') as charge_label,
        lines.match_text,
        lines.is_batch,
        -- Tier as both sides report it today: the batch API or not.
        case when lines.is_batch then 'batch' else 'standard' end as tier,
        coalesce(lines.account_id, '') as account_id,
        lines.billed_cost_usd,
        lines.currency,
        lines.loaded_at
    from lines
    left join matches
        on matches.cost_row_id = lines.cost_row_id
        and matches.match_rank = 1

)

select * from classified
