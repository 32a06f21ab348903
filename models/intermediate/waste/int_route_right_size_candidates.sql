{#- One row per billing month, route, provider and current model: its tier, token
    percentiles and routing policy, the model it could be right-sized to, and whether it is a
    candidate. A route-model is a candidate when its routing policy names a cheaper model,
    or, with no policy row, when it runs a tier in var('ailedger_right_size_tiers') and its
    median output is at most var('ailedger_right_size_max_p50_output_tokens') tokens
    (classification-like traffic), and in both cases when the proposed model's context window
    (model_prices.max_input_tokens; unknown counts as large enough) holds the route's p95
    input, and when it supports what the logs show the route using: server-side web search
    (model_prices.supports_web_search must be true). The request fact records no tool, vision
    or JSON-mode use, so those capabilities are not checked. Untagged calls are never
    right-sized. -#}
with

route_daily as (

    select * from {{ ref('int_llm_requests_route_daily') }}

),

token_percentiles as (

    select * from {{ ref('int_route_token_percentiles') }}

),

policy as (

    select * from {{ ref('int_routing_policy') }}

),

tiers as (

    select * from {{ ref('model_tiers') }}

),

prices as (

    select * from {{ ref('model_prices') }}

),

monthly as (

    select
        billing_month,
        route,
        provider,
        model,
        sum(requests) as requests,
        sum(total_tokens) as tokens,
        sum(unpriced_requests) as unpriced_requests,
        sum(coalesce(web_search_requests, 0)) as web_search_requests,
        sum(cost_usd) as cost_usd
    from route_daily
    group by billing_month, route, provider, model

),

classified as (

    select
        monthly.*,
        tiers.tier,
        token_percentiles.p50_output_tokens,
        token_percentiles.p95_input_tokens,
        policy.route is not null as has_policy,
        coalesce(policy.is_frontier_justified, false) as is_frontier_justified,
        policy.justification,
        case
            when monthly.route = '{{ var("ailedger_untagged_route") }}' then null
            when policy.route is not null then
                case when policy.approved_model <> monthly.model then policy.approved_model end
            when tiers.tier in (
                {%- for tier in var('ailedger_right_size_tiers') -%}
                '{{ tier }}'{% if not loop.last %}, {% endif %}
                {%- endfor -%})
                and token_percentiles.p50_output_tokens
                    <= {{ var('ailedger_right_size_max_p50_output_tokens') }}
                then tiers.right_size_model
        end as proposed_model
    from monthly
    left join tiers
        on tiers.provider = monthly.provider
        and tiers.model = monthly.model
    left join token_percentiles
        on token_percentiles.route = monthly.route
        and token_percentiles.provider = monthly.provider
        and token_percentiles.model = monthly.model
        and token_percentiles.billing_month = monthly.billing_month
    left join policy
        on policy.route = monthly.route

),

proposed_capacity as (

    select
        provider,
        model,
        max(max_input_tokens) as max_input_tokens,
        max(case when supports_web_search then 1 else 0 end) as supports_web_search
    from prices
    group by provider, model

),

judged as (

    select
        classified.*,
        proposed_capacity.max_input_tokens as proposed_max_input_tokens,
        proposed_capacity.max_input_tokens is null
            or classified.p95_input_tokens is null
            or classified.p95_input_tokens <= proposed_capacity.max_input_tokens
            as fits_context,
        classified.web_search_requests = 0
            or coalesce(proposed_capacity.supports_web_search, 0) = 1 as supports_route_tools
    from classified
    left join proposed_capacity
        on proposed_capacity.provider = classified.provider
        and proposed_capacity.model = classified.proposed_model

),

final as (

    select
        cast(billing_month as date) as billing_month,
        cast(route as {{ dbt.type_string() }}) as route,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as model,
        cast(tier as {{ dbt.type_string() }}) as tier,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(tokens as {{ dbt.type_bigint() }}) as tokens,
        case when unpriced_requests = 0
             then {{ ailedger.money('cost_usd') }} end as current_cost_usd,
        cast(p50_output_tokens as {{ ailedger.type_ratio() }}) as p50_output_tokens,
        cast(p95_input_tokens as {{ ailedger.type_ratio() }}) as p95_input_tokens,
        cast(web_search_requests as {{ dbt.type_bigint() }}) as web_search_requests,
        has_policy,
        is_frontier_justified,
        cast(justification as {{ dbt.type_string() }}) as justification,
        cast(proposed_model as {{ dbt.type_string() }}) as proposed_model,
        cast(proposed_max_input_tokens as {{ dbt.type_bigint() }}) as proposed_max_input_tokens,
        fits_context,
        supports_route_tools,
        proposed_model is not null and fits_context and supports_route_tools as is_candidate,
        has_policy and is_frontier_justified and proposed_model is null as is_justified
    from judged

)

select * from final
