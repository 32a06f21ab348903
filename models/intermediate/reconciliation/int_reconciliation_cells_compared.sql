{#- One row per provider, day, model and tier: the invoice's token charges against the
    gateway's effective re-priced cost, the difference split by cause. Compared per token kind
    (the finest grain both sides share):
    - volume: invoice tokens beyond the gateway's at the invoice's own unit price is
      bypass_usd (a whole cell the gateway never saw is all bypass); fewer invoice tokens than
      logged is overlogged_usd (negative);
    - timing_usd: the part of a volume difference that the neighbouring day offsets (logged at
      23:59:59, billed the next day; a provider day that is not UTC);
    - price_difference_usd: matched tokens at the invoice's unit price − the gateway's
      effective re-priced cost;
    - unexplained_usd: the rest, incl. provider-days with no usage export (no invoice token
      counts: volume cannot be told from price) or no cost export (the invoice is an estimate).
    The causes of a row sum to invoice_usd − gateway_cost_usd. -#}
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

final as (

    select
        cast({{ dbt.concat(['provider', "'|'", 'cast(cost_date as ' ~ dbt.type_string() ~ ')', "'|'", 'model', "'|'", 'tier']) }}
             as {{ dbt.type_string() }}) as cell_id,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(cost_date as date) as cost_date,
        cast(billing_month as date) as billing_month,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(tier as {{ dbt.type_string() }}) as tier,
        {{ ailedger.money('invoice_usd') }} as invoice_usd,
        {{ ailedger.money('gateway_cost_usd') }} as gateway_cost_usd,
        {{ ailedger.money('bypass_usd') }} as bypass_usd,
        {{ ailedger.money('overlogged_usd') }} as overlogged_usd,
        {{ ailedger.money('timing_usd') }} as timing_usd,
        {{ ailedger.money('price_difference_usd') }} as price_difference_usd,
        {{ ailedger.money('unexplained_usd') }} as unexplained_usd
    from cell_causes

)

select * from final
