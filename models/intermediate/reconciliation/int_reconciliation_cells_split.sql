{#- One row per provider, day, category, model, tier and account: the invoice against the
    gateway, its gap split by cause (bypass, overlogged, timing, non-token, price difference,
    unexplained; every row's causes sum to its gap). Token charges come from the cell
    comparison (int_reconciliation_cells_compared); non-token lines (tool calls, storage,
    fine-tuning, other) are never bypass. Accounts: the invoice names the project/workspace,
    the gateway does not. The gateway's share of a cell fills the accounts it most likely used
    first (the accounts whose token charges the gateway covers best over the provider-month);
    what is left of each account is its bypass. -#}
{%- set cell = ['provider', 'cost_date', 'model', 'tier'] -%}
with

lines as (

    select * from {{ ref('int_provider_costs_classified') }}

),

gateway as (

    select * from {{ ref('int_gateway_usage_daily') }}

),

estimated_days as (

    select * from {{ ref('fct_provider_costs_daily') }}

),

cell_causes as (

    select * from {{ ref('int_reconciliation_cells_compared') }}

),

token_lines as (

    select provider, cost_date, model, tier, charge as token_kind, account_id, billed_cost_usd
    from lines
    where category = 'tokens'

),

-- Provider-days with usage but no cost export: the invoice side is usage priced at list.
estimated as (

    select provider, cost_date, coalesce(model, '') as model, 'standard' as tier, account_id,
        billed_cost_usd
    from estimated_days
    where is_estimated

),

-- Token money per account (cost lines and estimates), with what the gateway explains of
-- the cell (invoice − bypass), to rank the accounts the gateway most likely used.
account_cells as (

    select {{ cell | join(', ') }}, account_id, sum(billed_cost_usd) as account_invoice_usd
    from (
        select {{ cell | join(', ') }}, account_id, billed_cost_usd from token_lines
        union all
        select {{ cell | join(', ') }}, account_id, billed_cost_usd from estimated
    ) as account_lines
    group by {{ cell | join(', ') }}, account_id

),

account_matches as (

    select
        account_cells.*,
        cell_causes.billing_month,
        cell_causes.invoice_usd - cell_causes.bypass_usd as gateway_explained_usd
    from account_cells
    inner join cell_causes
        on {% for c in cell %}cell_causes.{{ c }} = account_cells.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}

),

account_scores as (

    select
        provider, billing_month, account_id,
        sum(case when account_invoice_usd < gateway_explained_usd then account_invoice_usd
                 else gateway_explained_usd end) as score_usd
    from account_matches
    group by provider, billing_month, account_id

),

account_ranks as (

    select
        provider, billing_month, account_id,
        row_number() over (
            partition by provider, billing_month order by score_usd desc, account_id
        ) as account_rank
    from account_scores

),

gateway_accounts as (

    select provider, billing_month, account_id from account_ranks where account_rank = 1

),

filled as (

    select
        account_matches.*,
        coalesce(sum(account_matches.account_invoice_usd) over (
            partition by {% for c in cell %}account_matches.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
            order by account_ranks.account_rank
            rows between unbounded preceding and 1 preceding
        ), 0) as filled_before_usd
    from account_matches
    inner join account_ranks
        on account_ranks.provider = account_matches.provider
        and account_ranks.billing_month = account_matches.billing_month
        and account_ranks.account_id = account_matches.account_id

),

account_fills as (

    select
        *,
        case when gateway_explained_usd - filled_before_usd <= 0 then 0
             when gateway_explained_usd - filled_before_usd < account_invoice_usd
                 then gateway_explained_usd - filled_before_usd
             else account_invoice_usd end as account_explained_usd
    from filled

),

account_shares as (

    select
        *,
        sum(account_explained_usd) over (
            partition by {{ cell | join(', ') }}) as cell_explained_usd
    from account_fills

),

token_rows as (

    -- The invoice's accounts: each keeps what the gateway does not explain as bypass, and
    -- takes its share of the gateway-side causes.
    select
        shares.provider, shares.cost_date, shares.billing_month, 'tokens' as category,
        shares.model, shares.tier, shares.account_id,
        shares.account_invoice_usd as invoice_cost_usd,
        share * causes.gateway_cost_usd as gateway_cost_usd,
        shares.account_invoice_usd - share * causes.gateway_explained_usd as bypass_usd,
        share * causes.overlogged_usd as overlogged_usd,
        share * causes.timing_usd as timing_usd,
        0 as non_token_usd,
        0 as non_token_matched_usd,
        share * causes.price_difference_usd as price_difference_usd,
        share * causes.unexplained_usd as unexplained_usd
    from (
        select
            account_shares.*,
            case when cell_explained_usd > 0
                 then cast(account_explained_usd as {{ ailedger.type_ratio() }})
                      / cast(cell_explained_usd as {{ ailedger.type_ratio() }})
                 else 0 end as share
        from account_shares
    ) as shares
    inner join (
        select cell_causes.*, invoice_usd - bypass_usd as gateway_explained_usd
        from cell_causes
    ) as causes
        on {% for c in cell %}causes.{{ c }} = shares.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}

    union all

    -- Cells where no invoice account takes a share (the gateway saw traffic the invoice
    -- did not bill, or no cost export): the gateway-side causes go to the provider-month's
    -- gateway account.
    select
        causes.provider, causes.cost_date, causes.billing_month, 'tokens' as category,
        causes.model, causes.tier, coalesce(gateway_accounts.account_id, '') as account_id,
        0 as invoice_cost_usd,
        causes.gateway_cost_usd,
        causes.bypass_usd - causes.invoice_usd + coalesce(explained.cell_explained_usd, 0)
            as bypass_usd,
        causes.overlogged_usd,
        causes.timing_usd,
        0 as non_token_usd,
        0 as non_token_matched_usd,
        causes.price_difference_usd,
        causes.unexplained_usd
    from cell_causes as causes
    left join (
        select {{ cell | join(', ') }}, max(cell_explained_usd) as cell_explained_usd
        from account_shares
        group by {{ cell | join(', ') }}
    ) as explained
        on {% for c in cell %}explained.{{ c }} = causes.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join gateway_accounts
        on gateway_accounts.provider = causes.provider
        and gateway_accounts.billing_month = causes.billing_month
    where coalesce(explained.cell_explained_usd, 0) <= 0
        -- A cell its invoice accounts settle whole (all bypass) needs no row here.
        and (causes.gateway_cost_usd <> 0 or causes.overlogged_usd <> 0
             or causes.timing_usd <> 0 or causes.price_difference_usd <> 0
             or causes.unexplained_usd <> 0 or causes.bypass_usd <> causes.invoice_usd)

),

