{#- One row per provider, day, model and account (OpenAI project, Anthropic workspace; '' when
    the export does not say): what the provider billed, with the provider's own token counts
    where its usage export has them at this grain. A provider-day with usage but no cost
    export is priced from the price book and marked is_estimated. -#}
with

cost_lines as (

    -- Classified, so a line that names no model (web search calls, storage) has model ''.
    select * from {{ ref('int_provider_costs_classified') }}

),

costs as (

    select
        provider,
        cost_date,
        model,
        account_id,
        sum(billed_cost_usd) as billed_cost_usd,
        max(currency) as currency
    from cost_lines
    group by provider, cost_date, model, account_id

),

usage as (

    select * from {{ ref('int_provider_usage_daily') }}

),

usage_daily as (

    select
        provider,
        usage_date as cost_date,
        model,
        account_id,
        sum(uncached_input_tokens) as uncached_input_tokens,
        sum(cache_read_tokens) as cache_read_tokens,
        sum(cache_write_5m_tokens) as cache_write_5m_tokens,
        sum(cache_write_1h_tokens) as cache_write_1h_tokens,
        sum(output_tokens) as output_tokens,
        sum(request_count) as request_count
    from usage
    group by provider, usage_date, model, account_id

),

billed_days as (

    select distinct provider, cost_date from costs

),

-- Usage on a provider-day with no cost export at all: priced, and flagged as an estimate.
estimated as (

    select
        usage.provider,
        usage.usage_date as cost_date,
        usage.model,
        usage.account_id,
        sum({{ ailedger.token_cost('usage', 'prices', 'usage.is_batch') }}) as billed_cost_usd
    from usage
    left join billed_days
        on billed_days.provider = usage.provider
        and billed_days.cost_date = usage.usage_date
    left join {{ ref('model_prices') }} as prices
        on prices.provider = usage.provider
        and prices.model = usage.model
        and prices.effective_from <= usage.usage_date
        and (prices.effective_to is null or usage.usage_date < prices.effective_to)
    where billed_days.provider is null
    group by usage.provider, usage.usage_date, usage.model, usage.account_id

),

billed as (

    select provider, cost_date, model, account_id, billed_cost_usd, currency,
        false as is_estimated
    from costs
    union all
    select provider, cost_date, model, account_id, billed_cost_usd, 'usd' as currency,
        true as is_estimated
    from estimated

),

joined as (

    select
        coalesce(billed.provider, usage_daily.provider) as provider,
        coalesce(billed.cost_date, usage_daily.cost_date) as cost_date,
        coalesce(billed.model, usage_daily.model) as model,
        coalesce(billed.account_id, usage_daily.account_id) as account_id,
        coalesce(billed.billed_cost_usd, 0) as billed_cost_usd,
        coalesce(billed.currency, 'usd') as currency,
        coalesce(billed.is_estimated, false) as is_estimated,
        usage_daily.uncached_input_tokens,
        usage_daily.cache_read_tokens,
        usage_daily.cache_write_5m_tokens,
        usage_daily.cache_write_1h_tokens,
        usage_daily.output_tokens,
        usage_daily.request_count
    from billed
    full outer join usage_daily
        on usage_daily.provider = billed.provider
        and usage_daily.cost_date = billed.cost_date
        and usage_daily.model = billed.model
        and usage_daily.account_id = billed.account_id

),

final as (

    select
        cast({{ dbt.concat(['provider', "'|'", 'cast(cost_date as ' ~ dbt.type_string() ~ ')', "'|'", "coalesce(model, '')", "'|'", 'account_id']) }}
             as {{ dbt.type_string() }}) as cost_day_id,
        cast(cost_date as date) as cost_date,
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as billing_month,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        {{ ailedger.money('billed_cost_usd') }} as billed_cost_usd,
        cast(currency as {{ dbt.type_string() }}) as currency,
        is_estimated,
        cast(uncached_input_tokens as {{ dbt.type_bigint() }}) as uncached_input_tokens,
        cast(cache_read_tokens as {{ dbt.type_bigint() }}) as cache_read_tokens,
        cast(cache_write_5m_tokens as {{ dbt.type_bigint() }}) as cache_write_5m_tokens,
        cast(cache_write_1h_tokens as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        cast(output_tokens as {{ dbt.type_bigint() }}) as output_tokens,
        cast(request_count as {{ dbt.type_bigint() }}) as request_count
    from joined

)

select * from final
