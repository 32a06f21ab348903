{#- One row per billing month, route and current model: what the route cost on the model it
    runs (the request fact's cost_usd), and what the same calls would have cost on the
    right-sized model: each call's own token mix (uncached input, cache read, 5m/1h cache
    write, output, batch) at that model's price row in effect on its day, in its long-context
    band and served tier. Only this counterfactual joins the price book. Candidacy comes from
    int_route_right_size_candidates; a route the policy justifies stays with zero savings. -#}
with

candidates as (

    select * from {{ ref('int_route_right_size_candidates') }}

),

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

prices as (

    select * from {{ ref('model_prices') }}

),

candidate_requests as (

    select
        candidates.billing_month,
        candidates.route,
        candidates.provider,
        candidates.model,
        candidates.proposed_model,
        requests.requested_date,
        requests.is_batch,
        requests.service_tier,
        requests.uncached_input_tokens,
        requests.cache_read_tokens,
        requests.cache_write_5m_tokens,
        requests.cache_write_1h_tokens,
        requests.output_tokens
    from candidates
    inner join requests
        on requests.billing_month = candidates.billing_month
        and coalesce(requests.route, '{{ var("ailedger_untagged_route") }}') = candidates.route
        and requests.provider = candidates.provider
        and requests.model = candidates.model
    where candidates.is_candidate
        -- a hit in the gateway's own response cache never reached the provider
        and not requests.is_cache_hit

),

-- The counterfactual: every call's own token mix at the proposed model's price row of its
-- day, in that model's long-context band and at the tier the call was served at.
repriced_requests as (

    select
        candidate_requests.billing_month,
        candidate_requests.route,
        candidate_requests.model,
        case when prices.input_per_1m_usd is null then 1 else 0 end as is_unpriced,
        {{ ailedger.token_cost(
            'candidate_requests', 'prices', 'candidate_requests.is_batch',
            band='band', service_tier='candidate_requests.service_tier') }} as cost_usd
    from candidate_requests
    left join prices
        on prices.provider = candidate_requests.provider
        and prices.model = candidate_requests.proposed_model
        and prices.effective_from <= candidate_requests.requested_date
        and (prices.effective_to is null or candidate_requests.requested_date < prices.effective_to)
    {{ ailedger.long_context_band_join('prices', 'candidate_requests', 'band') }}

),

repriced as (

    select
        billing_month,
        route,
        model,
        sum(is_unpriced) as unpriced_requests,
        sum(cost_usd) as cost_usd
    from repriced_requests
    group by billing_month, route, model

),

scored as (

    select
        candidates.*,
        case
            when candidates.is_justified then candidates.current_cost_usd
            when candidates.is_candidate and coalesce(repriced.unpriced_requests, 0) = 0
                then coalesce(repriced.cost_usd, 0)
        end as right_sized_cost_usd,
        case
            when candidates.is_justified then candidates.model
            when candidates.is_candidate then candidates.proposed_model
        end as right_sized_model
    from candidates
    left join repriced
        on repriced.billing_month = candidates.billing_month
        and repriced.route = candidates.route
        and repriced.model = candidates.model

),

evidenced as (

    select
        scored.*,
        case
            when is_justified then {{ dbt.concat(["'routing policy: '", "model", "' is justified on this route'"]) }}
            when route = '{{ var("ailedger_untagged_route") }}' then 'no route tag: nothing to right-size'
            when has_policy and proposed_model is null then 'routing policy approves the current model'
            when proposed_model is not null and not supports_route_tools then {{ dbt.concat([
                "'not a candidate: the route uses web search, which '",
                "proposed_model",
                "' does not support'"]) }}
            when proposed_model is not null and not is_candidate then {{ dbt.concat([
                "'not a candidate: p95 input '",
                "cast(cast(floor(p95_input_tokens + 0.5) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens exceeds the context window of '",
                "proposed_model",
                "' ('",
                "cast(proposed_max_input_tokens as " ~ dbt.type_string() ~ ")",
                "')'"]) }}
            when has_policy then {{ dbt.concat(["'routing policy names '", "proposed_model"]) }}
            when is_candidate then {{ dbt.concat([
                "'p50 output '",
                "cast(cast(floor(p50_output_tokens + 0.5) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
                "' tokens <= " ~ var('ailedger_right_size_max_p50_output_tokens') ~ " on '",
                "tier",
                "' model; p95 input '",
                "cast(cast(floor(p95_input_tokens + 0.5) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
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
                "cast(cast(floor(p50_output_tokens + 0.5) as " ~ dbt.type_bigint() ~ ") as " ~ dbt.type_string() ~ ")",
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
