-- Cache-cost share per route and month: what prompt-cache reads and writes cost, as a share
-- of the route's re-priced spend, at the price row each request was priced with.
with

requests as (

    select * from {{ ref('fct_llm_requests') }}
    where is_priced

),

prices as (

    select * from {{ ref('model_prices') }}

),

costed as (

    select
        requests.route,
        requests.billing_month,
        requests.cost_usd,
        requests.cache_read_tokens
            * coalesce(prices.cache_read_per_1m_usd, prices.input_per_1m_usd) / 1000000
            as cache_read_usd,
        (requests.cache_write_5m_tokens
            * coalesce(prices.cache_write_5m_per_1m_usd, prices.input_per_1m_usd)
         + requests.cache_write_1h_tokens
            * coalesce(prices.cache_write_1h_per_1m_usd, prices.cache_write_5m_per_1m_usd,
                       prices.input_per_1m_usd)) / 1000000 as cache_write_usd
    from requests
    inner join prices
        on prices.provider = requests.provider
        and prices.model = requests.model
        and prices.effective_from = requests.price_effective_from
    -- LiteLLM's own response-cache hits never reached the provider: no cache cost either.
    where not requests.is_cache_hit

),

by_route as (

    select
        route,
        billing_month,
        sum(cost_usd) as spend_usd,
        sum(cache_read_usd) as cache_read_usd,
        sum(cache_write_usd) as cache_write_usd
    from costed
    group by route, billing_month

)

select
    route,
    billing_month,
    spend_usd,
    cache_read_usd,
    cache_write_usd,
    case when spend_usd > 0
         then (cache_read_usd + cache_write_usd) / spend_usd end as cache_cost_share
from by_route
order by billing_month, spend_usd desc
