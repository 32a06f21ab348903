{#- One row per cost center and billing month: what it spent directly (by request, and by
    provider account for traffic that bypassed the gateway), its share of what no owner can be
    found for, and what it is charged, against its budget. The rows of a month add up to the
    month's total spend (the invoice where landed), each dollar once.
    var('ailedger_shared_cost_allocation'):
      proportional  unattributable spend follows each cost center's share of the month's
                    attributed spend; the largest cost center takes the rounding remainder so
                    the month adds up exactly (a month with nothing attributed goes to
                    `__unallocated__`);
      shared        all of it goes to var('ailedger_shared_cost_center'). -#}
{%- set method = var('ailedger_shared_cost_allocation') -%}
{%- set shared_cost_center = var('ailedger_shared_cost_center') -%}
{%- if method not in ['proportional', 'shared'] -%}
    {{ exceptions.raise_compiler_error(
        "var ailedger_shared_cost_allocation must be proportional or shared, got " ~ method) }}
{%- endif -%}
with

spend as (

    select * from {{ ref('int_spend_by_owner_daily') }}

),

budgets as (

    select * from {{ ref('int_budgets_monthly') }}
    where scope_type = 'cost_center'

),

attributed as (

    select
        billing_month,
        cost_center,
        sum(case when attribution = 'request' then spend_usd else 0 end) as request_spend_usd,
        sum(case when attribution = 'account' then spend_usd else 0 end) as account_spend_usd,
        sum(spend_usd) as actual_usd
    from spend
    where is_attributed
    group by billing_month, cost_center

),

monthly as (

    select
        billing_month,
        sum(case when is_attributed then spend_usd else 0 end) as attributed_usd,
        sum(case when is_attributed then 0 else spend_usd end) as unattributed_usd
    from spend
    group by billing_month

),

cost_center_months as (

    select billing_month, cost_center from attributed
    union
    select billing_month, scope as cost_center from budgets
    union
    select
        billing_month,
        {% if method == 'shared' -%}
        '{{ shared_cost_center }}'
        {%- else -%}
        '__unallocated__'
        {%- endif %} as cost_center
    from monthly
    {% if method == 'proportional' -%}
    where attributed_usd = 0 and unattributed_usd <> 0
    {%- endif %}

),

joined as (

    select
        cost_center_months.billing_month,
        cost_center_months.cost_center,
        budgets.cost_center_name,
        budgets.owner,
        coalesce(attributed.request_spend_usd, 0) as request_spend_usd,
        coalesce(attributed.account_spend_usd, 0) as account_spend_usd,
        coalesce(attributed.actual_usd, 0) as actual_usd,
        monthly.attributed_usd as month_attributed_usd,
        monthly.unattributed_usd as month_unattributed_usd,
        budgets.budget_usd
    from cost_center_months
    inner join monthly
        on monthly.billing_month = cost_center_months.billing_month
    left join attributed
        on attributed.billing_month = cost_center_months.billing_month
        and attributed.cost_center = cost_center_months.cost_center
    left join budgets
        on budgets.billing_month = cost_center_months.billing_month
        and budgets.scope = cost_center_months.cost_center

),

{% if method == 'proportional' -%}
shares as (

    select
        *,
        case when month_attributed_usd <> 0
             then {{ ailedger.money('month_unattributed_usd * (cast(actual_usd as '
                  ~ ailedger.type_ratio() ~ ') / cast(month_attributed_usd as '
                  ~ ailedger.type_ratio() ~ '))') }}
             else 0 end as share_usd,
        row_number() over (
            partition by billing_month order by actual_usd desc, cost_center
        ) as size_rank
    from joined

),

allocated as (

    select
        *,
        case
            when month_attributed_usd = 0 and cost_center = '__unallocated__'
                then month_unattributed_usd
            when month_attributed_usd = 0 then 0
            -- The largest cost center takes what rounding left, so the month adds up exactly.
            when size_rank = 1
                then month_unattributed_usd
                     - (sum(share_usd) over (partition by billing_month) - share_usd)
            else share_usd
        end as allocated_shared_usd
    from shares

),
{%- else -%}
allocated as (

    select
        *,
        case when cost_center = '{{ shared_cost_center }}' then month_unattributed_usd else 0 end
            as allocated_shared_usd
    from joined

),
{%- endif %}

final as (

    select
        cast({{ dbt.concat(['cost_center', "'|'",
            'cast(billing_month as ' ~ dbt.type_string() ~ ')']) }}
            as {{ dbt.type_string() }}) as chargeback_id,
        cast(billing_month as date) as billing_month,
        cast(cost_center as {{ dbt.type_string() }}) as cost_center,
        cast(cost_center_name as {{ dbt.type_string() }}) as cost_center_name,
        cast(owner as {{ dbt.type_string() }}) as owner,
        {{ ailedger.money('request_spend_usd') }} as request_spend_usd,
        {{ ailedger.money('account_spend_usd') }} as account_spend_usd,
        {{ ailedger.money('actual_usd') }} as actual_usd,
        {{ ailedger.money('allocated_shared_usd') }} as allocated_shared_usd,
        {{ ailedger.money('actual_usd + allocated_shared_usd') }} as chargeback_usd,
        {{ ailedger.money('budget_usd') }} as budget_usd,
        {{ ailedger.money('actual_usd + allocated_shared_usd - budget_usd') }} as variance_usd,
        cast(case when budget_usd > 0
             then cast(actual_usd + allocated_shared_usd as {{ ailedger.type_ratio() }})
                  / cast(budget_usd as {{ ailedger.type_ratio() }}) end
             as {{ ailedger.type_ratio() }}) as utilization_pct,
        cast('{{ method }}' as {{ dbt.type_string() }}) as allocation_method
    from allocated

)

select * from final
