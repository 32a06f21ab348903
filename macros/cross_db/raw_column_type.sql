{#- A column type declared in DuckDB's names (sources YAML, model contracts), in the engine's terms. -#}
{% macro raw_column_type(declared) -%}
    {{ return(adapter.dispatch('raw_column_type', 'ailedger')(declared | lower)) }}
{%- endmacro %}

{% macro default__raw_column_type(declared) -%}
    {{ return(declared) }}
{%- endmacro %}

{% macro postgres__raw_column_type(declared) -%}
    {{ return({'json': 'jsonb', 'double': 'double precision', 'decimal(38,12)': 'numeric(38,12)'}.get(declared, declared)) }}
{%- endmacro %}

{% macro spark__raw_column_type(declared) -%}
    {{ return({'json': 'string', 'varchar': 'string'}.get(declared, declared)) }}
{%- endmacro %}
