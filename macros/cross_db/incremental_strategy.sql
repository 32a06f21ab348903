{#- How the incremental request fact replaces re-processed rows: delete+insert on request_id
    where the engine can delete (DuckDB, Postgres); Spark without Delta or Iceberg cannot, so
    it overwrites whole requested_date partitions, and the model re-selects every row of each
    partition it touches. -#}
{% macro request_fact_config() -%}
    {{ return(adapter.dispatch('request_fact_config', 'ailedger')()) }}
{%- endmacro %}

{% macro default__request_fact_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'request_id'}) }}
{%- endmacro %}

{% macro spark__request_fact_config() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['requested_date'],
               'file_format': 'parquet'}) }}
{%- endmacro %}
