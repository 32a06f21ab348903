{#- The group's values of `expr` joined by `separator`, sorted (so every engine gives the
    same text for the same rows). -#}
{% macro string_agg(expr, separator=', ') -%}
    {{ return(adapter.dispatch('string_agg', 'ailedger')(expr, separator)) }}
{%- endmacro %}

{% macro default__string_agg(expr, separator) -%}
    string_agg({{ expr }}, '{{ separator }}' order by {{ expr }})
{%- endmacro %}

{% macro spark__string_agg(expr, separator) -%}
    array_join(array_sort(collect_list({{ expr }})), '{{ separator }}')
{%- endmacro %}
