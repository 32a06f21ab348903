{#- A UTC timestamp from Unix epoch seconds (integer or fractional); NULL outside the
    plausible window (var ailedger_timestamp_window), so no landed value can fail a build. -#}
{% macro epoch_to_timestamp(column) -%}
    {%- set window = var('ailedger_timestamp_window') -%}
    {%- set epoch = modules.datetime.datetime(1970, 1, 1) -%}
    {%- set bounds = [] -%}
    {%- for day in window -%}
        {%- set at = modules.datetime.datetime.strptime(day | string, '%Y-%m-%d') -%}
        {%- do bounds.append(((at - epoch).total_seconds()) | int) -%}
    {%- endfor -%}
    case when {{ column }} >= {{ bounds[0] }} and {{ column }} < {{ bounds[1] }}
         then {{ adapter.dispatch('epoch_to_timestamp', 'ailedger')(column) }} end
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
