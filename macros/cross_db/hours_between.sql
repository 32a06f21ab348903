{#- Hours (fractional) from one timestamp to another. dbt.datediff counts calendar-unit
    boundaries and, on Postgres, compiles to `::` casts; this is elapsed time. -#}
{% macro hours_between(start_column, end_column) -%}
    {{ return(adapter.dispatch('hours_between', 'ailedger')(start_column, end_column)) }}
{%- endmacro %}

{% macro default__hours_between(start_column, end_column) -%}
    cast({{ dbt.datediff(start_column, end_column, 'second') }} as {{ ailedger.type_ratio() }}) / 3600
{%- endmacro %}

{% macro duckdb__hours_between(start_column, end_column) -%}
    cast(date_diff('second', {{ start_column }}, {{ end_column }}) as double) / 3600
{%- endmacro %}

{% macro postgres__hours_between(start_column, end_column) -%}
    cast(extract(epoch from ({{ end_column }} - {{ start_column }})) as double precision) / 3600
{%- endmacro %}

{% macro spark__hours_between(start_column, end_column) -%}
    cast(unix_timestamp({{ end_column }}) - unix_timestamp({{ start_column }}) as double) / 3600
{%- endmacro %}
