{#- A tag's value from a cloud bill's tag object, whichever way the bill spells the key:
    CUR 2.0 `user_<key>`, legacy CUR and AWS FOCUS `user:<key>`, Azure/GCP FOCUS `<key>`. -#}
{% macro cloud_tag(tags_column, key) -%}
    coalesce(
        {{ ailedger.json_get(tags_column, ['user_' ~ key]) }},
        {{ ailedger.json_get(tags_column, ['user:' ~ key]) }},
        {{ ailedger.json_get(tags_column, [key]) }}
    )
{%- endmacro %}
