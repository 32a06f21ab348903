{#- Contracts declare column types in DuckDB's spelling (varchar, json, …). dbt checks a
    contract by casting null to each declared type on the target engine, and Spark has no
    bare `varchar`: translate the declared types with raw_column_type first. dbt looks for
    its own dispatched macros in the root project first, so this overrides dbt-spark's. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = dict(column) -%}
        {%- if copy.get('data_type') -%}
            {%- do copy.update({'data_type': ailedger.raw_column_type(copy['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
