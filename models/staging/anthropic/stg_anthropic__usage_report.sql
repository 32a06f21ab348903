with

source as (

    select * from {{ source('anthropic', 'anthropic_usage_report') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as usage_row_id,
        workspace_id,
        api_key_id,

        ---------- strings
        cast('anthropic' as {{ dbt.type_string() }}) as provider,
        model as model_name,
        service_tier,
        context_window,

        ---------- numerics
        -- Anthropic's uncached input EXCLUDES cache reads and writes: already disjoint.
        uncached_input_tokens,
        coalesce(cache_read_input_tokens, 0) as cache_read_tokens,
        coalesce(cache_creation_ephemeral_5m_input_tokens, 0) as cache_write_5m_tokens,
        coalesce(cache_creation_ephemeral_1h_input_tokens, 0) as cache_write_1h_tokens,
        coalesce(cache_creation_ephemeral_5m_input_tokens, 0)
            + coalesce(cache_creation_ephemeral_1h_input_tokens, 0) as cache_write_tokens,
        output_tokens,
        coalesce(server_tool_use_web_search_requests, 0) as web_search_requests,

        ---------- booleans
        coalesce(service_tier = 'batch', false) as is_batch,

        ---------- timestamps
        starting_at as bucket_start_at,
        ending_at as bucket_end_at,
        cast(starting_at as date) as usage_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
