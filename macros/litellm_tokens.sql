{#- LiteLLM's counts, made disjoint (uncached input, cache read, cache write 5m / 1h, output).

    Cache and reasoning counts live only in metadata.usage_object. `prompt_tokens` follows the
    OpenAI convention (it INCLUDES cached tokens) for OpenAI models and for Anthropic models
    logged by recent LiteLLM versions, which also write `prompt_tokens_details`. Older versions
    logged Anthropic's own convention (prompt_tokens EXCLUDES cache reads and writes) and no
    `prompt_tokens_details`. A prompt smaller than its own cache counts can only be exclusive.

    Cache writes: the total is `cache_creation_input_tokens` (newer versions also write it as
    `prompt_tokens_details.cache_creation_tokens`); the 1-hour part is at
    `prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens` in LiteLLM
    1.7x+ (1.110 writes only there) and at `cache_creation.ephemeral_1h_input_tokens` in older
    versions. The 5-minute part is the rest.
-#}
{% macro litellm_token_columns(metadata, prompt_tokens, completion_tokens) -%}
    {%- set u = 'usage_object.' -%}
    {%- set cache_read -%}
        {{ ailedger.safe_bigint("coalesce("
            ~ ailedger.json_get(metadata, u ~ 'cache_read_input_tokens') ~ ", "
            ~ ailedger.json_get(metadata, u ~ 'prompt_tokens_details.cached_tokens') ~ ", '0')") }}
    {%- endset -%}
    {%- set write_total -%}
        {{ ailedger.safe_bigint("coalesce("
            ~ ailedger.json_get(metadata, u ~ 'cache_creation_input_tokens') ~ ", "
            ~ ailedger.json_get(metadata, u ~ 'prompt_tokens_details.cache_creation_tokens')
            ~ ", '0')") }}
    {%- endset -%}
    {%- set write_1h -%}
        {{ ailedger.safe_bigint("coalesce("
            ~ ailedger.json_get(metadata, u ~ 'prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens')
            ~ ", "
            ~ ailedger.json_get(metadata, u ~ 'cache_creation.ephemeral_1h_input_tokens')
            ~ ", '0')") }}
    {%- endset -%}
    {%- set has_details -%}
        ({{ ailedger.json_get(metadata, u ~ 'prompt_tokens_details') }} is not null)
    {%- endset -%}
    {%- set is_inclusive -%}
        ({{ has_details }} and {{ prompt_tokens }} >= {{ cache_read }} + {{ write_total }})
    {%- endset -%}
        case when {{ is_inclusive }}
             then greatest({{ prompt_tokens }} - {{ cache_read }} - {{ write_total }}, 0)
             else {{ prompt_tokens }} end as uncached_input_tokens,
        {{ cache_read }} as cache_read_tokens,
        {{ write_total }} - {{ write_1h }} as cache_write_5m_tokens,
        {{ write_1h }} as cache_write_1h_tokens,
        {{ completion_tokens }} as output_tokens,
        {{ ailedger.safe_bigint(ailedger.json_get(metadata,
            u ~ 'completion_tokens_details.reasoning_tokens')) }} as reasoning_tokens,
        {{ is_inclusive }} as is_prompt_count_inclusive,
        {{ has_details }} as has_prompt_tokens_details
{%- endmacro %}
