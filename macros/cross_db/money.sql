{#- Money and per-token arithmetic: DECIMAL(38,12) keeps per-token prices exact
    (cheapest listed price is 5e-9 USD per token). -#}
{% macro type_money() -%}
    {{ return(adapter.dispatch('type_money', 'ailedger')()) }}
{%- endmacro %}

{% macro default__type_money() -%}
    decimal(38, 12)
{%- endmacro %}

{% macro postgres__type_money() -%}
    numeric(38, 12)
{%- endmacro %}

{% macro money(expr) -%}
    cast({{ expr }} as {{ ailedger.type_money() }})
{%- endmacro %}

{#- Ratios (coverage, gap shares): double precision everywhere; dbt.type_float() is a
    4-byte float on some engines. -#}
{% macro type_ratio() -%}
    {{ return(adapter.dispatch('type_ratio', 'ailedger')()) }}
{%- endmacro %}

{% macro default__type_ratio() -%}
    double
{%- endmacro %}

{% macro postgres__type_ratio() -%}
    double precision
{%- endmacro %}
