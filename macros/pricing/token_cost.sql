{#- Cost in USD of disjoint token counts at a price row (prices per 1M tokens), split by token
    kind. The one place a token is priced: the request fact and any counterfactual re-pricing
    call these macros, so their figures agree.

    API
    - token_cost_parts(t, p, is_batch, band=none, service_tier=none) -> dict of four SQL
      expressions keyed uncached_input, cache_read, cache_write, output: each the money cost of
      that token kind, NULL when `p` has no price row (never 0).
    - token_cost(t, p, is_batch, band=none, service_tier=none) -> their sum (cost_usd).
    - long_context_band_join(p, t, alias='band') -> a LEFT JOIN of model_price_tiers giving the
      band row of price row `p` that the input of token columns `t` falls in; pass `band=alias`.
    - input_tokens_total(t) -> uncached + cache read + cache write (5m + 1h) tokens.
    Arguments: `t` is the relation alias holding uncached_input_tokens, cache_read_tokens,
    cache_write_5m_tokens, cache_write_1h_tokens, output_tokens; `p` a model_prices row alias;
    `is_batch` and `service_tier` SQL expressions (boolean; served tier text, lower case).
    To re-price a token mix at another model (right-sizing), join that model's price row as
    another alias (and its band with long_context_band_join) and call token_cost_parts on it.

    Rules, all documented in the README:
    - long-context band: a request whose input is above a tier's threshold pays that tier's
      price for every token kind; a kind the tier leaves empty keeps the price row's own price;
    - service tier: `priority` and `flex` pay the row's (or band's) *_priority / *_flex prices
      where listed, else the standard price; every other tier (default, standard, scale, auto)
      pays the standard price;
    - fallbacks when a component has no listed price: cache read -> input price; 5-minute cache
      write -> input price; 1-hour cache write -> 5-minute write price (LiteLLM's behaviour);
      batch input/output -> list price times (1 - var('ailedger_default_batch_discount')), and
      in a long-context band always so. Cache prices are not discounted for batch.
-#}
{% macro input_tokens_total(t) -%}
    (coalesce({{ t }}.uncached_input_tokens, 0) + coalesce({{ t }}.cache_read_tokens, 0)
     + coalesce({{ t }}.cache_write_5m_tokens, 0) + coalesce({{ t }}.cache_write_1h_tokens, 0))
{%- endmacro %}

{% macro long_context_band_join(p, t, alias='band') -%}
    left join (
        select
            tiers.*,
            lead(tiers.above_input_tokens) over (
                partition by tiers.provider, tiers.model, tiers.effective_from
                order by tiers.above_input_tokens
            ) as below_input_tokens
        from {{ ref('model_price_tiers') }} as tiers
    ) as {{ alias }}
        on {{ alias }}.provider = {{ p }}.provider
        and {{ alias }}.model = {{ p }}.model
        and {{ alias }}.effective_from = {{ p }}.effective_from
        and {{ ailedger.input_tokens_total(t) }} > {{ alias }}.above_input_tokens
        and ({{ alias }}.below_input_tokens is null
             or {{ ailedger.input_tokens_total(t) }} <= {{ alias }}.below_input_tokens)
{%- endmacro %}

{#- Per-1M price of one token kind at the served tier, before the fallbacks between kinds. -#}
{% macro _kind_price(kind, p, band, service_tier) -%}
    {%- set standard = ('coalesce(' ~ band ~ '.' ~ kind ~ '_per_1m_usd, ' ~ p ~ '.' ~ kind ~ '_per_1m_usd)')
        if band else (p ~ '.' ~ kind ~ '_per_1m_usd') -%}
    {%- if service_tier is none or kind == 'cache_write_1h' -%}
        {{ standard }}
    {%- else -%}
        {%- set in_band = band ~ '.above_input_tokens is not null' -%}
        {#- The map lists priority prices per long-context band; flex prices only below them. -#}
        {%- set priority = ('case when ' ~ in_band ~ ' then ' ~ band ~ '.' ~ kind ~ '_priority_per_1m_usd else '
            ~ p ~ '.' ~ kind ~ '_priority_per_1m_usd end') if band else (p ~ '.' ~ kind ~ '_priority_per_1m_usd') -%}
        {%- set flex = ('case when not (' ~ in_band ~ ') then ' ~ p ~ '.' ~ kind ~ '_flex_per_1m_usd end')
            if band else (p ~ '.' ~ kind ~ '_flex_per_1m_usd') -%}
        case {{ service_tier }}
            when 'priority' then coalesce({{ priority }}, {{ standard }})
            when 'flex' then coalesce({{ flex }}, {{ standard }})
            else {{ standard }}
        end
    {%- endif -%}
{%- endmacro %}

{% macro token_cost_parts(t, p, is_batch, band=none, service_tier=none) -%}
    {%- set discount = var('ailedger_default_batch_discount') -%}
    {%- set in_band = (band ~ '.above_input_tokens is not null') if band else 'false' -%}
    {%- set input = ailedger._kind_price('input', p, band, service_tier) -%}
    {%- set output = ailedger._kind_price('output', p, band, service_tier) -%}
    {%- set input_price -%}
        case when {{ is_batch }} and not ({{ in_band }})
             then coalesce({{ p }}.batch_input_per_1m_usd, {{ input }} * (1 - {{ discount }}))
             when {{ is_batch }} then {{ input }} * (1 - {{ discount }})
             else {{ input }} end
    {%- endset -%}
    {%- set output_price -%}
        case when {{ is_batch }} and not ({{ in_band }})
             then coalesce({{ p }}.batch_output_per_1m_usd, {{ output }} * (1 - {{ discount }}))
             when {{ is_batch }} then {{ output }} * (1 - {{ discount }})
             else {{ output }} end
    {%- endset -%}
    {%- set cache_read_price = 'coalesce(' ~ ailedger._kind_price('cache_read', p, band, service_tier) ~ ', ' ~ input ~ ')' -%}
    {%- set write_5m_price = 'coalesce(' ~ ailedger._kind_price('cache_write_5m', p, band, service_tier) ~ ', ' ~ input ~ ')' -%}
    {%- set write_1h_price = 'coalesce(' ~ ailedger._kind_price('cache_write_1h', p, band, service_tier) ~ ', ' ~ write_5m_price ~ ')' -%}
    {%- set amounts = {
        'uncached_input': 'coalesce(' ~ t ~ '.uncached_input_tokens, 0) * ' ~ ailedger.money(input_price),
        'cache_read': 'coalesce(' ~ t ~ '.cache_read_tokens, 0) * ' ~ ailedger.money(cache_read_price),
        'cache_write': '(coalesce(' ~ t ~ '.cache_write_5m_tokens, 0) * ' ~ ailedger.money(write_5m_price)
            ~ ' + coalesce(' ~ t ~ '.cache_write_1h_tokens, 0) * ' ~ ailedger.money(write_1h_price) ~ ')',
        'output': 'coalesce(' ~ t ~ '.output_tokens, 0) * ' ~ ailedger.money(output_price),
    } -%}
    {%- set parts = {} -%}
    {%- for name, amount in amounts.items() -%}
        {%- do parts.update({name: 'case when ' ~ p ~ '.input_per_1m_usd is not null then '
            ~ ailedger.money(amount ~ ' / 1000000') ~ ' end'}) -%}
    {%- endfor -%}
    {{ return(parts) }}
{%- endmacro %}

{% macro token_cost(t, p, is_batch, band=none, service_tier=none) -%}
    {%- set parts = ailedger.token_cost_parts(t, p, is_batch, band, service_tier) -%}
    ({{ parts.uncached_input }} + {{ parts.cache_read }} + {{ parts.cache_write }} + {{ parts.output }})
{%- endmacro %}

{#- Cost in USD of a request's server-side tool calls at price row `p`, kept apart from
    token cost: web search calls (t.web_search_requests) at the per-call price of the search
    context size in var('ailedger_web_search_context_size'). 0 when the request made no tool
    call; NULL when it made some and the row lists no per-call price (never 0). -#}
{% macro tool_cost(t, p) -%}
    {%- set size = var('ailedger_web_search_context_size') -%}
    {%- if size not in ['low', 'medium', 'high'] -%}
        {{ exceptions.raise_compiler_error("var ailedger_web_search_context_size must be low, medium or high, not " ~ size) }}
    {%- endif -%}
    case when coalesce({{ t }}.web_search_requests, 0) = 0 then {{ ailedger.money(0) }}
         else {{ ailedger.money(t ~ '.web_search_requests * ' ~ p ~ '.web_search_' ~ size ~ '_per_call_usd') }}
    end
{%- endmacro %}
