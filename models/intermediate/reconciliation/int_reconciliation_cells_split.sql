{#- One row per provider, day, category, model, tier and account: the invoice against the
    gateway, its gap split by cause. Token charges are compared cell by cell at the finest
    grain both sides share (provider, day, model, tier, token kind):
    - volume: invoice tokens beyond the gateway's at the invoice's own unit price is
      bypass_usd (a whole cell the gateway never saw is all bypass); fewer invoice tokens than
      logged is overlogged_usd (negative);
    - timing_usd: the part of a volume difference that the neighbouring day offsets (logged at
      23:59:59, billed the next day; a provider day that is not UTC);
    - price_difference_usd: matched tokens at the invoice's unit price − the gateway's
      effective re-priced cost;
    - non_token_usd: tool, storage, fine-tuning and other lines (never bypass);
    - unexplained_usd: the rest, incl. provider-days with no usage export (no invoice token
      counts: volume cannot be told from price) or no cost export (the invoice is an estimate).
    Accounts: the invoice names the project/workspace, the gateway does not. The gateway's
    share of a cell fills the accounts it most likely used first (the accounts whose token
    charges the gateway covers best over the provider-month); what is left of each account is
    its bypass. Every row's causes sum to its gap. -#}
{%- set kinds = ['uncached_input', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output'] -%}
{%- set cell = ['provider', 'cost_date', 'model', 'tier'] -%}
with

lines as (

    select * from {{ ref('int_provider_costs_classified') }}

),

usage as (

    select * from {{ ref('int_provider_usage_daily') }}

),

gateway as (

    select * from {{ ref('int_gateway_usage_daily') }}

),

estimated_days as (

    select * from {{ ref('fct_provider_costs_daily') }}

),

-- Invoice side, tokens: money per token kind and per account.
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

billed_days as (

    select distinct provider, cost_date from lines

),

usage_days as (

    select distinct provider, usage_date as cost_date from usage

),

invoice_kinds as (

    select provider, cost_date, model, tier, token_kind, sum(billed_cost_usd) as invoice_usd
    from token_lines
    group by provider, cost_date, model, tier, token_kind

),

invoice_tokens as (

    {% for kind in kinds %}
    select provider, usage_date as cost_date, model,
        case when is_batch then 'batch' else 'standard' end as tier,
        '{{ kind }}' as token_kind, sum({{ kind }}_tokens) as tokens
    from usage
    group by provider, usage_date, model, case when is_batch then 'batch' else 'standard' end
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

gateway_tokens as (

    {% for kind in kinds %}
    select provider, usage_date as cost_date, model, tier, '{{ kind }}' as token_kind,
        sum({{ kind }}_tokens) as tokens
    from gateway
    group by provider, usage_date, model, tier
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

kind_keys as (

    select provider, cost_date, model, tier, token_kind from invoice_kinds
    union
    select provider, cost_date, model, tier, token_kind from invoice_tokens
    union
    select provider, cost_date, model, tier, token_kind from gateway_tokens

),

kinds_joined as (

    select
        kind_keys.provider,
        kind_keys.cost_date,
        cast({{ dbt.date_trunc('month', 'kind_keys.cost_date') }} as date) as billing_month,
        kind_keys.model,
        kind_keys.tier,
        kind_keys.token_kind,
        billed_days.provider is not null as has_cost,
        usage_days.provider is not null as has_usage,
        coalesce(invoice_kinds.invoice_usd, 0) as invoice_usd,
        coalesce(invoice_tokens.tokens, 0) as invoice_tokens,
        coalesce(gateway_tokens.tokens, 0) as gateway_tokens
    from kind_keys
    left join billed_days
        on billed_days.provider = kind_keys.provider
        and billed_days.cost_date = kind_keys.cost_date
    left join usage_days
        on usage_days.provider = kind_keys.provider
        and usage_days.cost_date = kind_keys.cost_date
    left join invoice_kinds
        on invoice_kinds.provider = kind_keys.provider
        and invoice_kinds.cost_date = kind_keys.cost_date
        and invoice_kinds.model = kind_keys.model
        and invoice_kinds.tier = kind_keys.tier
        and invoice_kinds.token_kind = kind_keys.token_kind
    left join invoice_tokens
        on invoice_tokens.provider = kind_keys.provider
        and invoice_tokens.cost_date = kind_keys.cost_date
        and invoice_tokens.model = kind_keys.model
        and invoice_tokens.tier = kind_keys.tier
        and invoice_tokens.token_kind = kind_keys.token_kind
    left join gateway_tokens
        on gateway_tokens.provider = kind_keys.provider
        and gateway_tokens.cost_date = kind_keys.cost_date
        and gateway_tokens.model = kind_keys.model
        and gateway_tokens.tier = kind_keys.tier
        and gateway_tokens.token_kind = kind_keys.token_kind

),

-- The invoice's unit price over the month: values gateway tokens on a day the invoice has
-- none of that kind.
monthly_prices as (

    select
        provider, billing_month, model, tier, token_kind,
        cast(sum(invoice_usd) as {{ ailedger.type_ratio() }})
            / cast(sum(invoice_tokens) as {{ ailedger.type_ratio() }}) as unit_price_usd
    from kinds_joined
    where has_cost and has_usage and invoice_tokens > 0
    group by provider, billing_month, model, tier, token_kind

),

priced_kinds as (

    select
        kinds_joined.*,
        case
            when kinds_joined.invoice_tokens > 0
                then cast(kinds_joined.invoice_usd as {{ ailedger.type_ratio() }})
                     / cast(kinds_joined.invoice_tokens as {{ ailedger.type_ratio() }})
            else monthly_prices.unit_price_usd
        end as unit_price_usd
    from kinds_joined
    left join monthly_prices
        on monthly_prices.provider = kinds_joined.provider
        and monthly_prices.billing_month = kinds_joined.billing_month
        and monthly_prices.model = kinds_joined.model
        and monthly_prices.tier = kinds_joined.tier
        and monthly_prices.token_kind = kinds_joined.token_kind

),

-- Volume in tokens where both sides count tokens and the invoice prices them.
volumes as (

    select
        *,
        case when has_cost and has_usage and unit_price_usd is not null
             then invoice_tokens - gateway_tokens end as volume_tokens
    from priced_kinds

),

neighbours as (

    select
        *,
        lag(volume_tokens) over (
            partition by provider, model, tier, token_kind order by cost_date) as prev_volume_tokens,
        lag(cost_date) over (
            partition by provider, model, tier, token_kind order by cost_date) as prev_cost_date,
        lead(volume_tokens) over (
            partition by provider, model, tier, token_kind order by cost_date) as next_volume_tokens,
        lead(cost_date) over (
            partition by provider, model, tier, token_kind order by cost_date) as next_cost_date
    from volumes

),

-- Tokens of a day's volume that the adjacent day offsets with the opposite sign.
offsets as (

    select
        *,
        case when prev_cost_date is not null
                  and cast({{ dbt.dateadd('day', 1, 'prev_cost_date') }} as date) = cost_date
                  and ((prev_volume_tokens < 0 and volume_tokens > 0)
                       or (prev_volume_tokens > 0 and volume_tokens < 0))
             then case when abs(prev_volume_tokens) < abs(volume_tokens)
                       then abs(prev_volume_tokens) else abs(volume_tokens) end
             else 0 end as prev_offset_tokens,
        case when next_cost_date is not null
                  and cast({{ dbt.dateadd('day', 1, 'cost_date') }} as date) = next_cost_date
                  and ((next_volume_tokens < 0 and volume_tokens > 0)
                       or (next_volume_tokens > 0 and volume_tokens < 0))
             then case when abs(next_volume_tokens) < abs(volume_tokens)
                       then abs(next_volume_tokens) else abs(volume_tokens) end
             else 0 end as next_offset_tokens
    from neighbours

),

timed as (

    select
        *,
        case when volume_tokens is null then 0
             when volume_tokens < 0
                 then -1 * least(abs(volume_tokens), prev_offset_tokens + next_offset_tokens)
             else least(volume_tokens, prev_offset_tokens + next_offset_tokens)
        end as timing_tokens
    from offsets

),

kind_causes as (

    select
        provider, cost_date, billing_month, model, tier, token_kind, has_cost, has_usage,
        invoice_usd,
        invoice_tokens,
        gateway_tokens,
        case when volume_tokens is null then 0
             else (volume_tokens - timing_tokens) * unit_price_usd end as volume_usd,
        case when volume_tokens is null then 0
             else timing_tokens * unit_price_usd end as timing_usd,
        case when volume_tokens is null then 0
             else gateway_tokens * unit_price_usd end as matched_usd,
        -- Invoice money the token counts do not carry (billed, yet no tokens that day).
        case when volume_tokens is not null and invoice_tokens > 0 then 0
             else invoice_usd end as residual_usd
    from timed

),

cell_kinds as (

    select
        provider, cost_date, billing_month, model, tier,
        max(case when has_cost then 1 else 0 end) = 1 as has_cost,
        max(case when has_usage then 1 else 0 end) = 1 as has_usage,
        sum(invoice_usd) as invoice_usd,
        sum(gateway_tokens) as gateway_tokens,
        sum(case when volume_usd > 0 then volume_usd else 0 end) as bypass_usd,
        sum(case when volume_usd < 0 then volume_usd else 0 end) as overlogged_usd,
        sum(timing_usd) as timing_usd,
        sum(matched_usd) as matched_usd,
        sum(residual_usd) as residual_usd
    from kind_causes
    group by provider, cost_date, billing_month, model, tier

),

estimated_cells as (

    select provider, cost_date, model, tier, sum(billed_cost_usd) as estimated_usd
    from estimated
    group by provider, cost_date, model, tier

),

cell_keys as (

    select {{ cell | join(', ') }} from cell_kinds
    union
    select {{ cell | join(', ') }} from estimated_cells
    union
    select provider, usage_date as cost_date, model, tier from gateway

),

gateway_cells as (

    select provider, usage_date as cost_date, model, tier,
        sum(gateway_effective_cost_usd) as gateway_cost_usd
    from gateway
    group by provider, usage_date, model, tier

),

cells as (

    select
        {% for c in cell %}cell_keys.{{ c }},{% endfor %}
        cast({{ dbt.date_trunc('month', 'cell_keys.cost_date') }} as date) as billing_month,
        coalesce(cell_kinds.has_cost, billed_days.provider is not null) as has_cost,
        coalesce(cell_kinds.has_usage, usage_days.provider is not null) as has_usage,
        coalesce(cell_kinds.invoice_usd, 0) + coalesce(estimated_cells.estimated_usd, 0)
            as invoice_usd,
        coalesce(gateway_cells.gateway_cost_usd, 0) as gateway_cost_usd,
        coalesce(cell_kinds.gateway_tokens, 0) as gateway_tokens,
        coalesce(cell_kinds.bypass_usd, 0) as kind_bypass_usd,
        coalesce(cell_kinds.overlogged_usd, 0) as kind_overlogged_usd,
        coalesce(cell_kinds.timing_usd, 0) as kind_timing_usd,
        coalesce(cell_kinds.matched_usd, 0) as kind_matched_usd,
        coalesce(cell_kinds.residual_usd, 0) as kind_residual_usd
    from cell_keys
    left join cell_kinds
        on {% for c in cell %}cell_kinds.{{ c }} = cell_keys.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join estimated_cells
        on {% for c in cell %}estimated_cells.{{ c }} = cell_keys.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join gateway_cells
        on {% for c in cell %}gateway_cells.{{ c }} = cell_keys.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
    left join billed_days
        on billed_days.provider = cell_keys.provider
        and billed_days.cost_date = cell_keys.cost_date
    left join usage_days
        on usage_days.provider = cell_keys.provider
        and usage_days.cost_date = cell_keys.cost_date

),

cell_causes as (

    select
        {{ cell | join(', ') }}, billing_month, invoice_usd, gateway_cost_usd,
        case
            when not has_cost then 0
            when not has_usage
                then case when gateway_tokens = 0 and gateway_cost_usd = 0 then invoice_usd else 0 end
            else kind_bypass_usd
        end as bypass_usd,
        case when has_cost and has_usage then kind_overlogged_usd else 0 end as overlogged_usd,
        case when has_cost and has_usage then kind_timing_usd else 0 end as timing_usd,
        case when has_cost and has_usage then kind_matched_usd - gateway_cost_usd else 0 end
            as price_difference_usd,
        case
            when not has_cost then invoice_usd - gateway_cost_usd
            when not has_usage
                then case when gateway_tokens = 0 and gateway_cost_usd = 0 then 0
                          else invoice_usd - gateway_cost_usd end
            else kind_residual_usd
        end as unexplained_usd
    from cells

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
