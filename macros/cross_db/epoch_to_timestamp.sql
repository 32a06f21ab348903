{#- A UTC timestamp from Unix epoch seconds (integer or fractional). -#}
{% macro epoch_to_timestamp(column) -%}
    {{ return(adapter.dispatch('epoch_to_timestamp', 'ailedger')(column)) }}
{%- endmacro %}

{% macro default__epoch_to_timestamp(column) -%}
    cast(to_timestamp({{ column }}) as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__epoch_to_timestamp(column) -%}
    timezone('UTC', to_timestamp(cast({{ column }} as double)))
{%- endmacro %}

{% macro postgres__epoch_to_timestamp(column) -%}
    (to_timestamp(cast({{ column }} as double precision)) at time zone 'UTC')
{%- endmacro %}

{% macro spark__epoch_to_timestamp(column) -%}
    timestamp_seconds({{ column }})
{%- endmacro %}
