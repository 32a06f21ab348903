with

source as (

    select * from {{ source('openai', 'openai_usage_completions') }}
    -- The one filter: a dashboard CSV writes an empty time bucket as a row with only its time
    -- columns. It is not usage and must never count as a request.
    where coalesce(
        input_tokens, output_tokens, input_cached_tokens, input_uncached_tokens,
        input_cache_write_tokens, input_audio_tokens, output_audio_tokens, num_model_requests
    ) is not null

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as usage_row_id,
        project_id,
        api_key_id,
        user_id,

        ---------- strings
        cast('openai' as {{ dbt.type_string() }}) as provider,
        model as model_name,
        service_tier,

        ---------- numerics
        -- OpenAI's input_tokens INCLUDES cached (and cache-write) tokens; the warehouse keeps
        -- disjoint counts, so uncached input is what remains when the export does not say.
        coalesce(
            input_uncached_tokens,
            input_tokens - coalesce(input_cached_tokens, 0) - coalesce(input_cache_write_tokens, 0)
        ) as uncached_input_tokens,
        coalesce(input_cached_tokens, 0) as cache_read_tokens,
        coalesce(input_cache_write_tokens, 0) as cache_write_tokens,
        output_tokens,
        input_tokens as total_input_tokens,
        input_audio_tokens,
        output_audio_tokens,
        num_model_requests as request_count,

        ---------- booleans
        coalesce(batch, false) as is_batch,

        ---------- timestamps
        coalesce({{ ailedger.epoch_to_timestamp('start_time') }}, start_time_iso) as bucket_start_at,
        coalesce({{ ailedger.epoch_to_timestamp('end_time') }}, end_time_iso) as bucket_end_at,
        cast(coalesce({{ ailedger.epoch_to_timestamp('start_time') }}, start_time_iso) as date)
            as usage_date,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }}

    from source

)

select * from renamed
