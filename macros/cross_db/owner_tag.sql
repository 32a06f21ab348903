{#- The owner value (team, feature, …) for a gateway record, reading the places listed in
    var('ailedger_owner_tags')[dimension] in order:
      '$.a.b'       a JSON path into `metadata_column`
      'tag:key'     the `key:value` entry of the `tags_column` JSON array
      'column:name' a column of the record, when `available_columns` has it
    Blank strings count as missing. -#}
{% macro owner_tag(dimension, metadata_column, tags_column, available_columns=[]) -%}
    {%- set places = var('ailedger_owner_tags')[dimension] -%}
    {%- set exprs = [] -%}
    {%- for place in places -%}
        {%- if place.startswith('$.') -%}
            {%- do exprs.append(ailedger.json_get(metadata_column, place[2:])) -%}
        {%- elif place.startswith('tag:') -%}
            {%- do exprs.append(ailedger.json_array_tag_value(tags_column, place[4:])) -%}
        {%- elif place.startswith('column:') and place[7:] in available_columns -%}
            {%- do exprs.append(place[7:]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if exprs | length == 0 -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
        coalesce(
        {%- for e in exprs %}
            nullif(trim(cast({{ e }} as {{ dbt.type_string() }})), ''){% if not loop.last %},{% endif %}
        {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- The same for OpenTelemetry spans, for each entry of
    var('ailedger_otel_owner_attributes')[dimension] in order:
      'key'           the span attribute, then the resource attribute, of that name
      'metadata:key'  a key of the `metadata` attribute (OpenInference's JSON string, parsed
                      at landing)
      'tag:key'       the `key:value` entry of the `tag.tags` array attribute (OpenInference) -#}
{% macro otel_owner_tag(dimension, attributes_column, resource_column) -%}
    coalesce(
    {%- for key in var('ailedger_otel_owner_attributes')[dimension] %}
        {%- if key.startswith('metadata:') %}
        nullif(trim({{ ailedger.json_get(attributes_column, ['metadata', key[9:]]) }}), ''){% if not loop.last %},{% endif %}
        {%- elif key.startswith('tag:') %}
        nullif(trim({{ ailedger.json_array_tag_value(ailedger.json_get(attributes_column, ['tag.tags']), key[4:]) }}), ''){% if not loop.last %},{% endif %}
        {%- else %}
        nullif(trim({{ ailedger.json_get(attributes_column, [key]) }}), ''),
        nullif(trim({{ ailedger.json_get(resource_column, [key]) }}), ''){% if not loop.last %},{% endif %}
        {%- endif %}
    {%- endfor %}
    )
{%- endmacro %}
