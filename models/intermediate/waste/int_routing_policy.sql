{#- One row per route with a routing policy: seeds/routing_policy.csv, overridden route by route
    by rows passed in var('ailedger_routing_policy') (same columns). -#}
{%- set configured_rows = var('ailedger_routing_policy') -%}
with

seeded as (

    select * from {{ ref('routing_policy') }}

),

configured as (

    {% for row in configured_rows %}
    select
        cast('{{ row["route"] | replace("'", "''") }}' as {{ dbt.type_string() }}) as route,
        cast('{{ row["approved_model"] | replace("'", "''") }}' as {{ dbt.type_string() }}) as approved_model,
        {{ 'true' if row.get('is_frontier_justified') in (true, 'true', 'True', 1) else 'false' }} as is_frontier_justified,
        cast('{{ (row.get("justification") or "") | replace("'", "''") }}' as {{ dbt.type_string() }}) as justification
    {% if not loop.last %}union all{% endif %}
    {% else %}
    select
        cast(null as {{ dbt.type_string() }}) as route,
        cast(null as {{ dbt.type_string() }}) as approved_model,
        false as is_frontier_justified,
        cast(null as {{ dbt.type_string() }}) as justification
    from seeded
    where 1 = 0
    {% endfor %}

),

unioned as (

    select route, approved_model, is_frontier_justified, justification, 'var' as policy_source
    from configured
    union all
    select
        cast(seeded.route as {{ dbt.type_string() }}),
        cast(seeded.approved_model as {{ dbt.type_string() }}),
        coalesce(seeded.is_frontier_justified, false),
        cast(seeded.justification as {{ dbt.type_string() }}),
        'seed'
    from seeded
    where seeded.route not in (select route from configured where route is not null)

),

final as (

    select
        cast(route as {{ dbt.type_string() }}) as route,
        cast(lower(approved_model) as {{ dbt.type_string() }}) as approved_model,
        cast(is_frontier_justified as boolean) as is_frontier_justified,
        cast(justification as {{ dbt.type_string() }}) as justification,
        cast(policy_source as {{ dbt.type_string() }}) as policy_source
    from unioned

)

select * from final
