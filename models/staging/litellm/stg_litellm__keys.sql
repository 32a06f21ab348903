with

source as (

    select * from {{ source('litellm', 'litellm_verification_token') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as key_row_id,
        token as api_key_hash,
        nullif(team_id, '') as team_id,
        nullif(user_id, '') as user_id,
        nullif(organization_id, '') as organization_id,

        ---------- strings
        nullif(trim(key_alias), '') as key_alias,
        key_name,

        ---------- numerics
        {{ ailedger.money('spend') }} as key_spend_usd,
        {{ ailedger.money('max_budget') }} as max_budget_usd,

        ---------- booleans
        coalesce(blocked, false) as is_blocked,

        ---------- timestamps
        expires as expires_at,
        created_at,
        updated_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
