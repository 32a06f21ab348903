{#- One row per gateway session (session_id): its calls, cost and whether it ran away: more
    calls than var('ailedger_runaway_max_calls'), or at least
    var('ailedger_runaway_growth_min_calls') successful calls whose input tokens never shrink
    from one call to the next (an agent loop re-sending a growing context). -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

session_calls as (

    select
        session_id,
        request_id,
        requested_at,
        billing_month,
        coalesce(route, '{{ var("ailedger_untagged_route") }}') as route,
        team,
        status,
        is_cache_hit,
        cost_usd,
        uncached_input_tokens + cache_read_tokens + cache_write_tokens as input_tokens
    from requests
    where session_id is not null

),

successful_calls as (

    select
        session_id,
        input_tokens,
        lag(input_tokens) over (
            partition by session_id order by requested_at, request_id
        ) as previous_input_tokens
    from session_calls
    where status = 'success' and not is_cache_hit

),

growth as (

    select
        session_id,
        count(*) as successful_calls,
        sum(case when input_tokens < previous_input_tokens then 1 else 0 end) as shrinking_calls
    from successful_calls
    group by session_id

),

sessions as (

    select
        session_id,
        min(requested_at) as started_at,
        max(requested_at) as last_call_at,
        min(billing_month) as billing_month,
        min(route) as route,
        min(team) as team,
        count(*) as calls,
        sum(input_tokens) as input_tokens,
        max(input_tokens) as max_input_tokens,
        sum(cost_usd) as cost_usd
    from session_calls
    group by session_id

),

judged as (

    select
        sessions.*,
        coalesce(growth.successful_calls, 0) as successful_calls,
        coalesce(growth.successful_calls, 0) >= {{ var('ailedger_runaway_growth_min_calls') }}
            and coalesce(growth.shrinking_calls, 0) = 0 as has_growing_context
    from sessions
    left join growth
        on growth.session_id = sessions.session_id

),

final as (

    select
        cast(session_id as {{ dbt.type_string() }}) as session_id,
        cast(started_at as {{ dbt.type_timestamp() }}) as started_at,
        cast(last_call_at as {{ dbt.type_timestamp() }}) as last_call_at,
        cast(billing_month as date) as billing_month,
        cast(route as {{ dbt.type_string() }}) as route,
        cast(team as {{ dbt.type_string() }}) as team,
        cast(calls as {{ dbt.type_bigint() }}) as calls,
        cast(successful_calls as {{ dbt.type_bigint() }}) as successful_calls,
        cast(input_tokens as {{ dbt.type_bigint() }}) as input_tokens,
        cast(max_input_tokens as {{ dbt.type_bigint() }}) as max_input_tokens,
        {{ ailedger.money('cost_usd') }} as cost_usd,
        has_growing_context,
        calls > {{ var('ailedger_runaway_max_calls') }} or has_growing_context as is_runaway
    from judged

)

select * from final
