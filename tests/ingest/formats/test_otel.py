"""OpenTelemetry GenAI spans: the OTLP JSON file-exporter shape (one or several export requests)
and flat span JSON lines (SDK console exporter style)."""

import hashlib
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from ingest.formats import Head
from ingest.landing import detect, land_file
from ingest.warehouse import connect

FIXTURES = Path(__file__).parents[2] / "fixtures" / "otel"
OTLP = FIXTURES / "otlp_single.json"
OTLP_TWO = FIXTURES / "otlp_two_requests.jsonl"
FLAT = FIXTURES / "spans.jsonl"

CONTENT_KEYS = {
    "gen_ai.input.messages",
    "gen_ai.output.messages",
    "gen_ai.system_instructions",
    "gen_ai.prompt",
    "gen_ai.completion",
}


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "warehouse.duckdb")
    yield con
    con.close()


def land(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    result = land_file(con, path)
    assert result.status == "landed", result.message
    assert result.rows_rejected == 0, result.message
    assert result.table == "otel_genai_spans"
    return result.rows_landed


def spans(con: duckdb.DuckDBPyConnection, expr: str) -> dict:
    return dict(con.execute(f"select span_id, {expr} from raw.otel_genai_spans").fetchall())


def attr(con: duckdb.DuckDBPyConnection, key: str) -> dict:
    return spans(con, f"attributes ->> '$.\"{key}\"'")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (OTLP, "otel_genai_spans_otlp"),
        (OTLP_TWO, "otel_genai_spans_otlp"),
        (FLAT, "otel_genai_spans_jsonl"),
    ],
)
def test_detect_recognises_each_shape(path: Path, name: str) -> None:
    head = Head(path=path, text=path.read_text(encoding="utf-8"))
    assert detect(head, str(path)).name == name


# --- OTLP JSON -------------------------------------------------------------------------------


def test_otlp_spans_are_flattened_one_row_each(con: duckdb.DuckDBPyConnection) -> None:
    assert land(con, OTLP) == 2
    rows = con.execute(
        "select _row_number, trace_id, span_id, parent_span_id, span_name, scope_name"
        " from raw.otel_genai_spans order by _row_number"
    ).fetchall()
    assert rows == [
        (1, "5b8efff798038103d269b633813fc60c", "eee19b7ec3c1b174", "", "chat gpt-4o",
         "opentelemetry.instrumentation.openai_v2"),
        (2, "5b8efff798038103d269b633813fc60c", "a1b2c3d4e5f60718", "eee19b7ec3c1b174",
         "chat claude-3-5-haiku", "opentelemetry.instrumentation.openai_v2"),
    ]  # fmt: skip


