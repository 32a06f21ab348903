{#- The continuous (linearly interpolated) percentile of `expr` in a group, 0 <= p <= 1. -#}
{% macro percentile(expr, p) -%}
    {{ return(adapter.dispatch('percentile', 'ailedger')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}

{% macro spark__percentile(expr, p) -%}
    percentile({{ expr }}, {{ p }})
{%- endmacro %}
