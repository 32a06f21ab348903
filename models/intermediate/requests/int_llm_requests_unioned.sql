{#- Every gateway format in one request grain. A request exported twice (overlapping exports,
    or the same proxy logged both as SpendLogs and StandardLoggingPayload) is kept once: the
    most recently landed copy, SpendLogs first. Spans that are not LLM calls are left out.
    A team known only by its id is named from the LiteLLM_TeamTable export, and a key's alias
    comes from the LiteLLM_VerificationToken export when the log has none. -#}
{%- set common = [
    'request_id', 'requested_at', 'completed_at', 'provider_name', 'model_name', 'status',
    'team', 'feature', 'customer', 'cost_center', 'route', 'service_tier',
    'uncached_input_tokens', 'cache_read_tokens', 'cache_write_5m_tokens',
    'cache_write_1h_tokens', 'output_tokens', 'reasoning_tokens', 'session_id',
    'system_prompt_sha256', 'is_cache_hit', 'load_id', 'source_file', 'source_row_number',
    'loaded_at', 'web_search_requests', 'model_group', 'base_model_name',
] -%}
with

landed_teams as (

    select * from {{ ref('stg_litellm__teams') }}

),

landed_keys as (

    select * from {{ ref('stg_litellm__keys') }}

),

spend_logs as (

    select
        {{ common | join(', ') }},
        api_key_hash,
        gateway_cost_usd,
        'litellm_spend_logs' as source_format,
        1 as source_preference,
        false as is_cache_unknown,
        api_key_alias
    from {{ ref('stg_litellm__spend_logs') }}

),

standard_logging as (

    select
        {{ common | join(', ') }},
        api_key_hash,
        gateway_cost_usd,
        'litellm_standard_logging' as source_format,
        2 as source_preference,
        false as is_cache_unknown,
        api_key_alias
    from {{ ref('stg_litellm__standard_logging') }}

),

otel_spans as (

    select
        {{ common | join(', ') }},
        cast(null as {{ dbt.type_string() }}) as api_key_hash,
        cast(null as {{ ailedger.type_money() }}) as gateway_cost_usd,
        'otel_genai_spans' as source_format,
        3 as source_preference,
        is_cache_unknown,
        cast(null as {{ dbt.type_string() }}) as api_key_alias
    from {{ ref('stg_otel__genai_spans') }}
    where model_name is not null

),

unioned as (

    select * from spend_logs
    union all
    select * from standard_logging
    union all
    select * from otel_spans

),

ranked as (

    select
        *,
        row_number() over (
            partition by request_id
            order by source_preference, loaded_at desc, load_id desc, source_row_number desc
        ) as copy_rank
    from unioned

),

deduplicated as (

    select * from ranked where copy_rank = 1

),

-- The latest landed copy of each team and key (the tables are re-exported whole).
teams as (

    select team_id, team_alias
    from (
        select
            team_id,
            team_alias,
            row_number() over (
                partition by team_id order by loaded_at desc, load_id desc, source_row_number desc
            ) as copy_rank
        from landed_teams
    ) as ranked_teams
    where copy_rank = 1 and team_alias is not null

),

keys as (

    select api_key_hash, key_alias
    from (
        select
            api_key_hash,
            key_alias,
            row_number() over (
                partition by api_key_hash
                order by loaded_at desc, load_id desc, source_row_number desc
            ) as copy_rank
        from landed_keys
    ) as ranked_keys
    where copy_rank = 1 and key_alias is not null

),

resolved as (

    select
        {%- for col in common %}
        {%- if col == 'team' %}
        coalesce(teams.team_alias, deduplicated.team) as team,
        {%- else %}
        deduplicated.{{ col }},
        {%- endif %}
        {%- endfor %}
        deduplicated.api_key_hash,
        deduplicated.gateway_cost_usd,
        deduplicated.source_format,
        deduplicated.source_preference,
        deduplicated.is_cache_unknown,
        coalesce(deduplicated.api_key_alias, keys.key_alias) as api_key_alias,
        deduplicated.copy_rank
    from deduplicated
    left join teams
        on teams.team_id = deduplicated.team
    left join keys
        on keys.api_key_hash = deduplicated.api_key_hash

)

select * from resolved
