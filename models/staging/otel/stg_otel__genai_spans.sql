with

source as (

    select * from {{ source('otel', 'otel_genai_spans') }}

),

renamed as (

    select

        ---------- ids
        {{ ailedger.landed_row_id() }}
            as span_row_id,
        -- The provider's response id is the request id when the instrumentation records it:
        -- LiteLLM stores the same id as its request_id, so a call logged by both counts once.
        coalesce({{ ailedger.json_get('attributes', ['gen_ai.response.id']) }}, {{ ailedger.span_id_hex('span_id') }}) as request_id,
        {{ ailedger.span_id_hex('trace_id') }} as trace_id,
        {{ ailedger.span_id_hex('span_id') }} as span_id,
        {{ ailedger.span_id_hex('parent_span_id') }} as parent_span_id,
        coalesce({{ ailedger.json_get('attributes', ['gen_ai.conversation.id']) }}, {{ ailedger.json_get('attributes', ['session.id']) }}) as session_id,
        system_prompt_sha256,

        ---------- strings
        span_name,
        {{ ailedger.json_get('attributes', ['gen_ai.operation.name']) }} as operation_name,
        -- GenAI conventions (current, then older), then OpenInference.
        lower(coalesce({{ ailedger.json_get('attributes', ['gen_ai.provider.name']) }}, {{ ailedger.json_get('attributes', ['gen_ai.system']) }}, {{ ailedger.json_get('attributes', ['llm.provider']) }}, {{ ailedger.json_get('attributes', ['llm.system']) }}))
            as provider_name,
        coalesce({{ ailedger.json_get('attributes', ['gen_ai.response.model']) }}, {{ ailedger.json_get('attributes', ['gen_ai.request.model']) }}, {{ ailedger.json_get('attributes', ['llm.model_name']) }})
            as model_name,
        case when status_code in ('2', 'STATUS_CODE_ERROR', 'ERROR') then 'failure'
             else 'success' end as status,
        {{ ailedger.otel_owner_tag('team', 'attributes', 'resource_attributes') }} as team,
        {{ ailedger.otel_owner_tag('feature', 'attributes', 'resource_attributes') }} as feature,
        {{ ailedger.otel_owner_tag('customer', 'attributes', 'resource_attributes') }} as customer,
        {{ ailedger.otel_owner_tag('cost_center', 'attributes', 'resource_attributes') }} as cost_center,
        {{ ailedger.otel_owner_tag('route', 'attributes', 'resource_attributes') }} as route,
        lower(coalesce({{ ailedger.json_get('attributes', ['gen_ai.openai.response.service_tier']) }}, {{ ailedger.json_get('attributes', ['openai.response.service_tier']) }}))
            as service_tier,

        ---------- numerics
        -- gen_ai.usage.input_tokens and llm.token_count.prompt INCLUDE cache reads and
        -- writes: made disjoint below.
        {% call ailedger.safe_bigint_of() %}coalesce({{ ailedger.json_get('attributes', ['gen_ai.usage.input_tokens']) }}, {{ ailedger.json_get('attributes', ['gen_ai.usage.prompt_tokens']) }}, {{ ailedger.json_get('attributes', ['llm.token_count.prompt']) }}){% endcall %} as input_tokens_total,
        {% call ailedger.safe_bigint_of() %}coalesce({{ ailedger.json_get('attributes', ['gen_ai.usage.cache_read.input_tokens']) }}, {{ ailedger.json_get('attributes', ['llm.token_count.prompt_details.cache_read']) }}, '0'){% endcall %} as cache_read_tokens,
        {% call ailedger.safe_bigint_of() %}coalesce({{ ailedger.json_get('attributes', ['gen_ai.usage.cache_creation.input_tokens']) }}, {{ ailedger.json_get('attributes', ['llm.token_count.prompt_details.cache_write']) }}, '0'){% endcall %} as cache_write_5m_tokens,
        cast(0 as {{ dbt.type_bigint() }}) as cache_write_1h_tokens,
        {% call ailedger.safe_bigint_of() %}coalesce({{ ailedger.json_get('attributes', ['gen_ai.usage.output_tokens']) }}, {{ ailedger.json_get('attributes', ['gen_ai.usage.completion_tokens']) }}, {{ ailedger.json_get('attributes', ['llm.token_count.completion']) }}){% endcall %} as output_tokens,
        {% call ailedger.safe_bigint_of() %}coalesce({{ ailedger.json_get('attributes', ['gen_ai.usage.reasoning.output_tokens']) }}, {{ ailedger.json_get('attributes', ['llm.token_count.completion_details.reasoning']) }}){% endcall %}
            as reasoning_tokens,

        ---------- booleans
        -- Spans record calls that reached the provider; no gateway response cache here.
        false as is_cache_hit,
        -- Some instrumentations (openai-v2) report input tokens but no cache reads at all:
        -- such a call is priced as if nothing was cached, and is flagged.
        ({{ ailedger.json_get('attributes', ['gen_ai.usage.cache_read.input_tokens']) }} is null and {{ ailedger.json_get('attributes', ['llm.token_count.prompt_details.cache_read']) }} is null) as is_cache_unknown,

        ---------- timestamps
        start_time as requested_at,
        end_time as completed_at,

        ---------- load metadata
        {{ ailedger.load_metadata_columns() }},

        ---------- server-side tool calls: no GenAI convention reports them yet
        cast(null as {{ dbt.type_bigint() }}) as web_search_requests,
        cast(null as {{ dbt.type_string() }}) as model_group,
        cast(null as {{ dbt.type_string() }}) as base_model_name

    from source

),

disjoint as (

    select
        *,
        greatest(input_tokens_total - cache_read_tokens - cache_write_5m_tokens, 0)
            as uncached_input_tokens
    from renamed

)

select * from disjoint
