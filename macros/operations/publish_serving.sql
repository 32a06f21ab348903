{#- on-run-end: after a successful `dbt build` (or `dbt run`) on DuckDB, publish the serving
    copy BI tools read: every table of schema `marts` and of schema `seeds`, with the dbt
    descriptions as COMMENT ON, and a `meta` schema (meta.build, meta.sources, meta.loads).

    It is written whole under a temporary name, in DuckDB storage version v1.0.0 so that
    DuckDB 1.x (bundled by BI drivers) can open it, then renamed over the previous copy in one
    step: a reader that holds the old file keeps reading it, one that reconnects sees the new
    build, and nobody sees half of one. The rename is ingest/dbt_plugin.py's function, since
    SQL cannot rename a file. `--vars '{ailedger_publish_serving: false}'` turns it off. -#}
{% macro publish_serving(results) %}
    {{ return(adapter.dispatch('publish_serving', 'ailedger')(results)) }}
{% endmacro %}

{% macro default__publish_serving(results) %}
    {{ return('') }}
{% endmacro %}

{% macro duckdb__publish_serving(results) %}
    {%- if not execute or not var('ailedger_publish_serving', true)
           or flags.WHICH not in ('build', 'run') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set failed = [] -%}
    {%- for result in results if (result.status | string | lower) in ('error', 'fail', 'runtime error') -%}
        {%- do failed.append(result.node.name) -%}
    {%- endfor -%}
    {%- if failed -%}
        {{ log('serving copy not published: ' ~ failed | length ~ ' node(s) failed; BI tools keep the previous build', info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- set has_plugin = run_query("select count(*) from duckdb_functions() where function_name = 'ailedger_publish_file'").columns[0].values()[0] -%}
    {%- if has_plugin == 0 -%}
        {{ log('serving copy not published: profiles.yml does not load the ingest.dbt_plugin plugin', info=true) }}
        {{ return('') }}
    {%- endif -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set serving = run_query('select ailedger_serving_path()').columns[0].values()[0] -%}
    {%- set temporary = serving ~ '.tmp-' ~ invocation_id -%}
    {%- set catalog = 'ailedger_serving_publish' -%}
    {%- set warehouse = adapter.quote(run_query('select current_database()').columns[0].values()[0]) -%}

    {%- do run_query("select ailedger_remove_file('" ~ temporary ~ "')") -%}
    {%- call statement('serving_attach', auto_begin=false) -%}
        attach '{{ temporary }}' as {{ catalog }} (storage_version 'v1.0.0')
    {%- endcall -%}

    {#- Descriptions of every model and seed, by (schema, table name). -#}
    {%- set docs = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed') -%}
        {%- do docs.update({(node.schema | lower, (node.alias or node.name) | lower): node}) -%}
    {%- endfor -%}

    {%- set tables = run_query(
          "select table_schema, table_name from information_schema.tables"
          ~ " where table_catalog = current_database() and table_schema in ('marts', 'seeds')"
          ~ " order by table_schema, table_name") -%}
    {%- set statements = ['create schema ' ~ catalog ~ '.marts', 'create schema ' ~ catalog ~ '.seeds',
                          'create schema ' ~ catalog ~ '.meta'] -%}
    {%- for row in tables.rows -%}
        {%- set target_table = catalog ~ '.' ~ adapter.quote(row[0]) ~ '.' ~ adapter.quote(row[1]) -%}
        {%- do statements.append('create table ' ~ target_table ~ ' as select * from '
              ~ warehouse ~ '.' ~ adapter.quote(row[0]) ~ '.' ~ adapter.quote(row[1])) -%}
        {%- set node = docs.get((row[0] | lower, row[1] | lower)) -%}
        {%- if node and node.description -%}
            {%- do statements.append('comment on table ' ~ target_table ~ ' is ' ~ ailedger.sql_string(node.description)) -%}
        {%- endif -%}
        {%- for name, column in (node.columns.items() if node else []) if column.description -%}
            {%- do statements.append('comment on column ' ~ target_table ~ '.' ~ adapter.quote(name)
                  ~ ' is ' ~ ailedger.sql_string(column.description)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for statement_sql in statements -%}
        {%- call statement('serving_copy', auto_begin=false) -%}{{ statement_sql }}{%- endcall -%}
    {%- endfor -%}

    {%- call statement('serving_meta', auto_begin=false) -%}
        {{ ailedger.serving_meta_sql(catalog, warehouse, tables.rows | length) }}
    {%- endcall -%}
    {%- call statement('serving_detach', auto_begin=false) -%}
        detach {{ catalog }}
    {%- endcall -%}
    {%- do run_query("select ailedger_publish_file('" ~ temporary ~ "', '" ~ serving ~ "')") -%}
    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log('published serving copy: ' ~ tables.rows | length ~ ' tables to ' ~ serving
           ~ ' in ' ~ '%.1f' | format(seconds) ~ 's', info=true) }}
    {{ return('') }}
{% endmacro %}

{% macro sql_string(text) -%}
    '{{ text | trim | replace("'", "''") }}'
{%- endmacro %}

{#- meta.build (one row: this build), meta.loads (the load ledger by format) and
    meta.sources (one row per source table: last landing, newest data, freshness policy). -#}
{% macro serving_meta_sql(catalog, warehouse, table_count) -%}
    {%- set hours = {'minute': 1.0 / 60, 'hour': 1, 'day': 24} -%}
    create table {{ catalog }}.meta.build as
    select
        timezone('UTC', now()) as built_at,
        '{{ invocation_id }}' as invocation_id,
        '{{ dbt_version }}' as dbt_version,
        'v1.0.0' as storage_version,
        {{ table_count }} as tables_published;
    comment on table {{ catalog }}.meta.build is 'One row: the build this serving copy was published from (built_at is UTC).';

    create table {{ catalog }}.meta.loads as
    select
        format,
        raw_table,
        count(*) filter (where status = 'landed') as files_landed,
        count(*) filter (where status = 'refused') as files_refused,
        coalesce(sum(rows_landed) filter (where status = 'landed'), 0) as rows_landed,
        coalesce(sum(rows_rejected) filter (where status = 'landed'), 0) as rows_rejected,
        min(finished_at) filter (where status = 'landed') as first_landed_at,
        max(finished_at) filter (where status = 'landed') as last_landed_at,
        max(finished_at) as last_attempt_at
    from {{ warehouse }}.raw._loads
    group by all
    order by format;
    comment on table {{ catalog }}.meta.loads is 'One row per source format in the load ledger (raw._loads): files landed and refused, rows landed and rejected, first and last landing (UTC).';

    create table {{ catalog }}.meta.sources as
    {% for source_node in graph.sources.values() if source_node.package_name == 'ailedger' -%}
    {%- set freshness = source_node.freshness or {} -%}
    {%- set warn = freshness.warn_after or {} -%}
    {%- set error = freshness.error_after or {} -%}
    select
        '{{ source_node.source_name }}' as source_name,
        '{{ source_node.identifier }}' as raw_table,
        (select count(*) from {{ warehouse }}.raw._loads
          where raw_table = '{{ source_node.identifier }}' and status = 'landed') as files_landed,
        (select max(finished_at) from {{ warehouse }}.raw._loads
          where raw_table = '{{ source_node.identifier }}' and status = 'landed') as last_landed_at,
        (select max({{ ailedger.source_data_time(source_node) }})
           from {{ warehouse }}.{{ adapter.quote(source_node.schema) }}.{{ adapter.quote(source_node.identifier) }}) as data_as_of,
        cast({{ (warn.count * hours.get(warn.period, 0)) if warn.count else 'null' }} as double) as warn_after_hours,
        cast({{ (error.count * hours.get(error.period, 0)) if error.count else 'null' }} as double) as error_after_hours
    {% if not loop.last %}union all{% endif %}
    {% endfor -%};
    comment on table {{ catalog }}.meta.sources is 'One row per source table: files landed, last landing (UTC), newest data timestamp (data_as_of, UTC) and the freshness policy in hours. A table with files_landed = 0 is not in use.';
{%- endmacro %}
