"""OpenAI's organization Usage and Costs exports: the API pages and the dashboard CSVs.

Each pair (API pages, dashboard CSV) lands in one raw table with the same columns; a column
only one shape carries (``start_time_iso`` in the CSV, ``result_object`` in the API) is null
for the other. Times are Unix seconds as given; staging turns them into timestamps.

Empty time buckets: the API writes them as ``results: []`` (no rows); the dashboard CSV writes
a row with only the four time columns filled. Those CSV rows land as they are, with null
counts, so the file's covered range stays visible; staging drops them and they never count
as requests. A page whose buckets are all empty names no result object, so nothing says
whether it came from the usage or the costs endpoint: it is read as usage and lands no rows
(rather than being refused on every run).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import ClassVar

from ingest.formats.base import CsvFormat, Field, Head, JsonPagesFormat

TIME_COLUMNS = ("start_time", "end_time", "start_time_iso", "end_time_iso")

# Token and request counts, in the order OpenAI documents them.
USAGE_COUNTS = (
    "input_tokens",
    "output_tokens",
    "input_cached_tokens",
    "input_uncached_tokens",
    "input_cache_write_tokens",
    "input_text_tokens",
    "output_text_tokens",
    "input_cached_text_tokens",
    "input_audio_tokens",
    "input_cached_audio_tokens",
    "output_audio_tokens",
    "input_image_tokens",
    "input_cached_image_tokens",
    "output_image_tokens",
    "num_model_requests",
)
USAGE_REQUIRED = ("input_tokens", "output_tokens", "num_model_requests")
USAGE_DIMENSIONS = ("project_id", "user_id", "api_key_id", "model", "service_tier")

COST_STRINGS = (
    "line_item",
    "project_id",
    "api_key_id",
    "quantity_unit",
    "organization_id",
    "project_name",
    "organization_name",
    "user_id",
    "user_email",
    "api_source",
)

# Dashboard CSV columns only one of the two exports carries: they tell the two apart, since
# both start with the same four time columns.
USAGE_ONLY_COLUMNS = frozenset({*USAGE_COUNTS, "model", "batch", "service_tier"})
COST_ONLY_COLUMNS = frozenset(
    {
        "amount_value",
        "amount_currency",
        "line_item",
        "quantity",
        "quantity_unit",
        "organization_name",
        "project_name",
        "user_email",
        "api_source",
    }
)


def _source(api: bool) -> Callable[[str], str]:
    """API sources are JSON paths of a result; CSV sources are header names."""

    def src(name: str) -> str:
        return f"$.{name}" if api else name

    return src


def _time_fields(api: bool) -> tuple[Field, ...]:
    """The bucket's times: from the bucket for API pages, the four time columns in a CSV."""
    src = _source(api)
    return (
        Field(
            "start_time",
            "$._bucket_start" if api else "start_time",
            "epoch_integer",
            required=True,
            not_null=True,
        ),
        Field("end_time", "$._bucket_end" if api else "end_time", "epoch_integer", not_null=True),
        Field("start_time_iso", src("start_time_iso"), "timestamp"),
        Field("end_time_iso", src("end_time_iso"), "timestamp"),
    )


def _usage_fields(api: bool) -> tuple[Field, ...]:
    src = _source(api)
    return (
        *_time_fields(api),
        *(
            Field(
                c,
                src(c),
                "count",
                required=c in USAGE_REQUIRED,
                # A CSV empty-bucket row has no counts at all; an API result always has these.
                not_null=api and c in USAGE_REQUIRED,
            )
            for c in USAGE_COUNTS
        ),
        *(Field(c, src(c)) for c in USAGE_DIMENSIONS),
        Field("batch", src("batch"), "boolean"),
        Field("result_object", "$.object" if api else "object"),
    )


def _cost_fields(api: bool) -> tuple[Field, ...]:
    src = _source(api)
    return (
        *_time_fields(api),
        # Dollars. The API sends a number or a string; both are read from their text.
        Field(
            "amount_value",
            "$.amount.value" if api else "amount_value",
            "decimal",
            required=True,
            not_null=api,
        ),
        Field("amount_currency", "$.amount.currency" if api else "amount_currency"),
        Field("quantity", src("quantity"), "decimal"),
        *(Field(c, src(c)) for c in COST_STRINGS),
        Field("result_object", "$.object" if api else "object"),
    )


_OPENAI_BUCKET = re.compile(r'"object"\s*:\s*"bucket"')
_ANY_OPENAI_RESULT = re.compile(r'"object"\s*:\s*"organization\.')


class OpenAIUsageCompletionsApi(JsonPagesFormat):
    """Pages from GET /v1/organization/usage/completions."""

    name = "openai_usage_completions_api"
    table = "openai_usage_completions"
    description = "OpenAI Usage API (completions): pages of time buckets of usage results"
    fields = _usage_fields(api=True)
    result_objects = ("organization.usage.completions.result",)

    def sniff(self, head: Head) -> bool:
        if super().sniff(head):
            return True
        # Only empty buckets so far (a quiet day, or the empty night of 1-minute buckets
        # filling the whole head): OpenAI buckets naming no result object of any endpoint.
        return (
            head.looks_like_json()
            and _OPENAI_BUCKET.search(head.text) is not None
            and _ANY_OPENAI_RESULT.search(head.text) is None
        )


class OpenAICostsApi(JsonPagesFormat):
    """Pages from GET /v1/organization/costs (daily buckets, amounts in dollars)."""

    name = "openai_costs_api"
    table = "openai_costs"
    description = "OpenAI Costs API: pages of daily buckets of cost results, in dollars"
    fields = _cost_fields(api=True)
    result_objects = ("organization.costs.result",)


class _OpenAIDashboardCsv(CsvFormat):
    """A dashboard export: the four time columns, then the flattened result fields."""

    own_columns: ClassVar[frozenset[str]] = frozenset()
    other_columns: ClassVar[frozenset[str]] = frozenset()

    def sniff(self, head: Head) -> bool:
        header = set(head.csv_header())
        # Older cost exports have only start_time and end_time (Unix seconds), no ISO pair.
        return (
            {"start_time", "end_time"} <= header
            and bool(header & self.own_columns)
            and not header & self.other_columns
        )


class OpenAIUsageCompletionsCsv(_OpenAIDashboardCsv):
    """Dashboard export ``completions_usage_<from>_<to>.csv``; counts may be written ``3.0``."""

    name = "openai_usage_completions_csv"
    table = "openai_usage_completions"
    description = "OpenAI dashboard completions usage CSV export"
    fields = _usage_fields(api=False)
    own_columns = USAGE_ONLY_COLUMNS
    other_columns = COST_ONLY_COLUMNS


class OpenAICostsCsv(_OpenAIDashboardCsv):
    """Dashboard export ``cost_<from>_<to>.csv`` (amounts in dollars)."""

    name = "openai_costs_csv"
    table = "openai_costs"
    description = "OpenAI dashboard cost CSV export, in dollars"
    fields = _cost_fields(api=False)
    own_columns = COST_ONLY_COLUMNS
    other_columns = USAGE_ONLY_COLUMNS


__all__ = [
    "OpenAICostsApi",
    "OpenAICostsCsv",
    "OpenAIUsageCompletionsApi",
    "OpenAIUsageCompletionsCsv",
]
