{#- Every hour a provisioned-capacity commitment served requests, their provisioned_cost_usd
    adds up to the commitment's hourly charge, to the cent. Returns the hours that do not. -#}
with

requests as (

    select * from {{ ref('fct_llm_requests') }}

),

commitments as (

    select * from {{ ref('provisioned_commitments') }}

),

hours as (

    select
        provisioned_commitment_id,
        {{ dbt.date_trunc('hour', 'requested_at') }} as served_hour,
        cast(min(requested_at) as date) as served_date,
        sum(provisioned_cost_usd) as allocated_usd
    from requests
    where provisioned_commitment_id is not null
    group by provisioned_commitment_id, {{ dbt.date_trunc('hour', 'requested_at') }}

),

checked as (

    select
        hours.*,
        commitments.hourly_usd
    from hours
    left join commitments
        on commitments.commitment_id = hours.provisioned_commitment_id
        and commitments.effective_from <= hours.served_date
        and (commitments.effective_to is null or hours.served_date < commitments.effective_to)

)

select * from checked
where hourly_usd is null or abs(allocated_usd - hourly_usd) >= 0.005
