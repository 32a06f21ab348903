"""OpenTelemetry GenAI spans: the OTLP JSON file-exporter shape and flat span JSON lines.

Both land in one table with the span's attributes flattened to a JSON object
(``{"gen_ai.request.model": "gpt-4o", …}``), so owner-tag keys chosen by each team can be read
in SQL. Message content attributes never land; the system instructions are kept as a hash.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import duckdb

from ingest.formats import sql
from ingest.formats.base import Field, Format, Head, JsonLinesFormat, stage_json_records
from ingest.formats.readers import read_json_documents, require_page_key

# Attributes and events that carry prompt or completion text (current and deprecated names).
CONTENT_ATTRIBUTES = (
    "gen_ai.prompt",
    "gen_ai.completion",
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.tool.call.arguments",
    "gen_ai.tool.call.result",
    "gen_ai.tool.definitions",
)

FIELDS = (
    Field("trace_id", "$.trace_id|$.traceId|$.context.trace_id", not_null=True),
    Field("span_id", "$.span_id|$.spanId|$.context.span_id", required=True, not_null=True),
    Field("parent_span_id", "$.parent_span_id|$.parentSpanId|$.parent_id"),
    Field("span_name", "$.name"),
    Field("span_kind", "$.kind"),
    Field(
        "start_time",
        "$.start_time|$.startTimeUnixNano|$.start_time_unix_nano|$.startTime",
        "timestamp",
        required=True,
        not_null=True,
    ),
    Field("end_time", "$.end_time|$.endTimeUnixNano|$.end_time_unix_nano|$.endTime", "timestamp"),
    Field("status_code", "$.status.code|$.status.status_code|$.status_code"),
    Field("attributes", "$.attributes", "json", required=True),
    Field("resource_attributes", "$.resource.attributes|$.resource_attributes", "json"),
    Field("scope_name", "$.scope.name|$.instrumentation_scope.name|$.scope_name"),
)


def _system_instructions(source: Callable[[str], str]) -> dict[str, str]:
    attrs = f"cast({source('$.attributes')} as json)"
    # The newer convention has a dedicated attribute; older instrumentations put the system
    # message first in gen_ai.input.messages / gen_ai.prompt (as a JSON string).
    dedicated = f"json_extract_string({attrs}, '$.\"gen_ai.system_instructions\"')"
    # The current convention writes a JSON array of parts: hash their text, as the gateway
    # formats hash the plain system message, so one prompt has one hash whatever the source.
    parts = f"cast(json_extract({dedicated}, '$[*]') as json[])"
    instructions = (
        f"case when json_valid({dedicated}) and json_type(cast({dedicated} as json)) = 'ARRAY'"
        f" then array_to_string(list_transform(list_filter({parts},"
        f" lambda p: p ->> 'type' = 'text'), lambda p: p ->> 'content'), chr(10))"
        f" else {dedicated} end"
    )
    from_messages = []
    for key in ("gen_ai.input.messages", "gen_ai.prompt"):
        messages = f"json_extract_string({attrs}, '$.\"{key}\"')"
        from_messages.append(
            sql.system_prompt_sha256(
                f"case when json_valid({messages}) then cast({messages} as json) end"
            )
        )
    return {
        "system_prompt_sha256": (
            f"coalesce(sha256(nullif({instructions}, '')), {', '.join(from_messages)})"
        )
    }


class _OtelSpans(Format):
    table = "otel_genai_spans"
    fields = FIELDS
    derived: ClassVar[dict[str, str]] = {"system_prompt_sha256": "VARCHAR"}

    def derived_exprs(self, source: Callable[[str], str]) -> dict[str, str]:
        return _system_instructions(source)

    def clean_record(self, rec: str) -> str:
        patch = json.dumps(
            {"attributes": {k: None for k in CONTENT_ATTRIBUTES}, "events": None}
        )
        # Some instrumentations (OpenLLMetry) index the content: gen_ai.prompt.0.content.
        indexed = sql.literal(
            "^(" + "|".join(re.escape(k) for k in CONTENT_ATTRIBUTES) + r")\."
        )
        dynamic = (
            f"json_object('attributes', coalesce((select json_group_object(k, null)"
            f" from unnest(json_keys({rec}, '$.attributes')) as a(k)"
            f" where regexp_matches(k, {indexed})), '{{}}'))"
        )
        return f"json_merge_patch({rec}, {sql.literal(patch)}, {dynamic})"


class OtelFlatSpans(_OtelSpans, JsonLinesFormat):
    """One span per line with an ``attributes`` object (SDK console exporter, trace stores)."""

    name = "otel_genai_spans_jsonl"
    description = "OpenTelemetry GenAI spans as JSON lines with an attributes object"

    def sniff(self, head: Head) -> bool:
        try:
            first = json.loads(head.first_line)
        except ValueError:
            return False
        if not isinstance(first, dict) or "resourceSpans" in first:
            return False
        attrs = first.get("attributes")
        return isinstance(attrs, dict) and any(str(k).startswith("gen_ai.") for k in attrs)


# Flatten OTLP key/value attribute lists into one JSON object per span. OTLP JSON writes
# int64 values as strings; they stay text here and are cast in staging.
_KV = """(
    select json_group_object(kv ->> 'key', coalesce(
        kv -> '$.value.stringValue', kv -> '$.value.intValue', kv -> '$.value.doubleValue',
        kv -> '$.value.boolValue', kv -> '$.value.arrayValue', kv -> '$.value.kvlistValue'))
    from unnest(cast(json_extract({src}, '$[*]') as json[])) as a(kv)
)"""

OTLP_RECORDS = f"""
    with resources as (
        select _page_number, r.rs, r.i as resource_index
        from pages, unnest(cast(json_extract(page, '$.resourceSpans[*]') as json[]))
            with ordinality as r(rs, i)
    ), scopes as (
        select _page_number, resource_index, rs, s.ss, s.j as scope_index
        from resources, unnest(cast(json_extract(rs, '$.scopeSpans[*]') as json[]))
            with ordinality as s(ss, j)
    ), spans as (
        select _page_number, resource_index, scope_index, rs, ss, p.span, p.k as span_index
        from scopes, unnest(cast(json_extract(ss, '$.spans[*]') as json[]))
            with ordinality as p(span, k)
    )
    select
        row_number() over (
            order by _page_number, resource_index, scope_index, span_index) as _row_number,
        cast(json_merge_patch(span, json_object(
            'attributes', {_KV.format(src="span -> '$.attributes'")},
            'resource', json_object(
                'attributes', {_KV.format(src="rs -> '$.resource.attributes'")}),
            'scope', ss -> '$.scope',
            'events', null
        )) as varchar) as rec
    from spans
"""


class OtelOtlpJson(_OtelSpans):
    """The OTLP JSON shape (``resourceSpans`` → ``scopeSpans`` → ``spans``), one export
    request per file or per line, as the collector's file exporter writes it."""

    name = "otel_genai_spans_otlp"
    description = "OpenTelemetry spans in OTLP JSON (file exporter)"

    def sniff(self, head: Head) -> bool:
        return head.looks_like_json() and '"resourceSpans"' in head.text[:4096]

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        read_json_documents(con, path, label)
        require_page_key(con, "resourceSpans", label, self.name)
        stage_json_records(con, self, OTLP_RECORDS, label)
