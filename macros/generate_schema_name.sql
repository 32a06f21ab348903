{#- Schemas are exactly raw / seeds / staging / intermediate / marts, with no target prefix,
    so BI tools and ad-hoc SQL see the same names on every target. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
