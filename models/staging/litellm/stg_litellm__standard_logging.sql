with

source as (

    select * from {{ source('litellm', 'litellm_standard_logging') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as payload_row_id,
        id as request_id,
        trace_id,
        -- LiteLLM's trace id groups the calls of one session or agent run.
        trace_id as session_id,
        {{ ailedger.json_get('metadata', 'user_api_key_hash') }} as api_key_hash,
        model_id,
        {{ ailedger.json_get('metadata', 'user_api_key_team_id') }} as team_id,
        {{ ailedger.json_get('metadata', 'user_api_key_org_id') }} as organization_id,
        nullif(end_user, '') as end_user_id,
        system_prompt_sha256,

        ---------- strings
        call_type,
        model as model_name,
        model_group,
        lower(custom_llm_provider) as provider_name,
        coalesce(nullif(lower(status), ''), 'success') as status,
        {{ ailedger.json_get('metadata', 'user_api_key_alias') }} as api_key_alias,
        {{ ailedger.owner_tag('team', 'metadata', 'request_tags') }} as team,
        {{ ailedger.owner_tag('feature', 'metadata', 'request_tags') }} as feature,
        {{ ailedger.owner_tag('customer', 'metadata', 'request_tags', ['end_user']) }} as customer,
        {{ ailedger.owner_tag('cost_center', 'metadata', 'request_tags') }} as cost_center,
        {{ ailedger.owner_tag('route', 'metadata', 'request_tags') }} as route,
        lower({{ ailedger.json_get('metadata', 'usage_object.service_tier') }}) as service_tier,

        ---------- numerics
        {{ ailedger.money('response_cost') }} as gateway_cost_usd,
        prompt_tokens,
        completion_tokens,
        total_tokens,
        {{ ailedger.litellm_token_columns('metadata', 'prompt_tokens', 'completion_tokens') }},

        ---------- booleans
        coalesce(cache_hit, false) as is_cache_hit,

        ---------- timestamps (float epoch seconds in this payload)
        {{ ailedger.epoch_to_timestamp(adapter.quote('startTime')) }} as requested_at,
        {{ ailedger.epoch_to_timestamp(adapter.quote('endTime')) }} as completed_at,
        {{ ailedger.epoch_to_timestamp(adapter.quote('completionStartTime')) }} as first_token_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }},

        ---------- server-side tool calls (LiteLLM's usage object, any provider)
        cast({{ ailedger.json_get('metadata', 'usage_object.server_tool_use.web_search_requests') }}
             as {{ dbt.type_bigint() }}) as web_search_requests,
        -- The price-map key LiteLLM priced the call with: model_info.base_model when the
        -- deployment sets one (Azure deployments have arbitrary names).
        coalesce(
            nullif(model_map_key, ''),
            {{ ailedger.json_get('metadata', 'model_map_information.model_map_key') }}
        ) as base_model_name

    from source

)

select * from renamed
