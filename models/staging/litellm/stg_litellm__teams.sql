with

source as (

    select * from {{ source('litellm', 'litellm_team_table') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as team_row_id,
        team_id,
        nullif(organization_id, '') as organization_id,

        ---------- strings
        nullif(trim(team_alias), '') as team_alias,

        ---------- numerics
        {{ ailedger.money('spend') }} as team_spend_usd,
        {{ ailedger.money('max_budget') }} as max_budget_usd,

        ---------- booleans
        coalesce(blocked, false) as is_blocked,

        ---------- timestamps
        created_at,
        updated_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
