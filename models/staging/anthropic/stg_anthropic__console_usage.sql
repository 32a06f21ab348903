with

source as (

    select * from {{ source('anthropic', 'anthropic_console_usage') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as usage_row_id,

        ---------- strings
        cast('anthropic' as {{ dbt.type_string() }}) as provider,
        model_version as model_name,
        api_key as api_key_name,
        workspace as workspace_name,
        usage_type,
        -- As exported, e.g. "≤ 200k"; older exports have no context window.
        context_window,
        inference_geo,
        speed,

        ---------- numerics
        -- The Console splits input by cache behaviour: the columns are already disjoint.
        usage_input_tokens_no_cache as uncached_input_tokens,
        coalesce(usage_input_tokens_cache_write_5m, 0) as cache_write_5m_tokens,
        coalesce(usage_input_tokens_cache_write_1h, 0) as cache_write_1h_tokens,
        coalesce(usage_input_tokens_cache_write_5m, 0)
            + coalesce(usage_input_tokens_cache_write_1h, 0) as cache_write_tokens,
        coalesce(usage_input_tokens_cache_read, 0) as cache_read_tokens,
        usage_output_tokens as output_tokens,
        coalesce(web_search_count, 0) as web_search_requests,

        ---------- timestamps
        usage_date_utc as usage_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