-- Non-token lines: the gateway cannot see storage or fine-tuning; tool calls it saw (priced
-- as gateway_tool_cost_usd) are matched per provider-day, the rest unmatched.
non_token_lines as (

    select
        provider, cost_date, cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as billing_month,
        category, model, tier, account_id, sum(billed_cost_usd) as invoice_usd
    from lines
    where category <> 'tokens'
    group by provider, cost_date, category, model, tier, account_id

),

tool_days as (

    select
        lines_by_day.provider, lines_by_day.cost_date, lines_by_day.tool_usd,
        coalesce(gateway_by_day.gateway_tool_usd, 0) as gateway_tool_usd
    from (
        select provider, cost_date, sum(invoice_usd) as tool_usd
        from non_token_lines
        where category = 'tool_calls'
        group by provider, cost_date
    ) as lines_by_day
    left join (
        select provider, usage_date as cost_date, sum(gateway_tool_cost_usd) as gateway_tool_usd
        from gateway
        group by provider, usage_date
    ) as gateway_by_day
        on gateway_by_day.provider = lines_by_day.provider
        and gateway_by_day.cost_date = lines_by_day.cost_date

),

non_token_rows as (

    select
        non_token_lines.provider, non_token_lines.cost_date, non_token_lines.billing_month,
        non_token_lines.category, non_token_lines.model, non_token_lines.tier,
        non_token_lines.account_id,
        non_token_lines.invoice_usd as invoice_cost_usd,
        0 as gateway_cost_usd,
        0 as bypass_usd,
        0 as overlogged_usd,
        0 as timing_usd,
        non_token_lines.invoice_usd as non_token_usd,
        case when non_token_lines.category = 'tool_calls' and tool_days.tool_usd > 0
             then non_token_lines.invoice_usd
                  * cast(case when tool_days.gateway_tool_usd < tool_days.tool_usd
                              then tool_days.gateway_tool_usd else tool_days.tool_usd end
                         as {{ ailedger.type_ratio() }})
                  / cast(tool_days.tool_usd as {{ ailedger.type_ratio() }})
             else 0 end as non_token_matched_usd,
        0 as price_difference_usd,
        0 as unexplained_usd
    from non_token_lines
    left join tool_days
        on tool_days.provider = non_token_lines.provider
        and tool_days.cost_date = non_token_lines.cost_date

),

unioned as (

    select * from token_rows
    union all
    select * from non_token_rows

),

aggregated as (

    select
        provider, cost_date, billing_month, category, model, tier, account_id,
        sum(invoice_cost_usd) as invoice_cost_usd,
        sum(gateway_cost_usd) as gateway_cost_usd,
        sum(bypass_usd) as bypass_usd,
        sum(overlogged_usd) as overlogged_usd,
        sum(timing_usd) as timing_usd,
        sum(non_token_usd) as non_token_usd,
        sum(non_token_matched_usd) as non_token_matched_usd,
        sum(price_difference_usd) as price_difference_usd,
        sum(unexplained_usd) as unexplained_usd
    from unioned
    group by provider, cost_date, billing_month, category, model, tier, account_id

),

final as (

    select
        cast({{ dbt.concat(['provider', "'|'", 'cast(cost_date as ' ~ dbt.type_string() ~ ')', "'|'", 'category', "'|'", 'model', "'|'", 'tier', "'|'", 'account_id']) }}
             as {{ dbt.type_string() }}) as reconciliation_cell_id,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(cost_date as date) as cost_date,
        cast(billing_month as date) as billing_month,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(tier as {{ dbt.type_string() }}) as tier,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        {{ ailedger.money('invoice_cost_usd') }} as invoice_cost_usd,
        {{ ailedger.money('gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('invoice_cost_usd - gateway_cost_usd') }} as gap_usd,
        {{ ailedger.money('bypass_usd') }} as bypass_usd,
        {{ ailedger.money('overlogged_usd') }} as overlogged_usd,
        {{ ailedger.money('timing_usd') }} as timing_usd,
        {{ ailedger.money('non_token_usd') }} as non_token_usd,
        {{ ailedger.money('non_token_matched_usd') }} as non_token_matched_usd,
        {{ ailedger.money('price_difference_usd') }} as price_difference_usd,
        {{ ailedger.money('unexplained_usd') }} as unexplained_usd
    from aggregated

)

select * from final
