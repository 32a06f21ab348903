{#- One row per day, provider, cost center, feature, provider account and attribution: all
    spend, each dollar once, with who pays for it. Per provider-month the rows add up to the
    total spend rpt_attribution_coverage uses: the invoice where one was landed, else the
    gateway's re-priced requests. Attribution says how the owner is known:
      request             a gateway request whose tag or mapping names a cost center;
      account             invoice spend in a provider account mapped to a cost center (traffic
                          that bypassed the gateway but sits in an owned project/workspace);
      unmapped_request    a gateway request with no cost center (cost_center null);
      invoice_remainder   invoice spend that neither requests nor owned accounts explain
                          (unlogged traffic in the gateway's accounts, timing, mis-pricing).
    The last two are unattributable: reported here, never dropped, allocated by rpt_chargeback.
    Cloud and GPU bills join later as one more union branch (attribution `account`, by cloud
    tag, AWS account or GPU pool) and one more remainder per bill. -#}
with

charged as (

    select * from {{ ref('int_llm_requests_charged') }}

),

provider_costs as (

    select * from {{ ref('fct_provider_costs_daily') }}

),

mappings as (

    select * from {{ ref('cost_center_mappings') }}

),

account_owners as (

    select
        case owner_kind
            when 'openai_project' then 'openai'
            when 'anthropic_workspace' then 'anthropic'
        end as provider,
        owner_key as account_id,
        cost_center,
        effective_from,
        effective_to
    from mappings
    where owner_kind in ('openai_project', 'anthropic_workspace')

),

request_spend as (

    select
        requested_date as spend_date,
        provider,
        cost_center,
        feature,
        '' as account_id,
        case when cost_center is null then 'unmapped_request' else 'request' end
            as attribution,
        sum(cost_usd) as spend_usd
    from charged
    group by requested_date, provider, cost_center, feature,
        case when cost_center is null then 'unmapped_request' else 'request' end

),

account_spend as (

    select
        provider_costs.cost_date as spend_date,
        provider_costs.provider,
        account_owners.cost_center,
        cast(null as {{ dbt.type_string() }}) as feature,
        provider_costs.account_id,
        'account' as attribution,
        sum(provider_costs.billed_cost_usd) as spend_usd
    from provider_costs
    inner join account_owners
        on account_owners.provider = provider_costs.provider
        and account_owners.account_id = provider_costs.account_id
        and account_owners.effective_from <= provider_costs.cost_date
        and (account_owners.effective_to is null
             or provider_costs.cost_date < account_owners.effective_to)
    group by provider_costs.cost_date, provider_costs.provider, account_owners.cost_center,
        provider_costs.account_id

),

-- Provider-months with an invoice: there the invoice is the total, and what requests and
-- owned accounts do not explain is a remainder. Elsewhere the requests are the total.
invoiced_months as (

    select distinct provider, billing_month from provider_costs

),

invoice_daily as (

    select cost_date as spend_date, provider, sum(billed_cost_usd) as invoice_usd
    from provider_costs
    group by cost_date, provider

),

explained_daily as (

    select spend_date, provider, sum(spend_usd) as explained_usd
    from (
        select spend_date, provider, spend_usd from request_spend
        union all
        select spend_date, provider, spend_usd from account_spend
    ) as explained
    group by spend_date, provider

),

remainder_spend as (

    select
        coalesce(invoice_daily.spend_date, explained_daily.spend_date) as spend_date,
        coalesce(invoice_daily.provider, explained_daily.provider) as provider,
        cast(null as {{ dbt.type_string() }}) as cost_center,
        cast(null as {{ dbt.type_string() }}) as feature,
        '' as account_id,
        'invoice_remainder' as attribution,
        coalesce(invoice_daily.invoice_usd, 0) - coalesce(explained_daily.explained_usd, 0)
            as spend_usd
    from invoice_daily
    full outer join explained_daily
        on explained_daily.spend_date = invoice_daily.spend_date
        and explained_daily.provider = invoice_daily.provider
    inner join invoiced_months
        on invoiced_months.provider
            = coalesce(invoice_daily.provider, explained_daily.provider)
        and invoiced_months.billing_month = cast({{ dbt.date_trunc('month',
            'coalesce(invoice_daily.spend_date, explained_daily.spend_date)') }} as date)

),

unioned as (

    select * from request_spend
    union all
    select * from account_spend
    union all
    select * from remainder_spend where spend_usd <> 0

),

final as (

    select
        cast({{ dbt.concat([
            'cast(spend_date as ' ~ dbt.type_string() ~ ')', "'|'", 'provider', "'|'",
            "coalesce(cost_center, '')", "'|'", "coalesce(feature, '')", "'|'", 'account_id',
            "'|'", 'attribution']) }} as {{ dbt.type_string() }}) as spend_row_id,
        cast(spend_date as date) as spend_date,
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as billing_month,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(account_id as {{ dbt.type_string() }}) as account_id,
        cast(attribution as {{ dbt.type_string() }}) as attribution,
        cost_center is not null as is_attributed,
        {{ ailedger.money('spend_usd') }} as spend_usd
    from unioned

)

select * from final
