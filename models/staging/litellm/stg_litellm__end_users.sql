with

source as (

    select * from {{ source('litellm', 'litellm_end_user_table') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as end_user_row_id,
        user_id as end_user_id,
        budget_id,

        ---------- strings
        nullif(trim(alias), '') as end_user_alias,
        allowed_model_region,
        default_model,

        ---------- numerics
        {{ ailedger.money('spend') }} as end_user_spend_usd,

        ---------- booleans
        coalesce(blocked, false) as is_blocked,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
