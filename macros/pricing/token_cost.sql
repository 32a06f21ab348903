{#- Cost in USD of disjoint token counts at a price row (prices per 1M tokens).

    Fallbacks when a component has no listed price, all documented in the README:
    cache read -> input price; 5-minute cache write -> input price; 1-hour cache write ->
    5-minute write price (LiteLLM's behaviour); batch input/output -> list price times
    (1 - var('ailedger_default_batch_discount')). Cache prices are not discounted for batch.
    Returns NULL when there is no price row, never 0.
-#}
{% macro token_cost(t, p, is_batch) -%}
    {%- set discount = var('ailedger_default_batch_discount') -%}
    {%- set input_price -%}
        case when {{ is_batch }}
             then coalesce({{ p }}.batch_input_per_1m_usd, {{ p }}.input_per_1m_usd * (1 - {{ discount }}))
             else {{ p }}.input_per_1m_usd end
    {%- endset -%}
    {%- set output_price -%}
        case when {{ is_batch }}
             then coalesce({{ p }}.batch_output_per_1m_usd, {{ p }}.output_per_1m_usd * (1 - {{ discount }}))
             else {{ p }}.output_per_1m_usd end
    {%- endset -%}
    case when {{ p }}.input_per_1m_usd is not null then
        {{ ailedger.money(
            '(' ~
            'coalesce(' ~ t ~ '.uncached_input_tokens, 0) * ' ~ ailedger.money(input_price) ~
            ' + coalesce(' ~ t ~ '.cache_read_tokens, 0) * ' ~ ailedger.money('coalesce(' ~ p ~ '.cache_read_per_1m_usd, ' ~ p ~ '.input_per_1m_usd)') ~
            ' + coalesce(' ~ t ~ '.cache_write_5m_tokens, 0) * ' ~ ailedger.money('coalesce(' ~ p ~ '.cache_write_5m_per_1m_usd, ' ~ p ~ '.input_per_1m_usd)') ~
            ' + coalesce(' ~ t ~ '.cache_write_1h_tokens, 0) * ' ~ ailedger.money('coalesce(' ~ p ~ '.cache_write_1h_per_1m_usd, ' ~ p ~ '.cache_write_5m_per_1m_usd, ' ~ p ~ '.input_per_1m_usd)') ~
            ' + coalesce(' ~ t ~ '.output_tokens, 0) * ' ~ ailedger.money(output_price) ~
            ') / 1000000'
        ) }}
    end
{%- endmacro %}
