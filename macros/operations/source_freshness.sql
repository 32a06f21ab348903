{#- When a source last moved: the source freshness query (`loaded_at_query` in the sources YAML)
    and the serving copy's meta.sources both use these.

    A source table is judged by its older clock: the last file that landed for it (raw._loads)
    and the newest timestamp in its data. An export that keeps arriving with old data has
    stopped too. A table nothing ever landed in is not in use: it answers "now", so a team that
    uses only some sources passes `dbt source freshness`. The columns carrying a table's data
    time are listed in its `meta: {ailedger_data_time: [...]}`; epoch numbers, dates and
    strings are turned into timestamps by their declared data_type. -#}

{% macro source_data_time(source_node) -%}
    {%- set names = (source_node.meta or {}).get('ailedger_data_time')
                    or (source_node.config.meta or {}).get('ailedger_data_time') or [] -%}
    {%- set names = [names] if names is string else names -%}
    {%- set parts = [] -%}
    {%- for name in names -%}
        {%- set column = source_node.columns.get(name) -%}
        {%- set declared = ((column.data_type if column else none) or 'timestamp') | lower -%}
        {%- set quoted = adapter.quote(name) -%}
        {%- if declared.startswith('timestamp') -%}
            {%- do parts.append(quoted) -%}
        {%- elif declared.startswith(('bigint', 'int', 'double', 'float', 'decimal', 'numeric', 'real')) -%}
            {%- do parts.append(ailedger.epoch_to_timestamp(quoted)) -%}
        {%- else -%}
            {%- do parts.append('cast(' ~ quoted ~ ' as ' ~ dbt.type_timestamp() ~ ')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parts | length == 0 -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- elif parts | length == 1 -%}
        {{ parts[0] }}
    {%- else -%}
        coalesce({{ parts | join(', ') }})
    {%- endif -%}
{%- endmacro %}

{% macro source_loaded_at(source_node, relation) -%}
    {%- set now -%}cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}){%- endset -%}
    {%- set table = adapter.get_relation(database=relation.database, schema=relation.schema,
                                         identifier=relation.identifier) -%}
    {%- set ledger = adapter.get_relation(database=relation.database, schema=relation.schema,
                                          identifier='_loads') -%}
    {%- if table is none or ledger is none -%}
    select {{ now }} as loaded_at
    {%- else -%}
    select
        case
            when ledger.files_landed = 0 then {{ now }}
            else least(ledger.last_landed_at, coalesce(data_time.data_as_of, ledger.last_landed_at))
        end as loaded_at
    from (
        select count(*) as files_landed, max(finished_at) as last_landed_at
        from {{ ledger }}
        where raw_table = '{{ source_node.identifier }}' and status = 'landed'
    ) as ledger
    cross join (
        select max({{ ailedger.source_data_time(source_node) }}) as data_as_of
        from {{ table }}
    ) as data_time
    {%- endif -%}
{%- endmacro %}
