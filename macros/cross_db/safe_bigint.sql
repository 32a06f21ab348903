{#- A whole number from text extracted from JSON; NULL when it is not one or does not fit
    in 64 bits, so a hostile value in a JSON column cannot fail a build. The warn test
    assert_gateway_values_in_range names the rows where this gave NULL. -#}
{% macro safe_bigint(text) -%}
    {{ return(adapter.dispatch('safe_bigint', 'ailedger')(text)) }}
{%- endmacro %}

{% macro default__safe_bigint(text) -%}
    {{ dbt.safe_cast(text, dbt.type_bigint()) }}
{%- endmacro %}

{% macro duckdb__safe_bigint(text) -%}
    try_cast({{ text }} as bigint)
{%- endmacro %}

{% macro postgres__safe_bigint(text) -%}
    {#- Up to 18 digits always fits a bigint; Postgres has no try_cast. -#}
    case when trim({{ text }}) ~ '^-?[0-9]{1,18}$' then cast(trim({{ text }}) as bigint) end
{%- endmacro %}

{% macro spark__safe_bigint(text) -%}
    try_cast({{ text }} as bigint)
{%- endmacro %}

{#- The same, for SQL written inline in a model: {% call ailedger.safe_bigint_of() %}...{% endcall %}. -#}
{% macro safe_bigint_of() -%}
    {{ ailedger.safe_bigint(caller()) }}
{%- endmacro %}
