{#- Text of a value inside a JSON column. `path` is a dotted path ('a.b.c') or a list of keys
    (use a list when keys contain dots, as OpenTelemetry attribute names do). -#}
{% macro json_get(column, path) -%}
    {%- set keys = path if path is not string else path.split('.') -%}
    {{ return(adapter.dispatch('json_get', 'ailedger')(column, keys)) }}
{%- endmacro %}

{% macro default__json_get(column, keys) -%}
    json_extract_path_text({{ column }}, {% for k in keys %}'{{ k }}'{% if not loop.last %}, {% endif %}{% endfor %})
{%- endmacro %}

{% macro duckdb__json_get(column, keys) -%}
    json_extract_string({{ column }}, '$.{% for k in keys %}"{{ k }}"{% if not loop.last %}.{% endif %}{% endfor %}')
{%- endmacro %}

{% macro postgres__json_get(column, keys) -%}
    (cast({{ column }} as jsonb) #>> '{ {%- for k in keys %}"{{ k }}"{% if not loop.last %},{% endif %}{% endfor -%} }')
{%- endmacro %}

{% macro spark__json_get(column, keys) -%}
    get_json_object({{ column }}, '${% for k in keys %}[''{{ k }}'']{% endfor %}')
{%- endmacro %}
