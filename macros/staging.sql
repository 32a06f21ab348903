{#- Columns every staging model carries from the landing metadata. -#}

{#- `<load id>-<record number>`: one landed record, the staging models' primary key. -#}
{% macro landed_row_id() -%}
    {{ dbt.concat(['_load_id', "'-'", 'cast(_row_number as ' ~ dbt.type_string() ~ ')']) }}
{%- endmacro %}

{#- Which file a row came from and when it landed (drives freshness and incremental loads). -#}
{% macro load_metadata_columns() -%}
        _load_id as load_id,
        _source_file as source_file,
        _row_number as source_row_number,
        _loaded_at as loaded_at
{%- endmacro %}
