{#- One row per billing month, route and current model: what the route cost on the model it
    runs, and what the same calls (their exact token mix: uncached input, cache read, 5m/1h
    cache write, output, batch) would have cost on the right-sized model at that model's
    prices in effect on each day. Current cost comes from the request fact; only the
    counterfactual joins the price book.

    A route-model is a right-sizing candidate when its routing policy names a cheaper model,
    or, with no policy row, when it runs a tier in var('ailedger_right_size_tiers') and its
    median output is at most var('ailedger_right_size_max_p50_output_tokens') tokens
    (classification-like traffic): its right-sized model is then the tier seed's target.
    A policy marking the current model as justified keeps the row, with zero savings. -#}
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
        policy.approved_model,
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
        classified.billing_month,
        classified.route,
        classified.model,
        max(prices.max_input_tokens) as proposed_max_input_tokens
    from classified
    inner join prices
        on prices.provider = classified.provider
        and prices.model = classified.proposed_model
    group by classified.billing_month, classified.route, classified.model

),

capable as (

    select
        classified.*,
        proposed_capacity.proposed_max_input_tokens,
        classified.proposed_model is not null
            and (proposed_capacity.proposed_max_input_tokens is null
                 or classified.p95_input_tokens is null
                 or classified.p95_input_tokens <= proposed_capacity.proposed_max_input_tokens)
            as is_candidate
    from classified
    left join proposed_capacity
        on proposed_capacity.billing_month = classified.billing_month
        and proposed_capacity.route = classified.route
        and proposed_capacity.model = classified.model

),

-- The counterfactual: each day's token mix at the proposed model's price row of that day.
repriced_daily as (

    select
        capable.billing_month,
        capable.route,
        capable.model,
        case when prices.input_per_1m_usd is null then 1 else 0 end as is_unpriced,
        {{ ailedger.token_cost('route_daily', 'prices', 'route_daily.is_batch') }} as cost_usd
    from capable
    inner join route_daily
        on route_daily.billing_month = capable.billing_month
        and route_daily.route = capable.route
        and route_daily.provider = capable.provider
        and route_daily.model = capable.model
    left join prices
        on prices.provider = capable.provider
        and prices.model = capable.proposed_model
        and prices.effective_from <= route_daily.requested_date
        and (prices.effective_to is null or route_daily.requested_date < prices.effective_to)
    where capable.is_candidate

),

repriced as (

    select
        billing_month,
        route,
        model,
        sum(is_unpriced) as unpriced_days,
        sum(cost_usd) as cost_usd
    from repriced_daily
    group by billing_month, route, model

),

scored as (

    select
        capable.*,
        case when capable.unpriced_requests = 0 then capable.cost_usd end as current_cost_usd,
        case
            when capable.has_policy and capable.is_frontier_justified
                and capable.proposed_model is null
                then capable.cost_usd
            when capable.is_candidate and repriced.unpriced_days = 0
                then repriced.cost_usd
        end as right_sized_cost_usd,
        case
            when capable.has_policy and capable.is_frontier_justified
                and capable.proposed_model is null then capable.model
            when capable.is_candidate then capable.proposed_model
        end as right_sized_model,
        capable.has_policy and capable.is_frontier_justified
            and capable.proposed_model is null as is_justified
    from capable
    left join repriced
        on repriced.billing_month = capable.billing_month
        and repriced.route = capable.route
        and repriced.model = capable.model

),

evidenced as (

    select
        scored.*,
        case
            when is_justified then {{ dbt.concat(["'routing policy: '", "model", "' is justified on this route'"]) }}
            when route = '{{ var("ailedger_untagged_route") }}' then 'no route tag: nothing to right-size'
            when has_policy and proposed_model is null then 'routing policy approves the current model'
            when proposed_model is not null and not is_candidate then {{ dbt.concat([
                "'not a candidate: p95 input '",
                "cast(cast(round(p95_input_tokens) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens exceeds the context window of '",
                "proposed_model",
                "' ('",
                "cast(proposed_max_input_tokens as " ~ dbt.type_string() ~ ")",
                "')'"]) }}
            when has_policy then {{ dbt.concat(["'routing policy names '", "proposed_model"]) }}
            when is_candidate then {{ dbt.concat([
                "'p50 output '",
                "cast(cast(round(p50_output_tokens) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens <= " ~ var('ailedger_right_size_max_p50_output_tokens') ~ " on '",
                "tier",
                "' model; p95 input '",
                "cast(cast(round(p95_input_tokens) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens fits '",
                "proposed_model",
                "coalesce(" ~ dbt.concat(["' ('", "cast(proposed_max_input_tokens as " ~ dbt.type_string() ~ ")", "')'"]) ~ ", '')"]) }}
            when tier is null then 'model has no tier row'
            when tier not in (
                {%- for tier in var('ailedger_right_size_tiers') -%}
                '{{ tier }}'{% if not loop.last %}, {% endif %}
                {%- endfor -%}) then {{ dbt.concat(["'already on a '", "tier", "' model'"]) }}
            else {{ dbt.concat([
                "'not classification-like: p50 output '",
                "cast(cast(round(p50_output_tokens) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens on '",
                "tier",
                "' model'"]) }}
        end as evidence
    from scored

),

final as (

    select
        cast({{ dbt.concat([
            "cast(billing_month as " ~ dbt.type_string() ~ ")", "'|'", "route", "'|'", "model"
        ]) }} as {{ dbt.type_string() }}) as overspend_id,
        cast(billing_month as date) as billing_month,
        cast(route as {{ dbt.type_string() }}) as route,
        cast(provider as {{ dbt.type_string() }}) as provider,
        cast(model as {{ dbt.type_string() }}) as current_model,
        cast(tier as {{ dbt.type_string() }}) as current_tier,
        cast(right_sized_model as {{ dbt.type_string() }}) as right_sized_model,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(tokens as {{ dbt.type_bigint() }}) as tokens,
        cast(p50_output_tokens as {{ ailedger.type_ratio() }}) as p50_output_tokens,
        cast(p95_input_tokens as {{ ailedger.type_ratio() }}) as p95_input_tokens,
        {{ ailedger.money('current_cost_usd') }} as current_cost_usd,
        {{ ailedger.money('right_sized_cost_usd') }} as right_sized_cost_usd,
        cast(case when right_sized_cost_usd > 0
             then cast(current_cost_usd as {{ ailedger.type_ratio() }})
                  / cast(right_sized_cost_usd as {{ ailedger.type_ratio() }})
        end as {{ ailedger.type_ratio() }}) as overspend_ratio,
        {{ ailedger.money(
            'case when is_justified or not is_candidate then 0'
            ~ ' when current_cost_usd > right_sized_cost_usd'
            ~ ' then current_cost_usd - right_sized_cost_usd'
            ~ ' when right_sized_cost_usd is not null and current_cost_usd is not null then 0 end'
        ) }} as monthly_savings_usd,
        cast(is_candidate as boolean) as is_candidate,
        cast(is_justified as boolean) as is_justified,
        cast(justification as {{ dbt.type_string() }}) as justification,
        cast(evidence as {{ dbt.type_string() }}) as evidence
    from evidenced

)

select * from final