def test_otlp_nanosecond_string_times(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    assert spans(con, "start_time")["eee19b7ec3c1b174"] == datetime(2026, 7, 10, 9, 0, 0, 100000)
    assert spans(con, "end_time")["eee19b7ec3c1b174"] == datetime(2026, 7, 10, 9, 0, 1, 350000)
    assert spans(con, "end_time - start_time")["a1b2c3d4e5f60718"].total_seconds() == 0.9


def test_otlp_attribute_values_keep_their_token_counts(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    # intValue is a string in OTLP JSON: the count must survive whatever JSON type it lands as.
    assert attr(con, "gen_ai.usage.input_tokens")["eee19b7ec3c1b174"] == "1200"
    # input_tokens INCLUDES the cache reads; both are kept so staging can subtract.
    assert attr(con, "gen_ai.usage.cache_read.input_tokens")["eee19b7ec3c1b174"] == "800"
    assert attr(con, "gen_ai.usage.output_tokens")["eee19b7ec3c1b174"] == "150"
    # doubleValue stays a number.
    temperature = spans(con, "attributes -> '$.\"gen_ai.request.temperature\"'")
    assert json.loads(temperature["eee19b7ec3c1b174"]) == 0.2


def test_otlp_provider_name_and_legacy_names(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    assert attr(con, "gen_ai.provider.name") == {
        "eee19b7ec3c1b174": "openai", "a1b2c3d4e5f60718": None}
    assert attr(con, "gen_ai.system") == {
        "eee19b7ec3c1b174": None, "a1b2c3d4e5f60718": "anthropic"}
    assert attr(con, "gen_ai.usage.prompt_tokens")["a1b2c3d4e5f60718"] == "400"
    assert attr(con, "gen_ai.usage.completion_tokens")["a1b2c3d4e5f60718"] == "60"


def test_otlp_owner_tags_from_resource_and_span(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    assert set(spans(con, "resource_attributes ->> 'team'").values()) == {"support"}
    assert spans(con, "resource_attributes ->> '$.\"service.name\"'")["eee19b7ec3c1b174"] == (
        "ticket-summarizer")
    assert attr(con, "feature") == {
        "eee19b7ec3c1b174": "ticket-summarize", "a1b2c3d4e5f60718": "ticket-triage"}


def test_otlp_content_attributes_and_events_never_land(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    keys = {k for ks in spans(con, "json_keys(attributes)").values() for k in ks}
    assert "gen_ai.response.id" in keys
    assert not keys & CONTENT_KEYS
    rows = con.execute("select cast(columns(*) as varchar) from raw.otel_genai_spans").fetchall()
    assert not [v for row in rows for v in row if v and "SECRET-" in v]


def test_otlp_system_instructions_hash_is_of_the_text(con: duckdb.DuckDBPyConnection) -> None:
    land(con, OTLP)
    hashes = spans(con, "system_prompt_sha256")
    # gen_ai.system_instructions is a JSON array of text parts: the hash is of the text, so it
    # matches the gateway formats' hash of the same system message.
    assert hashes["eee19b7ec3c1b174"] == sha256(
        "SECRET-SYSTEM-INSTRUCTIONS-OTEL: you summarise support tickets.")
    # Legacy gen_ai.prompt: the system message inside it.
    assert hashes["a1b2c3d4e5f60718"] == sha256("SECRET-LEGACY-SYSTEM-OTEL triage")


def test_otlp_file_with_two_export_requests(con: duckdb.DuckDBPyConnection) -> None:
    assert land(con, OTLP_TWO) == 3
    rows = con.execute(
        "select _row_number, span_id, resource_attributes ->> 'team', attributes ->> 'feature'"
        " from raw.otel_genai_spans order by _row_number"
    ).fetchall()
    assert rows == [
        (1, "b7ad6b7169203331", "search", "semantic-search"),
        (2, "c7ad6b7169203332", "search", "semantic-search"),
        (3, "d7ad6b7169203333", "search", "query-rewrite"),
    ]
    assert attr(con, "gen_ai.usage.reasoning.output_tokens")["d7ad6b7169203333"] == "512"
    assert attr(con, "gen_ai.operation.name")["c7ad6b7169203332"] == "embeddings"


# --- flat span JSON lines --------------------------------------------------------------------


def test_flat_spans_context_ids_and_iso_times(con: duckdb.DuckDBPyConnection) -> None:
    assert land(con, FLAT) == 2
    rows = con.execute(
        "select trace_id, span_id, parent_span_id, span_kind, status_code, start_time, end_time"
        " from raw.otel_genai_spans order by start_time"
    ).fetchall()
    assert rows == [
        ("0x4bf92f3577b34da6a3ce929d0e0e4736", "0x00f067aa0ba902b7", None, "SpanKind.CLIENT",
         "UNSET", datetime(2026, 7, 10, 13, 0, 0, 123456),
         datetime(2026, 7, 10, 13, 0, 2, 654321)),
        ("0x4bf92f3577b34da6a3ce929d0e0e4736", "0x10f067aa0ba902b8", "0x00f067aa0ba902b7",
         "SpanKind.CLIENT", "UNSET", datetime(2026, 7, 10, 13, 0, 3),
         datetime(2026, 7, 10, 13, 0, 5, 500000)),
    ]  # fmt: skip


def test_flat_spans_attributes_and_owner_tags(con: duckdb.DuckDBPyConnection) -> None:
    land(con, FLAT)
    assert attr(con, "gen_ai.usage.input_tokens") == {
        "0x00f067aa0ba902b7": "5000", "0x10f067aa0ba902b8": "1800"}
    assert attr(con, "gen_ai.usage.cache_creation.input_tokens")["0x10f067aa0ba902b8"] == "200"
    assert attr(con, "gen_ai.system")["0x10f067aa0ba902b8"] == "anthropic"
    assert set(spans(con, "resource_attributes ->> 'team'").values()) == {"platform"}
    assert attr(con, "feature") == {
        "0x00f067aa0ba902b7": "agent-plan", "0x10f067aa0ba902b8": "agent-act"}


def test_flat_spans_hash_plain_and_legacy_system_prompts(
    con: duckdb.DuckDBPyConnection,
) -> None:
    land(con, FLAT)
    assert spans(con, "system_prompt_sha256") == {
        "0x00f067aa0ba902b7": sha256("SECRET-FLAT-SYSTEM: plan the user's task step by step."),
        "0x10f067aa0ba902b8": sha256("SECRET-FLAT-LEGACY-SYSTEM act on the plan"),
    }
    keys = {k for ks in spans(con, "json_keys(attributes)").values() for k in ks}
    assert not keys & CONTENT_KEYS


def test_indexed_content_attributes_never_land(con: duckdb.DuckDBPyConnection,
                                               tmp_path: Path) -> None:
    # OpenLLMetry writes one attribute per message part: gen_ai.prompt.0.content, ...
    span = json.loads(FLAT.read_text(encoding="utf-8").splitlines()[0])
    span["attributes"].update({
        "gen_ai.prompt.0.role": "system",
        "gen_ai.prompt.0.content": "SECRET-INDEXED-PROMPT",
        "gen_ai.completion.0.content": "SECRET-INDEXED-COMPLETION",
    })
    path = tmp_path / "openllmetry.jsonl"
    path.write_text(json.dumps(span) + "\n", encoding="utf-8")
    land(con, path)
    attributes = json.loads(spans(con, "attributes")["0x00f067aa0ba902b7"])
    assert not [k for k in attributes if k.startswith(("gen_ai.prompt", "gen_ai.completion"))]
    assert attributes["gen_ai.usage.output_tokens"] == 250  # other attributes are kept


def test_both_shapes_share_one_table(con: duckdb.DuckDBPyConnection) -> None:
    assert land(con, OTLP) + land(con, OTLP_TWO) + land(con, FLAT) == 7
    assert con.execute("select count(distinct span_id) from raw.otel_genai_spans").fetchall() == [
        (7,)]
