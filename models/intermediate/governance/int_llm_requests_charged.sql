{#- One row per gateway request: the cost center that pays for it, and how that was decided.
    In order: the request's own cost_center tag (the app said so), else the cost center its
    feature maps to on the request's day, else its team's (seeds/cost_center_mappings.csv,
    effective-dated so a re-org does not rewrite past months). None of them: unmapped, and
    chargeback allocates it as unattributable spend. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

mappings as (

    select * from {{ ref('cost_center_mappings') }}

),

feature_owners as (

    select owner_key as feature, cost_center, effective_from, effective_to
    from mappings
    where owner_kind = 'feature'

),

team_owners as (

    select owner_key as team, cost_center, effective_from, effective_to
    from mappings
    where owner_kind = 'team'

),

resolved as (

    select
        requests.request_id,
        requests.requested_at,
        requests.requested_date,
        requests.billing_month,
        requests.provider,
        requests.model,
        requests.team,
        requests.feature,
        requests.customer,
        requests.route,
        requests.api_key_hash,
        requests.is_attributed,
        coalesce(requests.cost_usd, 0) as cost_usd,
        requests.cost_center as tagged_cost_center,
        feature_owners.cost_center as feature_cost_center,
        team_owners.cost_center as team_cost_center
    from requests
    left join feature_owners
        on feature_owners.feature = requests.feature
        and feature_owners.effective_from <= requests.requested_date
        and (feature_owners.effective_to is null
             or requests.requested_date < feature_owners.effective_to)
    left join team_owners
        on team_owners.team = requests.team
        and team_owners.effective_from <= requests.requested_date
        and (team_owners.effective_to is null
             or requests.requested_date < team_owners.effective_to)

),

final as (

    select
        request_id,
        requested_at,
        requested_date,
        billing_month,
        provider,
        model,
        team,
        feature,
        customer,
        route,
        api_key_hash,
        is_attributed,
        cost_usd,
        coalesce(tagged_cost_center, feature_cost_center, team_cost_center) as cost_center,
        cast(case
            when tagged_cost_center is not null then 'cost_center_tag'
            when feature_cost_center is not null then 'feature_mapping'
            when team_cost_center is not null then 'team_mapping'
            else 'unmapped'
        end as {{ dbt.type_string() }}) as cost_center_source
    from resolved

)

select * from final
