"""LiteLLM proxy logs: the ``LiteLLM_SpendLogs`` table (CSV or JSONL export) and the
``StandardLoggingPayload`` its logging callbacks write as JSONL.

The conversation (``messages``, ``response``, ``proxy_server_request``) never lands: only a
sha256 of the system prompt is kept, so duplicate prompts can still be measured. Nor does the
text LiteLLM copies into ``metadata`` (vector-store queries and results, guardrail requests and
responses, MCP tool arguments and results, prompt variables) or the tool definitions in
``model_parameters``: see ingest/formats/privacy.py.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import ClassVar

from ingest.formats import privacy, sql
from ingest.formats.base import CsvFormat, Field, Head, JsonLinesFormat

CONVERSATION = (
    "messages",
    "response",
    "proxy_server_request",
    # StandardLoggingPayload carries these at the top level too.
    "guardrail_information",
    "vector_store_request_metadata",
    "mcp_tool_call_metadata",
)
# JSON columns that carry owner tags and counts but may also carry conversation text.
ALLOWED_KEYS = {
    "hidden_params": privacy.HIDDEN_PARAMS_READ_KEYS,
    "model_parameters": privacy.MODEL_PARAMETERS_READ_KEYS,
}


def clean_metadata(value: str) -> str:
    return privacy.drop_keys(
        privacy.drop_members(value, privacy.LITELLM_TEXT_MEMBERS), privacy.LITELLM_TEXT_KEYS
    )


def _unwrapped(rec: str, key: str) -> str:
    """A JSON member that may be written as a string of JSON (Postgres JSONB exports)."""
    v = f"json_extract({rec}, {sql.literal(f'$.{key}')})"
    return (
        f"case when json_type({v}) = 'VARCHAR' and json_valid({v} ->> '$')"
        f" then cast({v} ->> '$' as json) else {v} end"
    )


def _spend_log_fields(path: Callable[[str], str]) -> tuple[Field, ...]:
    """The SpendLogs columns; ``path`` maps a column name to its CSV header or JSON path."""
    spec = [
        ("request_id", "varchar", True, True),
        ("call_type", "varchar", False, False),
        ("api_key", "varchar", False, False),
        ("spend", "decimal", True, False),
        ("total_tokens", "count", False, False),
        ("prompt_tokens", "count", True, False),
        ("completion_tokens", "count", True, False),
        ("startTime", "timestamp", True, True),
        ("endTime", "timestamp", False, False),
        ("request_duration_ms", "integer", False, False),
        ("completionStartTime", "timestamp", False, False),
        ("model", "varchar", True, False),
        ("model_id", "varchar", False, False),
        ("model_group", "varchar", False, False),
        ("custom_llm_provider", "varchar", False, False),
        ("api_base", "varchar", False, False),
        ("user", "varchar", False, False),
        ("metadata", "json", False, False),
        ("cache_hit", "varchar", False, False),
        ("cache_key", "varchar", False, False),
        ("request_tags", "json", False, False),
        ("team_id", "varchar", False, False),
        ("organization_id", "varchar", False, False),
        ("end_user", "varchar", False, False),
        ("requester_ip_address", "varchar", False, False),
        ("session_id", "varchar", False, False),
        ("status", "varchar", False, False),
        ("mcp_namespaced_tool_name", "varchar", False, False),
        ("agent_id", "varchar", False, False),
    ]
    return tuple(Field(n, path(n), k, required=r, not_null=nn) for n, k, r, nn in spec)


class _HashesSystemPrompt:
    """Keeps sha256 of the system prompt from ``messages``; the conversation never lands."""

    sensitive = CONVERSATION

    def clean_json(self, column: str, value: str) -> str:
        if column == "metadata":
            return clean_metadata(value)
        if column == "model_parameters":
            return privacy.drop_keys(value, privacy.MODEL_PARAMETER_TEXT)
        return value

    def clean_raw_row(self, rec: str) -> str:
        # metadata and model_parameters replaced by their cleaned selves (unwrapped first when
        # written as a string of JSON), so a rejected record's raw row holds none of their text.
        drop = {k: None for k in ("metadata", "model_parameters")}
        cleaned = ", ".join(
            f"{sql.literal(k)}, {self.clean_json(k, _unwrapped(rec, k))}"
            for k in ("metadata", "model_parameters")
        )
        return (
            f"json_merge_patch(json_merge_patch({rec}, {sql.literal(json.dumps(drop))}),"
            f" json_object({cleaned}))"
        )

    def guard(self, column: str, value: str, pol: privacy.Policy) -> tuple[str, str]:
        allowed = privacy.litellm_metadata_known_keys() if column == "metadata" else (
            ALLOWED_KEYS.get(column)
        )
        if pol.keep_only_known_keys and allowed is not None:
            known = "[" + ", ".join(sql.literal(k) for k in allowed) + "]"
            value = privacy.filter_keys(value, f"list_contains({known}, k)")
        return super().guard(column, value, pol)  # type: ignore[misc]
    derived: ClassVar[dict[str, str]] = {"system_prompt_sha256": "VARCHAR"}
    messages_source: ClassVar[str] = "$.messages"

    def derived_exprs(self, source: Callable[[str], str]) -> dict[str, str]:
        text = source(self.messages_source)
        messages = f"case when json_valid({text}) then cast({text} as json) end"
        return {"system_prompt_sha256": sql.system_prompt_sha256(messages)}


class LiteLLMSpendLogsCsv(_HashesSystemPrompt, CsvFormat):
    name = "litellm_spend_logs_csv"
    table = "litellm_spend_logs"
    description = "LiteLLM proxy LiteLLM_SpendLogs table exported as CSV"
    fields = _spend_log_fields(lambda n: n)
    messages_source = "messages"
    # Not "spend": a file without it should be refused for that, not called unknown.
    signature = ("request_id", "startTime", "prompt_tokens")



class LiteLLMSpendLogsJsonl(_HashesSystemPrompt, JsonLinesFormat):
    name = "litellm_spend_logs_jsonl"
    table = "litellm_spend_logs"
    description = "LiteLLM proxy LiteLLM_SpendLogs table exported as JSON lines"
    fields = _spend_log_fields(lambda n: f'$."{n}"')
    signature = ("request_id", "startTime")



class LiteLLMStandardLogging(_HashesSystemPrompt, JsonLinesFormat):
    """StandardLoggingPayload: times are float epoch seconds here, unlike the table."""

    name = "litellm_standard_logging"
    table = "litellm_standard_logging"
    description = "LiteLLM StandardLoggingPayload JSON lines from a logging callback"
    fields = (
        Field("id", "$.id", "varchar", required=True, not_null=True),
        Field("trace_id", "$.trace_id"),
        Field("call_type", "$.call_type"),
        Field("response_cost", "$.response_cost", "decimal", required=True),
        Field("status", "$.status"),
        Field("total_tokens", "$.total_tokens", "count"),
        Field("prompt_tokens", "$.prompt_tokens", "count", required=True),
        Field("completion_tokens", "$.completion_tokens", "count", required=True),
        Field("startTime", "$.startTime", "epoch_seconds", required=True, not_null=True),
        Field("endTime", "$.endTime", "epoch_seconds"),
        Field("completionStartTime", "$.completionStartTime", "epoch_seconds"),
        Field("model", "$.model", "varchar", required=True),
        Field("model_id", "$.model_id"),
        Field("model_group", "$.model_group"),
        Field("custom_llm_provider", "$.custom_llm_provider"),
        Field("api_base", "$.api_base"),
        Field("metadata", "$.metadata", "json"),
        Field("cache_hit", "$.cache_hit", "boolean"),
        Field("cache_key", "$.cache_key"),
        Field("request_tags", "$.request_tags", "json"),
        Field("end_user", "$.end_user"),
        Field("requester_ip_address", "$.requester_ip_address"),
        Field("error_str", "$.error_str"),
        Field("hidden_params", "$.hidden_params", "json"),
        Field("model_parameters", "$.model_parameters", "json"),
        # The price-map key LiteLLM priced the call with (its base model, for an Azure
        # deployment); the rest of model_map_information is the price-map entry itself.
        Field("model_map_key", "$.model_map_information.model_map_key"),
    )
    signature = ("id", "response_cost", "startTime")



class _LiteLLMDimensionCsv(CsvFormat):
    """A LiteLLM proxy table exported with the same ``\\copy … csv header`` as SpendLogs."""

    excluded: ClassVar[tuple[str, ...]] = ()

    def sniff(self, head: Head) -> bool:
        header = set(head.csv_header())
        return super().sniff(head) and not header & set(self.excluded)


class LiteLLMVerificationTokenCsv(_LiteLLMDimensionCsv):
    """``LiteLLM_VerificationToken``: the virtual keys. ``token`` is the hashed key, the value
    SpendLogs writes as ``api_key``."""

    name = "litellm_verification_token_csv"
    table = "litellm_verification_token"
    description = "LiteLLM proxy LiteLLM_VerificationToken table (virtual keys) exported as CSV"
    fields = (
        Field("token", "token", required=True, not_null=True),
        Field("key_name", "key_name"),
        Field("key_alias", "key_alias"),
        Field("team_id", "team_id"),
        Field("user_id", "user_id"),
        Field("organization_id", "organization_id"),
        Field("metadata", "metadata", "json"),
        Field("spend", "spend", "decimal"),
        Field("max_budget", "max_budget", "decimal"),
        Field("blocked", "blocked", "boolean"),
        Field("expires", "expires", "timestamp"),
        Field("created_at", "created_at", "timestamp"),
        Field("updated_at", "updated_at", "timestamp"),
    )
    signature = ("token", "key_alias", "team_id")


class LiteLLMTeamTableCsv(_LiteLLMDimensionCsv):
    """``LiteLLM_TeamTable``: team ids and their names (``team_alias``)."""

    name = "litellm_team_table_csv"
    table = "litellm_team_table"
    description = "LiteLLM proxy LiteLLM_TeamTable table exported as CSV"
    fields = (
        Field("team_id", "team_id", required=True, not_null=True),
        Field("team_alias", "team_alias", required=True),
        Field("organization_id", "organization_id"),
        Field("metadata", "metadata", "json"),
        Field("spend", "spend", "decimal"),
        Field("max_budget", "max_budget", "decimal"),
        Field("blocked", "blocked", "boolean"),
        Field("created_at", "created_at", "timestamp"),
        Field("updated_at", "updated_at", "timestamp"),
    )
    signature = ("team_id", "team_alias")
    excluded = ("token", "request_id")


class LiteLLMEndUserTableCsv(_LiteLLMDimensionCsv):
    """``LiteLLM_EndUserTable``: the end users (customers) the proxy tracks."""

    name = "litellm_end_user_table_csv"
    table = "litellm_end_user_table"
    description = "LiteLLM proxy LiteLLM_EndUserTable table exported as CSV"
    fields = (
        Field("user_id", "user_id", required=True, not_null=True),
        Field("alias", "alias"),
        Field("spend", "spend", "decimal"),
        Field("allowed_model_region", "allowed_model_region"),
        Field("default_model", "default_model"),
        Field("budget_id", "budget_id"),
        Field("blocked", "blocked", "boolean"),
    )
    signature = ("user_id", "alias", "blocked")
    excluded = ("token", "request_id", "team_alias")
