{#- Canonical (provider, model) keys of the price book, from a name as a gateway or an invoice
    writes it: the alias seed first (dated snapshots, provider prefixes, Bedrock ids), then the
    alias seed on the name without its provider prefix, then that bare name itself.
    Use `canonical_model_joins` in a FROM clause and `canonical_model` in the SELECT list. -#}
{% macro canonical_model_joins(provider_col, model_col, suffix='') -%}
    left join {{ ref('model_aliases') }} as exact_alias{{ suffix }}
        on exact_alias{{ suffix }}.provider = {{ provider_col }}
        and exact_alias{{ suffix }}.alias = lower({{ model_col }})
    left join {{ ref('model_aliases') }} as bare_alias{{ suffix }}
        on bare_alias{{ suffix }}.provider = {{ provider_col }}
        and bare_alias{{ suffix }}.alias = lower({{ ailedger.strip_provider_prefix(model_col) }})
{%- endmacro %}

{% macro canonical_model(model_col, suffix='') -%}
    coalesce(
        exact_alias{{ suffix }}.model,
        bare_alias{{ suffix }}.model,
        lower({{ ailedger.strip_provider_prefix(model_col) }})
    )
{%- endmacro %}
