{#- One row per team, feature and UTC hour: the gateway's calls, tokens (every kind, output
    included) and re-priced cost. Calls with no team or feature fall under '(no team)' and
    '(no feature)'. The grain the spend-anomaly rules aggregate from. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

labelled as (

    select
        coalesce(team, '(no team)') as team,
        coalesce(feature, '(no feature)') as feature,
        {{ dbt.date_trunc('hour', 'requested_at') }} as hour_at,
        case when is_cache_hit then 0
             else uncached_input_tokens + cache_read_tokens + cache_write_tokens + output_tokens
        end as tokens,
        cost_usd
    from requests

),

hourly as (

    select
        team,
        feature,
        hour_at,
        count(*) as requests,
        sum(tokens) as tokens,
        sum(cost_usd) as cost_usd
    from labelled
    group by team, feature, hour_at

),

final as (

    select
        cast(team as {{ dbt.type_string() }}) as team,
        cast(feature as {{ dbt.type_string() }}) as feature,
        cast(hour_at as {{ dbt.type_timestamp() }}) as hour_at,
        cast(cast(hour_at as date) as date) as spend_date,
        cast(requests as {{ dbt.type_bigint() }}) as requests,
        cast(tokens as {{ dbt.type_bigint() }}) as tokens,
        {{ ailedger.money('coalesce(cost_usd, 0)') }} as cost_usd
    from hourly

)

select * from final
