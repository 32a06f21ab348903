{#- on-run-start: create any raw source table that does not exist yet, empty, from the column
    types declared in the sources YAML. A warehouse that has never seen, say, an OpenTelemetry
    file still builds every model; ingest fills the tables later. -#}
{% macro create_missing_sources() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for source in graph.sources.values() if source.package_name == 'ailedger' -%}
        {%- set relation = adapter.get_relation(
              database=source.database, schema=source.schema, identifier=source.identifier) -%}
        {%- if relation is none and source.columns -%}
            {%- do adapter.create_schema(api.Relation.create(database=source.database, schema=source.schema)) -%}
            {%- set cols = [] -%}
            {%- for name, col in source.columns.items() -%}
                {%- do cols.append(adapter.quote(name) ~ ' ' ~ ailedger.raw_column_type(col.data_type)) -%}
            {%- endfor -%}
            {%- call statement('create_' ~ source.identifier, auto_begin=false) -%}
                create table {{ api.Relation.create(database=source.database, schema=source.schema, identifier=source.identifier) }} ({{ cols | join(', ') }})
            {%- endcall -%}
            {{ log('created empty source table ' ~ source.schema ~ '.' ~ source.identifier, info=false) }}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
