"""Anthropic's Admin API usage and cost reports, and the Console usage CSV export.

Token semantics as given: ``uncached_input_tokens`` EXCLUDES cache reads and writes. Cost
report amounts are decimal strings in CENTS (``"123.45"`` is $1.2345); they land as given and
staging converts them to dollars. A page whose buckets are all empty cannot tell usage from
cost: it is read as a usage report and lands no rows, rather than being refused on every run.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ingest.formats.base import CsvFormat, Field, Head, JsonPagesFormat

# Result keys only one of the two Admin API reports carries. The cost report names usage
# keys as VALUES (``"token_type": "uncached_input_tokens"``), so sniffing looks for keys: a
# JSON string followed by a colon.
USAGE_ONLY_KEYS = (
    "uncached_input_tokens",
    "cache_creation",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use",
)
COST_ONLY_KEYS = ("amount", "cost_type", "token_type", "description", "currency")


def _has_key(text: str, key: str) -> bool:
    return re.search(rf'"{re.escape(key)}"\s*:', text) is not None


class _AnthropicReport(JsonPagesFormat):
    """Admin API report pages: buckets with RFC 3339 ``starting_at``/``ending_at``.

    Recognised by the keys of its results, with substring checks so a head cut short inside
    a large single-line document still sniffs.
    """

    own_keys: ClassVar[tuple[str, ...]] = ()
    other_keys: ClassVar[tuple[str, ...]] = ()
    # Pages whose buckets are all empty carry no result key: claimed by this report only.
    claims_empty_pages: ClassVar[bool] = False

    def sniff(self, head: Head) -> bool:
        if not head.looks_like_json():
            return False
        text = head.text
        if not (_has_key(text, "starting_at") and _has_key(text, "results")):
            return False
        own = any(_has_key(text, k) for k in self.own_keys)
        other = any(_has_key(text, k) for k in self.other_keys)
        return (own and not other) or (self.claims_empty_pages and not own and not other)


class AnthropicUsageReportApi(_AnthropicReport):
    """Pages from GET /v1/organizations/usage_report/messages."""

    name = "anthropic_usage_report_api"
    table = "anthropic_usage_report"
    description = "Anthropic Admin API messages usage report: pages of time buckets"
    fields = (
        Field("starting_at", "$._bucket_start", "timestamp", required=True, not_null=True),
        Field("ending_at", "$._bucket_end", "timestamp", not_null=True),
        Field(
            "uncached_input_tokens",
            "$.uncached_input_tokens",
            "count",
            required=True,
            not_null=True,
        ),
        Field(
            "cache_creation_ephemeral_5m_input_tokens",
            "$.cache_creation.ephemeral_5m_input_tokens",
            "count",
        ),
        Field(
            "cache_creation_ephemeral_1h_input_tokens",
            "$.cache_creation.ephemeral_1h_input_tokens",
            "count",
        ),
        Field("cache_read_input_tokens", "$.cache_read_input_tokens", "count"),
        Field("output_tokens", "$.output_tokens", "count", required=True, not_null=True),
        Field(
            "server_tool_use_web_search_requests", "$.server_tool_use.web_search_requests", "count"
        ),
        Field("api_key_id", "$.api_key_id"),
        Field("workspace_id", "$.workspace_id"),
        Field("model", "$.model"),
        Field("service_tier", "$.service_tier"),
        Field("context_window", "$.context_window"),
    )
    own_keys = USAGE_ONLY_KEYS
    other_keys = COST_ONLY_KEYS
    claims_empty_pages = True


class AnthropicCostReportApi(_AnthropicReport):
    """Pages from GET /v1/organizations/cost_report (daily buckets, amounts in cents)."""

    name = "anthropic_cost_report_api"
    table = "anthropic_cost_report"
    description = "Anthropic Admin API cost report: daily buckets, amounts in cents"
    fields = (
        Field("starting_at", "$._bucket_start", "timestamp", required=True, not_null=True),
        Field("ending_at", "$._bucket_end", "timestamp", not_null=True),
        Field("amount", "$.amount", "decimal", required=True, not_null=True),
        Field("currency", "$.currency"),
        Field("description", "$.description"),
        Field("cost_type", "$.cost_type"),
        Field("model", "$.model"),
        Field("service_tier", "$.service_tier"),
        Field("token_type", "$.token_type"),
        Field("context_window", "$.context_window"),
        Field("workspace_id", "$.workspace_id"),
    )
    own_keys = COST_ONLY_KEYS
    other_keys = USAGE_ONLY_KEYS


CONSOLE_COUNTS = (
    "usage_input_tokens_no_cache",
    "usage_input_tokens_cache_write_5m",
    "usage_input_tokens_cache_write_1h",
    "usage_input_tokens_cache_read",
    "usage_output_tokens",
    "web_search_count",
)
CONSOLE_REQUIRED = ("usage_input_tokens_no_cache", "usage_output_tokens")


class AnthropicConsoleUsageCsv(CsvFormat):
    """Console usage export; older files lack ``context_window``, ``inference_geo``, ``speed``."""

    name = "anthropic_console_usage_csv"
    table = "anthropic_console_usage"
    description = "Anthropic Console usage CSV export: daily token counts per model and key"
    fields = (
        Field("usage_date_utc", "usage_date_utc", "date", required=True, not_null=True),
        Field("model_version", "model_version", required=True),
        Field("api_key", "api_key"),
        Field("workspace", "workspace"),
        Field("usage_type", "usage_type"),
        Field("context_window", "context_window"),
        *(Field(c, c, "count", required=c in CONSOLE_REQUIRED) for c in CONSOLE_COUNTS),
        Field("inference_geo", "inference_geo"),
        Field("speed", "speed"),
    )
    signature = ("usage_date_utc", "model_version")


class AnthropicConsoleCostCsv(CsvFormat):
    """Console cost export (Console -> Cost -> Export), in dollars rounded to cents per line;
    ``model`` is a display name ("Claude Sonnet 4"). Newer files add ``inference_geo``,
    ``speed``."""

    name = "anthropic_console_cost_csv"
    table = "anthropic_console_cost"
    description = "Anthropic Console cost CSV export: daily cost lines in dollars"
    fields = (
        Field("usage_date_utc", "usage_date_utc", "date", required=True, not_null=True),
        Field("model", "model", required=True),
        Field("workspace", "workspace"),
        Field("api_key", "api_key"),
        Field("usage_type", "usage_type"),
        Field("context_window", "context_window"),
        Field("token_type", "token_type"),
        Field("cost_usd", "cost_usd", "decimal", required=True, not_null=True),
        Field("cost_type", "cost_type"),
        Field("inference_geo", "inference_geo"),
        Field("speed", "speed"),
    )
    signature = ("usage_date_utc", "cost_usd")


__all__ = [
    "AnthropicConsoleCostCsv",
    "AnthropicConsoleUsageCsv",
    "AnthropicCostReportApi",
    "AnthropicUsageReportApi",
]
