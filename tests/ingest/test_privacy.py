"""No conversation text lands anywhere: a marker planted in every place a known scheme puts
prompt, response or tool text is searched for in every column of every table."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.formats import privacy
from ingest.landing import land_file
from ingest.scrub import scrub
from ingest.warehouse import connect

MARKER = "ZQX-PLANTED-PROMPT"
SYSTEM = f"you are a helpful assistant {MARKER}"
LONG = "k" * 300  # an unknown attribute this long is dropped by the size guard

# Every span attribute known to carry text, each holding the marker.
SPAN_TEXT = {
    "input.value": json.dumps({"messages": [{"role": "system", "content": SYSTEM}]}),
    "output.value": MARKER,
    "llm.input_messages.0.message.role": "system",
    "llm.input_messages.0.message.content": SYSTEM,
    "llm.input_messages.1.message.content": MARKER,
    "llm.output_messages.0.message.content": MARKER,
    "llm.invocation_parameters": json.dumps({"tools": [{"description": MARKER}]}),
    "llm.tools.0.tool.json_schema": MARKER,
    "traceloop.entity.input": MARKER,
    "traceloop.entity.output": MARKER,
    "gen_ai.prompt.0.role": "system",
    "gen_ai.prompt.0.content": SYSTEM,
    "gen_ai.completion.0.content": MARKER,
    "ai.prompt": json.dumps({"system": SYSTEM, "prompt": MARKER}),
    "ai.prompt.messages": json.dumps([{"role": "system", "content": SYSTEM}]),
    "ai.response.text": MARKER,
    "gen_ai.input.messages": json.dumps([{"role": "user", "content": MARKER}]),
    "gen_ai.output.messages": json.dumps([{"role": "assistant", "content": MARKER}]),
    "gen_ai.system_instructions": json.dumps([{"type": "text", "content": SYSTEM}]),
    "gen_ai.tool.call.arguments": MARKER,
    "gen_ai.tool.call.result": MARKER,
    "x.next_scheme.prompt": f"{MARKER} {LONG}",
}
SPAN_KEPT = {
    "gen_ai.request.model": "gpt-4o",
    "gen_ai.system": "openai",
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.output_tokens": 5,
    "team": "search",
    "x.short_tag": "blue",
}

# LiteLLM metadata with every member known to carry text.
METADATA = {
    "user_api_key_alias": "key-a",
    "user_api_key_team_alias": "search",
    "spend_logs_metadata": {"feature": "qa"},
    "usage_object": {"prompt_tokens": 10, "completion_tokens": 5},
    "vector_store_request_metadata": [
        {"vector_store_id": "vs-1", "query": MARKER,
         "vector_store_search_response": {"data": [{"content": [{"text": MARKER}]}]}}
    ],
    "guardrail_information": {"guardrail_name": "pii", "guardrail_request": MARKER,
                              "guardrail_response": MARKER},
    "mcp_tool_call_metadata": {"name": "search", "arguments": {"q": MARKER},
                               "result": {"text": MARKER}},
    "prompt_management_metadata": {"prompt_id": "p1", "prompt_variables": {"v": MARKER}},
    "requester_metadata": {"note": f"{MARKER} {LONG}"},
    # LiteLLM 1.110 copies the request body into SpendLogs metadata.
    "proxy_server_request": {"body": {"messages": [{"role": "user", "content": MARKER}]}},
    "error_information": {"error_message": MARKER},
}
MESSAGES = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": MARKER}]


def span(span_id: str, start: str | None) -> dict:
    return {
        "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "span_id": span_id,
        "name": "chat gpt-4o",
        "start_time": start,
        "attributes": {**SPAN_TEXT, **SPAN_KEPT},
        "events": [{"name": "gen_ai.content.prompt", "attributes": {"gen_ai.prompt": MARKER}}],
        "resource": {"attributes": {"service.name": "app", "x.resource_note": f"{MARKER} {LONG}"}},
    }


def otlp(span_id: str) -> dict:
    def kv(attrs: dict) -> list[dict]:
        return [
            {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}
            for k, v in attrs.items()
        ]

    return {"resourceSpans": [{
        "resource": {"attributes": kv({"service.name": "app", "x.note": f"{MARKER} {LONG}"})},
        "scopeSpans": [{"scope": {"name": "openinference.instrumentation.openai"}, "spans": [{
            "traceId": "5b8efff798038103d269b633813fc60c", "spanId": span_id,
            "name": "ChatCompletion",
            "startTimeUnixNano": "1760000000000000000", "endTimeUnixNano": "1760000001000000000",
            "attributes": kv({**SPAN_TEXT, **SPAN_KEPT}),
            "events": [{"name": "x", "attributes": kv({"gen_ai.prompt": MARKER})}],
        }]}],
    }]}


def spend_log(request_id: str, spend: str) -> dict:
    return {
        "request_id": request_id, "call_type": "acompletion", "api_key": "hash", "spend": spend,
        "total_tokens": 15, "prompt_tokens": 10, "completion_tokens": 5,
        "startTime": "2026-07-10 09:00:00", "model": "gpt-4o", "custom_llm_provider": "openai",
        "metadata": json.dumps(METADATA), "request_tags": "[]", "messages": json.dumps(MESSAGES),
        "response": json.dumps({"choices": [{"message": {"content": MARKER}}]}),
        "proxy_server_request": json.dumps({"body": {"messages": MESSAGES}}),
    }


def standard_logging(request_id: str, cost: object) -> dict:
    return {
        "id": request_id, "trace_id": "t-1", "call_type": "acompletion", "response_cost": cost,
        "status": "success", "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
        "startTime": 1783674001.25, "model": "gpt-4o", "metadata": METADATA,
        "request_tags": [], "messages": MESSAGES,
        "response": {"choices": [{"message": {"content": MARKER}}]},
        "model_parameters": {"temperature": 0, "tools": [{"function": {"description": MARKER}}]},
        "guardrail_information": [{"guardrail_response": MARKER}],
        "hidden_params": {"model_id": "m", "additional_headers": {"x": f"{MARKER} {LONG}"}},
        "error_information": {"note": f"{MARKER} {LONG}"},
    }


def write_files(folder: Path) -> list[Path]:
    folder.mkdir()
    files = []
    path = folder / "spans.jsonl"
    # The second span lacks its start time: rejected, its raw row kept.
    path.write_text("\n".join(json.dumps(s) for s in (span("a1", "2025-10-01T10:00:00Z"),
                                                       span("a2", None))) + "\n")
    files.append(path)
    path = folder / "otlp.json"
    path.write_text(json.dumps(otlp("b1")))
    files.append(path)
    path = folder / "spend_logs.csv"
    rows = [spend_log("req-1", "0.01"), spend_log("req-2", "not-a-number")]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())
    files.append(path)
    path = folder / "spend_logs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (spend_log("req-3", "0.01"),
                                                       spend_log("req-4", "x"))) + "\n")
    files.append(path)
    path = folder / "standard_logging.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (standard_logging("slp-1", 0.01),
                                                       standard_logging("slp-2", "x"))) + "\n")
    files.append(path)
    return files


def marker_hits(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every schema.table.column whose text holds the marker anywhere."""
    hits = []
    tables = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_type = 'BASE TABLE'"
    ).fetchall()
    for schema, table in tables:
        cols = con.execute(
            "select column_name from information_schema.columns"
            " where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
        for (col,) in cols:
            found = con.execute(
                f'select count(*) from "{schema}"."{table}"'
                f" where contains(cast(\"{col}\" as varchar), ?)",
                [MARKER],
            ).fetchall()[0][0]
            if found:
                hits.append(f"{schema}.{table}.{col}")
    return hits


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()
    privacy.reset()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_no_marker_in_any_column_of_any_table(con, tmp_path: Path) -> None:
    results = [land_file(con, f, max_reject_ratio=1.0) for f in write_files(tmp_path / "in")]
    assert [r.status for r in results] == ["landed"] * 5, [r.message for r in results]
    assert [(r.rows_landed, r.rows_rejected) for r in results] == [
        (1, 1), (1, 0), (1, 1), (1, 1), (1, 1)
    ]
    assert marker_hits(con) == []
    # Rejected records keep their raw row, cleaned, not nothing.
    kept = con.execute("select count(*) from raw._rejects where raw_row like '%gpt-4o%'")
    assert kept.fetchall()[0][0] == 4


def test_size_guard_counts_what_it_dropped(con, tmp_path: Path) -> None:
    files = write_files(tmp_path / "in")
    # Flat spans: x.next_scheme.prompt and the resource's x.resource_note.
    assert land_file(con, files[0], max_reject_ratio=1.0).values_dropped == 2
    # OTLP: the same attribute and the resource's x.note.
    assert land_file(con, files[1]).values_dropped == 2
    # Standard logging: requester_metadata.note, hidden_params...x, error_information in _extra.
    assert land_file(con, files[4], max_reject_ratio=1.0).values_dropped == 3
    short = con.execute(
        "select attributes ->> '$.\"x.short_tag\"', attributes ->> '$.team'"
        " from raw.otel_genai_spans order by span_id"
    ).fetchall()
    assert short == [("blue", "search"), ("blue", "search")]


def test_system_prompt_hash_is_kept_from_every_scheme(con, tmp_path: Path) -> None:
    want = sha256(SYSTEM)
    only = {
        "input.value": SPAN_TEXT["input.value"],
        "llm.input_messages": {k: v for k, v in SPAN_TEXT.items()
                               if k.startswith("llm.input_messages.0")},
        "gen_ai.prompt.N": {k: v for k, v in SPAN_TEXT.items() if k.startswith("gen_ai.prompt.0")},
        "ai.prompt": SPAN_TEXT["ai.prompt"],
        "ai.prompt.messages": SPAN_TEXT["ai.prompt.messages"],
    }
    lines = []
    for i, (key, value) in enumerate(only.items()):
        attrs = value if isinstance(value, dict) else {key: value}
        lines.append(json.dumps({
            "trace_id": "t", "span_id": f"s{i}", "start_time": "2025-10-01T10:00:00Z",
            "attributes": {**attrs, "gen_ai.request.model": "gpt-4o"},
        }))
    path = tmp_path / "hashes.jsonl"
    path.write_text("\n".join(lines) + "\n")
    assert land_file(con, path).status == "landed"
    got = con.execute(
        "select system_prompt_sha256 from raw.otel_genai_spans order by span_id"
    ).fetchall()
    assert got == [(want,)] * len(only)


def test_allow_list_keeps_only_known_and_owner_keys(con, tmp_path: Path) -> None:
    privacy.configure(keep_only_known_keys=True)
    files = write_files(tmp_path / "in")
    assert land_file(con, files[0], max_reject_ratio=1.0).status == "landed"
    assert land_file(con, files[4], max_reject_ratio=1.0).status == "landed"
    keys = con.execute(
        "select json_keys(attributes) from raw.otel_genai_spans"
    ).fetchall()[0][0]
    assert sorted(keys) == sorted(k for k in SPAN_KEPT if k != "x.short_tag")
    meta = con.execute(
        "select json_keys(metadata), _extra from raw.litellm_standard_logging"
    ).fetchall()[0]
    assert sorted(meta[0]) == sorted(
        ["user_api_key_alias", "user_api_key_team_alias", "spend_logs_metadata", "usage_object"]
    )
    assert meta[1] is None


def test_scrub_removes_text_landed_before_the_rules(con, tmp_path: Path) -> None:
    files = write_files(tmp_path / "in")
    for f in files:
        land_file(con, f, max_reject_ratio=1.0)
    # What an older ailedger left behind: the text in attributes, metadata, _extra, raw rows.
    con.execute(
        "update raw.otel_genai_spans set attributes = json_merge_patch(attributes, ?)",
        [json.dumps(SPAN_TEXT)],
    )
    con.execute(
        "update raw.litellm_spend_logs set metadata = ?", [json.dumps(METADATA)]
    )
    con.execute(
        "update raw.litellm_standard_logging set _extra = ?",
        [json.dumps({"guardrail_information": MARKER, "note": f"{MARKER} {LONG}"})],
    )
    con.execute(
        "update raw._rejects set raw_row = ? where raw_table = 'litellm_spend_logs'",
        [json.dumps(spend_log("req-2", "x"))],
    )
    con.execute(
        "update raw._rejects set raw_row = ? where raw_table = 'otel_genai_spans'",
        [json.dumps(span("a2", None))],
    )
    assert len(marker_hits(con)) == 4
    result = scrub(con)
    assert marker_hits(con) == []
    assert result.rows_changed["otel_genai_spans"] == 2
    assert result.rows_changed["litellm_spend_logs"] == 2
    # What models read survives.
    kept = con.execute(
        "select metadata ->> '$.user_api_key_team_alias',"
        " metadata ->> '$.usage_object.prompt_tokens' from raw.litellm_spend_logs"
    ).fetchall()
    assert kept == [("search", "10"), ("search", "10")]
    # A second scrub finds nothing left to do in the raw tables.
    again = scrub(con).rows_changed
    assert sum(n for t, n in again.items() if not t.startswith("_rejects")) == 0
    assert marker_hits(con) == []
