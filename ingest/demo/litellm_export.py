"""The gateway's log: LiteLLM's `LiteLLM_SpendLogs` table as a Postgres CSV export.

Quirks kept on purpose: timestamps are `timestamp without time zone` text in UTC, `cache_hit` is
text ("True"/"False"/""), JSON columns are JSON text, `spend` is LiteLLM's own float cost (which
prices cached input at the full input price), Anthropic usage comes in the newer shape (prompt
tokens include cache reads and writes) except on rows from an older proxy replica (prompt tokens
are uncached input only), and failed calls carry no tokens.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COLUMNS = (
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens",
    "completion_tokens", "startTime", "endTime", "request_duration_ms", "completionStartTime",
    "model", "model_id", "model_group", "custom_llm_provider", "api_base", "user", "metadata",
    "cache_hit", "cache_key", "request_tags", "team_id", "organization_id", "end_user",
    "requester_ip_address", "messages", "response", "session_id", "status",
    "mcp_namespaced_tool_name", "agent_id", "proxy_server_request",
)  # fmt: skip


def write_spend_logs(con: duckdb.DuckDBPyConnection, path: Path, seed: int) -> None:
    """Write the gateway rows of `demo_requests` as LiteLLM_SpendLogs CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    select_list = ",\n            ".join(f'"{c}"' for c in COLUMNS)
    # Join and sort while rows are narrow; the copy below is a pure projection of the sorted
    # table, so it keeps that order without sorting ~1.5 KB rows.
    con.execute(f"""
        create or replace temp table demo_gateway as
            select
                r.*,
                p.system_message,
                t.team_id as key_team_id,
                owner.cost_center as owner_cost_center,
                n.called_as,
                sha256('deployment-' || n.called_as) as deployment_id,
                md5('{int(seed)}-request-' || r.i) as request_hash,
                md5(r.session_key) as session_hash,
                case when r.provider = 'openai'
                    then r.uncached_input_tokens + r.cache_read_tokens
                    when r.is_old_proxy then r.uncached_input_tokens
                    else r.uncached_input_tokens + r.cache_read_tokens
                        + r.cache_write_5m_tokens + r.cache_write_1h_tokens
                end as usage_prompt_tokens,
                case when r.is_failed then cast(150 + 850 * r.u_timing as bigint)
                     when r.is_proxy_cache_hit then cast(5 + 25 * r.u_timing as bigint)
                     else cast(round((350 + 12 * r.output_tokens + 0.01 * (r.uncached_input_tokens
                        + r.cache_read_tokens)) * exp(0.25 * r.z_timing)) as bigint)
                end as duration_ms
            from demo_requests as r
            left join org_teams as t on t.team = r.key_team
            join org_teams as owner on owner.team = r.team
            join org_model_names as n on n.model = r.model and n.n = r.name_index
            left join (
                select prompt_id, json_object('role', 'system', 'content', system_prompt)
                    as system_message
                from org_prompts
            ) as p on p.prompt_id = r.prompt_id
            where r.channel = 'gateway'
            order by r.started_at, r.i
    """)
    con.execute(f"""
        copy (
        with shaped as (
            select
                *,
                case
                    when provider = 'openai' then json_object(
                        'prompt_tokens', usage_prompt_tokens,
                        'completion_tokens', output_tokens,
                        'total_tokens', usage_prompt_tokens + output_tokens,
                        'prompt_tokens_details', json_object('cached_tokens', cache_read_tokens),
                        'completion_tokens_details',
                            json_object('reasoning_tokens', reasoning_tokens))
                    when is_old_proxy then json_object(
                        'prompt_tokens', usage_prompt_tokens,
                        'completion_tokens', output_tokens,
                        'total_tokens', usage_prompt_tokens + output_tokens,
                        'cache_read_input_tokens', cache_read_tokens,
                        'cache_creation_input_tokens',
                            cache_write_5m_tokens + cache_write_1h_tokens,
                        'cache_creation', json_object(
                            'ephemeral_5m_input_tokens', cache_write_5m_tokens,
                            'ephemeral_1h_input_tokens', cache_write_1h_tokens))
                    else json_object(
                        'prompt_tokens', usage_prompt_tokens,
                        'completion_tokens', output_tokens,
                        'total_tokens', usage_prompt_tokens + output_tokens,
                        'prompt_tokens_details', json_object('cached_tokens', cache_read_tokens),
                        'cache_read_input_tokens', cache_read_tokens,
                        'cache_creation_input_tokens',
                            cache_write_5m_tokens + cache_write_1h_tokens,
                        'cache_creation', json_object(
                            'ephemeral_5m_input_tokens', cache_write_5m_tokens,
                            'ephemeral_1h_input_tokens', cache_write_1h_tokens))
                end as usage_object,
                case
                    when tagging not in ('meta', 'both') then null
                    when sends_feature and customer_via = 'meta' and customer is not null
                        then json_object('feature', feature, 'cost_center', owner_cost_center,
                                         'customer', customer)
                    when sends_feature
                        then json_object('feature', feature, 'cost_center', owner_cost_center)
                    when customer_via = 'meta' and customer is not null
                        then json_object('cost_center', owner_cost_center, 'customer', customer)
                    else json_object('cost_center', owner_cost_center)
                end as spend_logs_metadata,
                case when tagging in ('tag', 'both') then to_json(list_filter([
                    case when sends_feature then 'feature:' || feature end,
                    case when is_staging then 'env:staging' else 'env:prod' end
                ], lambda x: x is not null)) else '[]' end as tags_json,
                case when provider = 'openai' and not is_failed
                    then 'chatcmpl-' || substr(request_hash, 1, 29)
                    else substr(request_hash, 1, 8) || '-' || substr(request_hash, 9, 4) || '-'
                        || substr(request_hash, 13, 4) || '-' || substr(request_hash, 17, 4)
                        || '-' || substr(request_hash, 21, 12)
                end as log_request_id
            from demo_gateway
        ),
        final as (
            select
                log_request_id as "request_id",
                'acompletion' as "call_type",
                api_key_hash as "api_key",
                cast(case when is_failed then 0 else cost_usd + cache_read_overcharge_usd end
                    as double) as "spend",
                usage_prompt_tokens + output_tokens as "total_tokens",
                usage_prompt_tokens as "prompt_tokens",
                output_tokens as "completion_tokens",
                cast(started_at as varchar) as "startTime",
                cast(started_at + to_milliseconds(duration_ms) as varchar) as "endTime",
                duration_ms as "request_duration_ms",
                case when not is_failed then cast(started_at + to_milliseconds(
                    cast(duration_ms * (0.1 + 0.3 * u_timing) as bigint)) as varchar)
                end as "completionStartTime",
                called_as as "model",
                deployment_id as "model_id",
                regexp_replace(called_as, '^(openai|anthropic)/', '') as "model_group",
                provider as "custom_llm_provider",
                case when provider = 'openai' then 'https://api.openai.com/v1'
                    else 'https://api.anthropic.com/v1/messages' end as "api_base",
                litellm_user as "user",
                json_object(
                    'user_api_key_alias', key_alias,
                    'user_api_key_team_id', key_team_id,
                    'user_api_key_org_id', null,
                    'user_api_key_user_id', nullif(litellm_user, ''),
                    'user_api_key_team_alias', case when alias_in_metadata then key_team end,
                    'spend_logs_metadata', spend_logs_metadata,
                    'requester_ip_address', ip,
                    'usage_object', case when not is_failed then usage_object end
                ) as "metadata",
                case when is_failed or is_old_proxy then ''
                     when is_proxy_cache_hit then 'True' else 'False' end as "cache_hit",
                case when is_proxy_cache_hit then sha256('cache-' || request_hash) else '' end
                    as "cache_key",
                tags_json as "request_tags",
                key_team_id as "team_id",
                cast(null as varchar) as "organization_id",
                case when customer_via = 'end_user' then customer end as "end_user",
                ip as "requester_ip_address",
                '[' || system_message || ',{{"role":"user","content":"Item #' || i || ' for '
                    || feature || ': please handle it."}}]' as "messages",
                case when is_failed then '{{}}' else '{{"choices":[{{"index":0,"finish_reason":'
                    || '"stop","message":{{"role":"assistant","content":"Handled item #' || i
                    || '."}}}}]}}' end as "response",
                case when session_key is not null then
                    substr(session_hash, 1, 8) || '-' || substr(session_hash, 9, 4) || '-'
                    || substr(session_hash, 13, 4) || '-' || substr(session_hash, 17, 4)
                    || '-' || substr(session_hash, 21, 12)
                end as "session_id",
                case when is_failed then 'failure' else 'success' end as "status",
                cast(null as varchar) as "mcp_namespaced_tool_name",
                cast(null as varchar) as "agent_id",
                '{{}}' as "proxy_server_request"
            from shaped
        )
        select
            {select_list}
        from final
        ) to '{_sql_path(path)}' (header, delimiter ',')
    """)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
