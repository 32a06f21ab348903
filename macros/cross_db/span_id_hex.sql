{#- A span or trace id as lowercase hex, whatever encoding the exporter wrote: hex (the
    Collector's file exporter), `0x`-prefixed hex (the SDK console exporter) or base64
    (`MessageToJson` of an OTLP request: 12 characters for a span id, 24 for a trace id).
    Anything else is kept as written. -#}
{% macro span_id_hex(column) -%}
    {{ return(adapter.dispatch('span_id_hex', 'ailedger')(column)) }}
{%- endmacro %}

{% macro default__span_id_hex(column) -%}
    case
        when {{ column }} like '0x%' then lower(substr({{ column }}, 3))
        when length({{ column }}) in (16, 32) and {{ column }} ~ '^[0-9a-fA-F]+$' then lower({{ column }})
        when length({{ column }}) in (12, 24) and {{ column }} ~ '^[A-Za-z0-9+/]+=*$'
            then encode(decode({{ column }}, 'base64'), 'hex')
        else {{ column }}
    end
{%- endmacro %}

{% macro duckdb__span_id_hex(column) -%}
    case
        when starts_with({{ column }}, '0x') then lower(substr({{ column }}, 3))
        when length({{ column }}) in (16, 32) and regexp_full_match({{ column }}, '[0-9a-fA-F]+') then lower({{ column }})
        when length({{ column }}) in (12, 24) and regexp_full_match({{ column }}, '[A-Za-z0-9+/]+=*')
            then lower(hex(from_base64({{ column }})))
        else {{ column }}
    end
{%- endmacro %}

{% macro spark__span_id_hex(column) -%}
    case
        when {{ column }} like '0x%' then lower(substr({{ column }}, 3))
        when length({{ column }}) in (16, 32) and {{ column }} rlike '^[0-9a-fA-F]+$' then lower({{ column }})
        when length({{ column }}) in (12, 24) and {{ column }} rlike '^[A-Za-z0-9+/]+=*$'
            then lower(hex(unbase64({{ column }})))
        else {{ column }}
    end
{%- endmacro %}
