"""What never lands: conversation text, in every scheme ailedger knows, and long unknown strings.

Three layers, all in SQL:

- a deny-list of the attributes and keys known to carry prompt, response or tool text
  (OpenTelemetry GenAI, OpenInference, Traceloop/OpenLLMetry, the Vercel AI SDK, LiteLLM);
- a size guard for the next scheme: an unknown string value longer than
  ``ailedger_max_unknown_text_chars`` (dbt var, default 256) is dropped and counted, since
  prompts are long while ids and tags are short;
- an optional allow-list mode (dbt var ``ailedger_keep_only_known_keys`` or
  ``ailedger ingest --allow-list``) that keeps only the keys the models read plus the owner-tag
  keys, and no ``_extra``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ingest.formats import sql

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Span attributes that carry conversation text. A key is dropped when it equals one of these
# or starts with one of these followed by a dot (indexed forms: gen_ai.prompt.0.content,
# llm.input_messages.0.message.content).
SPAN_TEXT_KEYS = (
    # OpenTelemetry GenAI semantic conventions, current and deprecated
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.tool.definitions",
    # OpenInference (Arize Phoenix)
    "input.value",
    "output.value",
    "llm.input_messages",
    "llm.output_messages",
    "llm.prompts",
    "llm.prompt_template",
    "llm.tools",
    "llm.invocation_parameters",
    "retrieval.documents",
    "reranker.query",
    "reranker.input_documents",
    "reranker.output_documents",
    "embedding.embeddings",
    "tool.parameters",
    "message.content",
    # Traceloop / OpenLLMetry
    "traceloop.entity.input",
    "traceloop.entity.output",
    # Vercel AI SDK
    "ai.prompt",
    "ai.response.text",
    "ai.response.object",
    "ai.response.toolCalls",
    "ai.response.reasoning",
    "ai.toolCall.args",
    "ai.toolCall.result",
    "ai.value",
    "ai.values",
)

# LiteLLM metadata keys whose members carry conversation text (objects, or lists of them).
LITELLM_TEXT_MEMBERS = {
    "vector_store_request_metadata": ("query", "vector_store_search_response"),
    "guardrail_information": ("guardrail_request", "guardrail_response"),
    "mcp_tool_call_metadata": ("arguments", "result"),
    "prompt_management_metadata": ("prompt_variables", "prompt_template"),
}
# LiteLLM metadata keys dropped whole: the request body LiteLLM 1.110 copies into SpendLogs
# metadata, error and evaluation details that quote the conversation.
LITELLM_TEXT_KEYS = (
    "proxy_server_request",
    "messages",
    "response",
    "error_information",
    "eval_information",
)
# StandardLoggingPayload model_parameters members with tool definitions and prompts.
MODEL_PARAMETER_TEXT = ("tools", "functions", "messages", "prompt", "input")

# Span attribute keys the staging models read; exempt from the size guard, kept by the
# allow-list (the owner-tag keys are added from the dbt vars).
SPAN_READ_KEYS = (
    "gen_ai.operation.name",
    "gen_ai.provider.name",
    "gen_ai.system",
    "gen_ai.request.model",
    "gen_ai.response.model",
    "gen_ai.response.id",
    "gen_ai.conversation.id",
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.prompt_tokens",
    "gen_ai.usage.completion_tokens",
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.openai.response.service_tier",
    "gen_ai.openai.request.service_tier",
    "openinference.span.kind",
    "llm.model_name",
    "llm.provider",
    "llm.system",
    "llm.token_count.prompt",
    "llm.token_count.completion",
    "llm.token_count.total",
    "llm.token_count.prompt_details.cache_read",
    "llm.token_count.prompt_details.cache_write",
    "llm.token_count.completion_details.reasoning",
    "user.id",
    "session.id",
    "metadata",
    "tag.tags",
)
# LiteLLM metadata keys the staging models read (owner-tag paths are added from the vars).
LITELLM_METADATA_READ_KEYS = (
    "user_api_key_hash",
    "user_api_key_alias",
    "user_api_key_team_id",
    "user_api_key_team_alias",
    "user_api_key_org_id",
    "user_api_key_user_id",
    "user_api_key_end_user_id",
    "user_api_key_project_id",
    "user_api_key_project_alias",
    "spend_logs_metadata",
    "usage_object",
    "cost_breakdown",
    "model_info",
    "model_group",
    "deployment",
)
HIDDEN_PARAMS_READ_KEYS = (
    "model_id", "api_base", "response_cost", "litellm_model_name", "custom_llm_provider",
)
MODEL_PARAMETERS_READ_KEYS = (
    "service_tier", "stream", "max_tokens", "temperature", "reasoning_effort",
    "web_search_options",
)

# RE2 (DuckDB's regex engine) allows repetition counts up to 1000.
MAX_GUARD_CHARS = 1000


@dataclass(frozen=True)
class Policy:
    max_unknown_text_chars: int = 256
    keep_only_known_keys: bool = False


_override: dict[str, object] = {}


@lru_cache(maxsize=1)
def _project_vars() -> dict:
    import yaml

    path = PROJECT_DIR / "dbt_project.yml"
    if not path.exists():
        return {}
    return (yaml.safe_load(path.read_text()) or {}).get("vars", {}) or {}


def configure(
    max_unknown_text_chars: int | None = None, keep_only_known_keys: bool | None = None
) -> None:
    """Override the dbt vars for this process (the CLI's --max-text-chars / --allow-list)."""
    if max_unknown_text_chars is not None:
        _override["max_unknown_text_chars"] = max_unknown_text_chars
    if keep_only_known_keys is not None:
        _override["keep_only_known_keys"] = keep_only_known_keys


def reset() -> None:
    """Back to the dbt vars (tests)."""
    _override.clear()


def policy() -> Policy:
    v = _project_vars()
    chars = int(
        _override.get(
            "max_unknown_text_chars", v.get("ailedger_max_unknown_text_chars", 256)
        )
    )
    chars = max(1, min(chars, MAX_GUARD_CHARS))
    keep = bool(
        _override.get("keep_only_known_keys", v.get("ailedger_keep_only_known_keys", False))
    )
    return Policy(chars, keep)


def span_known_keys() -> tuple[str, ...]:
    owners = _project_vars().get("ailedger_otel_owner_attributes", {}) or {}
    return tuple(dict.fromkeys([*SPAN_READ_KEYS, *(k for ks in owners.values() for k in ks)]))


def litellm_metadata_known_keys() -> tuple[str, ...]:
    owners = _project_vars().get("ailedger_owner_tags", {}) or {}
    paths = [p[2:].split(".")[0] for ps in owners.values() for p in ps if p.startswith("$.")]
    return tuple(dict.fromkeys([*LITELLM_METADATA_READ_KEYS, *paths]))


# ---------------------------------------------------------------------------- deny-list SQL


def span_text_key_pattern() -> str:
    """A regex matching every span attribute key that carries conversation text."""
    alts = "|".join(re.escape(k) for k in SPAN_TEXT_KEYS)
    return f"^({alts})($|\\.)"


def _key_path(k: str) -> str:
    return "'$.\"' || replace(" + k + ", '\"', '\\\"') || '\"'"


def filter_keys(obj: str, keep: str, value: str = "v") -> str:
    """The JSON object ``obj`` with only the keys ``k`` for which SQL ``keep`` holds
    (``keep`` may use ``k`` and ``v``, the key and its JSON value), each value replaced by
    SQL ``value``; non-objects unchanged."""
    return (
        f"case when json_type({obj}) = 'OBJECT' then coalesce(("
        f"select json_group_object(k, {value}) from ("
        f"select k, json_extract({obj}, {_key_path('k')}) as v"
        f" from unnest(json_keys({obj})) as keys(k)) where {keep}), '{{}}') else {obj} end"
    )


def drop_members(obj: str, members: dict[str, tuple[str, ...]]) -> str:
    """``obj`` with, for each key, the named members of its object (or of each object in
    its list) removed."""
    cleaned = []
    for key, subkeys in members.items():
        patch = sql.literal(json.dumps({s: None for s in subkeys}))
        v = f"json_extract({obj}, {sql.literal(f'$.{key}')})"
        cleaned.append(
            f"{sql.literal(key)}, case json_type({v})"
            f" when 'OBJECT' then json_merge_patch({v}, {patch})"
            f" when 'ARRAY' then to_json(list_transform("
            f"cast(json_extract({v}, '$[*]') as json[]),"
            f" lambda x: case when json_type(x) = 'OBJECT' then json_merge_patch(x, {patch})"
            f" else cast(null as json) end))"
            f" when 'VARCHAR' then cast(null as json)"
            f" else {v} end"
        )
    # Each member is replaced whole (removed, then set to its cleaned self): a merge patch
    # alone would keep the members the cleaned value lacks. A null removes the key.
    removed = sql.literal(json.dumps({k: None for k in members}))
    return (
        f"case when json_type({obj}) = 'OBJECT' then json_merge_patch("
        f"json_merge_patch({obj}, {removed}), json_object({', '.join(cleaned)})) else {obj} end"
    )


def drop_keys(obj: str, keys: tuple[str, ...]) -> str:
    patch = sql.literal(json.dumps({k: None for k in keys}))
    return (
        f"case when json_type({obj}) = 'OBJECT' then json_merge_patch({obj}, {patch})"
        f" else {obj} end"
    )


# ---------------------------------------------------------------------------- size guard SQL


def long_string_pattern(chars: int) -> str:
    """A JSON string VALUE (not a key: keys are followed by a colon) longer than ``chars``."""
    return r'"(?:[^"\\]|\\.){' + str(chars + 1) + r',}"(\s*[,\]}])'


def guard_text(text: str, chars: int) -> tuple[str, str]:
    """JSON text with every long string value replaced by null, and the count replaced."""
    pat = sql.literal(long_string_pattern(chars))
    guarded = (
        f"case when length({text}) > {chars} then regexp_replace({text}, {pat}, 'null\\1', 'g')"
        f" else {text} end"
    )
    count = (
        f"case when length({text}) > {chars} then len(regexp_extract_all({text}, {pat}))"
        f" else 0 end"
    )
    return guarded, count


def guard_json(obj: str, chars: int) -> tuple[str, str]:
    """Nested guard of a JSON value: every long string at any depth dropped."""
    text, count = guard_text(f"cast({obj} as varchar)", chars)
    return f"cast({text} as json)", f"coalesce({count}, 0)"


def guard_flat(obj: str, chars: int, known: tuple[str, ...], allow_list: bool) -> tuple[str, str]:
    """A flat attribute object: known keys kept whatever their length; other keys dropped
    when their value is a long string (or always, in allow-list mode)."""
    known_sql = "[" + ", ".join(sql.literal(k) for k in known) + "]"
    if allow_list:
        keep = f"list_contains({known_sql}, k)"
    else:
        keep = (
            f"list_contains({known_sql}, k) or not (json_type(v) = 'VARCHAR'"
            f" and length(v ->> '$') > {chars})"
        )
    kept = filter_keys(obj, keep)
    count = (
        f"coalesce(case when json_type({obj}) = 'OBJECT' then (select count(*) from ("
        f"select k, json_extract({obj}, {_key_path('k')}) as v"
        f" from unnest(json_keys({obj})) as keys(k)) where not ({keep})) end, 0)"
    )
    return kept, count


__all__ = [
    "Policy",
    "configure",
    "drop_keys",
    "drop_members",
    "filter_keys",
    "guard_flat",
    "guard_json",
    "guard_text",
    "policy",
    "reset",
    "span_text_key_pattern",
]
