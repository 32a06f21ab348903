"""OpenTelemetry GenAI spans: the OTLP JSON file-exporter shape and flat span JSON lines.

Both land in one table with the span's attributes flattened to a JSON object
(``{"gen_ai.request.model": "gpt-4o", …}``), so owner-tag keys chosen by each team can be read
in SQL. Message content attributes never land; the system instructions are kept as a hash.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import duckdb

from ingest.formats import privacy, sql
from ingest.formats.base import Field, Format, Head, JsonLinesFormat, stage_json_records
from ingest.formats.readers import _quote, read_json_documents, require_page_key

# Attribute prefixes of the LLM span schemes read: GenAI conventions, OpenInference,
# Traceloop, the Vercel AI SDK.
SPAN_PREFIXES = ("gen_ai.", "llm.", "openinference.", "traceloop.", "ai.")

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
    # JSON strings holding a messages array: GenAI conventions, the Vercel AI SDK, and
    # OpenInference's input.value (the request body, messages inside it).
    for key, path in (
        ("gen_ai.input.messages", "$"),
        ("gen_ai.prompt", "$"),
        ("ai.prompt.messages", "$"),
        ("input.value", "$.messages"),
        ("traceloop.entity.input", "$.messages"),
    ):
        messages = f"json_extract_string({attrs}, '$.\"{key}\"')"
        from_messages.append(
            sql.system_prompt_sha256(
                f"case when json_valid({messages})"
                f" then json_extract(cast({messages} as json), '{path}') end"
            )
        )
    # Indexed schemes: OpenInference llm.input_messages.N.message.role/content and
    # Traceloop gen_ai.prompt.N.role/content; the Vercel AI SDK's ai.prompt {"system": …}.
    for role_pattern, role_suffix, content_suffix in (
        (r"^llm\.input_messages\.[0-9]+\.message\.role$", ".message.role", ".message.content"),
        (r"^gen_ai\.prompt\.[0-9]+\.role$", ".role", ".content"),
    ):
        role_key = (
            f"list_filter(json_keys({attrs}), lambda k: regexp_matches(k, '{role_pattern}')"
            f" and json_extract_string({attrs}, '$.\"' || k || '\"') = 'system')[1]"
        )
        content = (
            f"json_extract_string({attrs}, '$.\"' || replace({role_key},"
            f" '{role_suffix}', '{content_suffix}') || '\"')"
        )
        from_messages.append(f"sha256(nullif({content}, ''))")
    vercel = f"json_extract_string({attrs}, '$.\"ai.prompt\"')"
    from_messages.append(
        f"sha256(nullif(case when json_valid({vercel})"
        f" then json_extract_string(cast({vercel} as json), '$.system') end, ''))"
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

    def clean_json(self, column: str, value: str) -> str:
        # Attributes by key, in every scheme privacy.SPAN_TEXT_KEYS knows, including indexed
        # forms (gen_ai.prompt.0.content, llm.input_messages.0.message.content).
        if column != "attributes":
            return value
        text_keys = sql.literal(privacy.span_text_key_pattern())
        # OpenInference writes its `metadata` attribute as a string of JSON: parsed here, so
        # the owner tags in it are a plain JSON path on every engine.
        parsed = (
            "case when k = 'metadata' and json_type(v) = 'VARCHAR' and json_valid(v ->> '$')"
            " and json_type(cast(v ->> '$' as json)) = 'OBJECT' then cast(v ->> '$' as json)"
            " else v end"
        )
        return privacy.filter_keys(value, f"not regexp_matches(k, {text_keys})", parsed)

    def clean_record(self, rec: str) -> str:
        # Events carry the conversation in older conventions: they never land.
        kept = self.clean_json("attributes", f"json_extract({rec}, '$.attributes')")
        return (
            f"json_merge_patch(json_merge_patch({rec},"
            f" '{{\"attributes\": null, \"events\": null}}'),"
            f" json_object('attributes', {kept}))"
        )

    def guard(self, column: str, value: str, pol: privacy.Policy) -> tuple[str, str]:
        if column in ("attributes", "resource_attributes"):
            return privacy.guard_flat(
                value, pol.max_unknown_text_chars, privacy.span_known_keys(),
                pol.keep_only_known_keys,
            )
        return super().guard(column, value, pol)


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
        return isinstance(attrs, dict) and any(str(k).startswith(SPAN_PREFIXES) for k in attrs)


# Flatten OTLP key/value attribute lists into one JSON object per span. OTLP JSON writes
# int64 values as strings; they stay text here and are cast in staging.
# An array value becomes a plain JSON array of its scalars (OpenInference's tag.tags), as the
# SDK's console exporter writes it.
_KV = """(
    select json_group_object(kv ->> 'key', coalesce(
        kv -> '$.value.stringValue', kv -> '$.value.intValue', kv -> '$.value.doubleValue',
        kv -> '$.value.boolValue',
        case when (kv -> '$.value.arrayValue') is not null then to_json(list_transform(
            coalesce(cast(json_extract(kv, '$.value.arrayValue.values[*]') as json[]), []),
            lambda v: coalesce(v -> '$.stringValue', v -> '$.intValue', v -> '$.doubleValue',
                               v -> '$.boolValue', v))) end,
        kv -> '$.value.kvlistValue'))
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


class OtelConsoleSpans(_OtelSpans):
    """The OpenTelemetry SDK's ConsoleSpanExporter output: one pretty-printed JSON object per
    span, written one after another (not JSON lines), ids as ``0x``-prefixed hex."""

    name = "otel_genai_spans_console"
    description = "OpenTelemetry SDK console exporter output (concatenated span JSON objects)"

    def sniff(self, head: Head) -> bool:
        text = head.text.lstrip("\ufeff").lstrip()
        return (
            text.startswith(("{", "["))
            and '"context"' in text[:4096]
            and '"span_id"' in text[:4096]
            and '"attributes"' in text
        )

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        # DuckDB's reader splits concatenated documents; a broken one refuses the file.
        con.execute(
            f"""
            create or replace temp table pages as
            select row_number() over () as _page_number, json as page
            from read_json({_quote(path)}, format = 'unstructured', records = false,
                           maximum_object_size = 67108864)
            """
        )
        stage_json_records(
            con,
            self,
            """select row_number() over (order by _page_number, i) as _row_number,
                      cast(s as varchar) as rec
               from pages, unnest(case when json_type(page) = 'ARRAY'
                                       then cast(json_extract(page, '$[*]') as json[])
                                       else [page] end) with ordinality as u(s, i)""",
            label,
        )
