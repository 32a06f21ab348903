{#- Value of the first `key:value` string in a JSON array of tags (LiteLLM request_tags
    such as ["feature:search", "env:prod"]), or null. -#}
{% macro json_array_tag_value(column, key) -%}
    {{ return(adapter.dispatch('json_array_tag_value', 'ailedger')(column, key)) }}
{%- endmacro %}

{% macro default__json_array_tag_value(column, key) -%}
    {{ exceptions.raise_compiler_error("json_array_tag_value is not implemented for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_array_tag_value(column, key) -%}
    substr(
        list_filter(
            cast(json_extract_string({{ column }}, '$[*]') as varchar[]),
            lambda t: starts_with(t, '{{ key }}:')
        )[1],
        {{ key | length + 2 }}
    )
{%- endmacro %}

{% macro postgres__json_array_tag_value(column, key) -%}
    (select substr(t, {{ key | length + 2 }})
     from jsonb_array_elements_text(
         case when jsonb_typeof(cast({{ column }} as jsonb)) = 'array'
              then cast({{ column }} as jsonb) else cast('[]' as jsonb) end) as tags(t)
     where t like '{{ key }}:%' limit 1)
{%- endmacro %}

{% macro spark__json_array_tag_value(column, key) -%}
    substr(
        element_at(filter(from_json({{ column }}, 'array<string>'), t -> t like '{{ key }}:%'), 1),
        {{ key | length + 2 }}
    )
{%- endmacro %}
