{#- 'openai/gpt-4o' -> 'gpt-4o'; 'bedrock/us-east-1/anthropic.claude…' -> 'anthropic.claude…'. -#}
{% macro strip_provider_prefix(column) -%}
    {{ return(adapter.dispatch('strip_provider_prefix', 'ailedger')(column)) }}
{%- endmacro %}

{% macro default__strip_provider_prefix(column) -%}
    regexp_replace({{ column }}, '^.*/', '')
{%- endmacro %}

{#- The text before the first '/', or null when there is none. -#}
{% macro provider_prefix(column) -%}
    case when {{ dbt.position("'/'", column) }} > 0
         then {{ dbt.split_part(column, "'/'", 1) }} end
{%- endmacro %}
