-- Unattributed gateway spend by virtual key: which keys send requests without a team or
-- feature (var ailedger_attribution_requires), and how much. Keys are the gateway's hashed
-- form (api_key_hash); put a key-alias mapping next to it to name them.
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

by_key as (

    select
        coalesce(api_key_hash, '(no key)') as api_key_hash,
        billing_month,
        count(*) as unattributed_requests,
        sum(cost_usd) as unattributed_spend_usd,
        min(requested_at) as first_seen_at,
        max(requested_at) as last_seen_at
    from requests
    where not is_attributed
    group by coalesce(api_key_hash, '(no key)'), billing_month

)

select *
from by_key
order by billing_month, unattributed_spend_usd desc
