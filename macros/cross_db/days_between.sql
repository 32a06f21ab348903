{#- Whole days from date `start` to date `end` (end − start; negative when end is earlier).
    dbt.datediff on Postgres compiles to `::date` casts, which the portability check keeps out
    of compiled SQL; each engine's own spelling is used instead. -#}
{% macro days_between(start, end) -%}
    {{ return(adapter.dispatch('days_between', 'ailedger')(start, end)) }}
{%- endmacro %}

{% macro default__days_between(start, end) -%}
    {{ dbt.datediff(start, end, 'day') }}
{%- endmacro %}

{% macro postgres__days_between(start, end) -%}
    (cast({{ end }} as date) - cast({{ start }} as date))
{%- endmacro %}

{% macro spark__days_between(start, end) -%}
    datediff(cast({{ end }} as date), cast({{ start }} as date))
{%- endmacro %}
