"""Landing: nothing partial, once per content, bad files refused with a message that names
what is wrong, and no prompt or response text anywhere in the warehouse."""

import csv
import gzip
import hashlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingest import landing
from ingest.errors import AiledgerError
from ingest.landing import expand, land_file, land_paths
from ingest.warehouse import connect

FIXTURES = Path(__file__).parents[1] / "fixtures"
SPEND_CSV = FIXTURES / "litellm" / "spend_logs.csv"
SPEND_JSONL = FIXTURES / "litellm" / "spend_logs.jsonl"
STANDARD = FIXTURES / "litellm" / "standard_logging.jsonl"
OTLP = FIXTURES / "otel" / "otlp_single.json"
OTLP_TWO = FIXTURES / "otel" / "otlp_two_requests.jsonl"
FLAT = FIXTURES / "otel" / "spans.jsonl"
BAD = FIXTURES / "bad"
GATEWAY_FIXTURES = [SPEND_CSV, SPEND_JSONL, STANDARD, OTLP, OTLP_TWO, FLAT]

# Text that appears only inside messages / response / proxy_server_request and the OTel
# content attributes and events of the fixtures.
MARKERS = [
    "SECRET-",
    "secret prompt text",
    "never arrived",
    "let me check",
    "helpful support assistant",
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "ailedger.duckdb"


@pytest.fixture
def con(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(warehouse)
    yield con
    con.close()


def raw_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables()"
            " where database_name = current_database() and schema_name = 'raw'"
            " and not starts_with(table_name, '_')"
        ).fetchall()
    ]
    return {t: con.execute(f'select count(*) from raw."{t}"').fetchall()[0][0] for t in tables}


def ledger(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select source_file, status, rows_landed, rows_rejected, message from raw._loads"
        " order by finished_at"
    ).fetchall()


def rejects(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select row_number, column_name, reason, raw_row from raw._rejects order by row_number"
    ).fetchall()


def spend_log_rows() -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(SPEND_CSV.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


def write_spend_logs(path: Path, n: int, negative: set[int] = frozenset(),
                     marker: str = "") -> Path:
    """A SpendLogs CSV of ``n`` requests cycling the fixture's rows; rows in ``negative``
    (1-based) carry negative prompt_tokens, and ``marker`` is put in their messages."""
    header, templates = spend_log_rows()
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    for i in range(1, n + 1):
        row = dict(templates[(i - 1) % len(templates)], request_id=f"req-{i:04d}")
        if i in negative:
            row["prompt_tokens"] = "-5"
            row["messages"] = json.dumps(
                [{"role": "system", "content": f"{marker} system"},
                 {"role": "user", "content": f"{marker} user"}])
            row["response"] = json.dumps({"choices": [{"message": {"content": marker}}]})
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def assert_refused(con: duckdb.DuckDBPyConnection, result: landing.LoadResult,
                   before: dict[str, int], *fragments: str) -> None:
    assert result.status == "refused", result
    assert result.rows_landed == 0
    for fragment in fragments:
        assert fragment in result.message
    assert raw_counts(con) == before
    last = ledger(con)[-1]
    assert last[:3] == (result.path, "refused", 0)
    assert last[4] == result.message


# --- prompts and responses never land --------------------------------------------------------


def scan_for_markers(warehouse: Path) -> list[tuple[str, str, str]]:
    """(table, column, marker) for every text or JSON value holding a marker, in every table
    of the warehouse file."""
    found = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = con.execute(
            "select schema_name, table_name, column_name from duckdb_columns()"
            " where database_name = current_database() and not internal"
            " and (data_type = 'VARCHAR' or data_type = 'JSON')"
        ).fetchall()
        assert len(columns) > 50  # the raw tables and the ledger were all scanned
        for schema, table, column in columns:
            for marker in MARKERS:
                hits = con.execute(
                    f'select count(*) from "{schema}"."{table}"'
                    f' where contains(cast("{column}" as varchar), ?)',
                    [marker],
                ).fetchall()[0][0]
                if hits:
                    found.append((f"{schema}.{table}", column, marker))
    return found


def test_fixtures_really_carry_the_markers() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in GATEWAY_FIXTURES)
    for marker in MARKERS:
        assert marker in text
    for key in ("gen_ai.input.messages", "gen_ai.system_instructions", "gen_ai.prompt",
                "proxy_server_request", "gen_ai.content.prompt"):
        assert key in text


def test_no_prompt_or_response_text_anywhere_in_the_warehouse(
    con: duckdb.DuckDBPyConnection, warehouse: Path, tmp_path: Path
) -> None:
    for path in GATEWAY_FIXTURES:
        assert land_file(con, path).status == "landed"
    # A rejected row, and a truncated record, whose text would otherwise reach raw._rejects.
    rejected = write_spend_logs(tmp_path / "rejected.csv", 5, {3}, "SECRET-REJECTED-ROW")
    assert land_file(con, rejected, max_reject_ratio=0.5).rows_rejected == 1
    truncated = tmp_path / "truncated.jsonl"
    lines = SPEND_JSONL.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record = {"messages": record.pop("messages"), **record, "request_id": "req-cut"}
    # Cut in the middle of the file: a whole-but-bad record, rejected (a cut last line
    # refuses the file as truncated).
    cut = json.dumps(record)[:300]
    truncated.write_text(f"{lines[0]}\n{cut}\n{lines[2]}\n", encoding="utf-8")
    assert land_file(con, truncated, max_reject_ratio=0.9).rows_rejected == 1
    for source, key in ((SPEND_JSONL, "request_id"), (STANDARD, "id")):
        records = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
        for record in records:
            record[key] += "-rejected"
        records[0]["prompt_tokens"] = -5
        records[0]["messages"][-1]["content"] = "SECRET-REJECTED-JSON"
        path = tmp_path / f"rejected_{source.name}"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        result = land_file(con, path, max_reject_ratio=0.5)
        assert (result.status, result.rows_rejected) == ("landed", 1), result.message
    assert con.execute("select count(*) from raw._rejects").fetchall() == [(4,)]
    # And a refused file, whose message lands in raw._loads.
    refused = write_spend_logs(tmp_path / "refused.csv", 3, {1, 2, 3}, "SECRET-REFUSED-FILE")
    assert land_file(con, refused).status == "refused"
    con.execute("checkpoint")
    con.close()

    assert scan_for_markers(warehouse) == []
    content = warehouse.read_bytes()
    assert not [m for m in MARKERS if m.encode() in content]


def test_rejected_row_keeps_its_fields_but_not_its_conversation(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_spend_logs(tmp_path / "one_bad.csv", 5, {2}, "SECRET-REJECTED-ROW")
    result = land_file(con, path, max_reject_ratio=0.5)
    assert (result.rows_landed, result.rows_rejected) == (4, 1)
    [(row, column, reason, raw_row)] = rejects(con)
    assert (row, column) == (2, "prompt_tokens")
    assert "negative" in reason
    # raw_row is the record as JSON, cut at 1000 characters.
    assert raw_row.startswith('{"request_id":"req-0002",')
    assert '"prompt_tokens":"-5"' in raw_row
    assert not [k for k in ("messages", "response", "proxy_server_request") if f'"{k}"' in raw_row]
    assert "SECRET-" not in raw_row


def test_system_prompt_sha256_is_the_sha256_of_the_system_message(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    system = "SECRET-HASHED: you are terse. Ünïcödé ✓"
    path = write_spend_logs(tmp_path / "hashed.csv", 2)
    text = path.read_text(encoding="utf-8").replace(
        "You are a helpful support assistant for Acme. Answer briefly.", system)
    path.write_text(text, encoding="utf-8")
    assert land_file(con, path).status == "landed"
    hashes = {r[0] for r in con.execute(
        "select system_prompt_sha256 from raw.litellm_spend_logs").fetchall()}
    assert hashes == {hashlib.sha256(system.encode()).hexdigest()}


# --- bad input -------------------------------------------------------------------------------


def test_truncated_jsonl_is_refused_naming_file_and_row(con: duckdb.DuckDBPyConnection) -> None:
    land_file(con, SPEND_CSV)
    before = raw_counts(con)
    path = BAD / "spend_logs_truncated.jsonl"
    result = land_file(con, path)
    assert_refused(con, result, before, str(path), "line 4", "cut off")
    assert "truncated after 3 whole records" in result.message
    assert rejects(con) == []


def test_truncated_otlp_document_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    land_file(con, FLAT)
    before = raw_counts(con)
    path = BAD / "otlp_truncated.json"
    result = land_file(con, path)
    assert result.format == "otel_genai_spans_otlp"
    assert_refused(con, result, before, str(path), "not valid JSON")


def test_raising_max_reject_ratio_lands_the_good_rows(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # The cut record moved to the middle: a malformed record, not a truncated file.
    *whole, cut = (BAD / "spend_logs_truncated.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "bad_record.jsonl"
    path.write_text("\n".join([whole[0], cut, *whole[1:]]) + "\n", encoding="utf-8")
    result = land_file(con, path, max_reject_ratio=0.5)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 3, 1)
    assert raw_counts(con) == {"litellm_spend_logs": 3}
    [(row, column, reason, raw_row)] = rejects(con)
    assert (row, column, raw_row) == (2, None, None)
    assert "not valid JSON" in reason
    assert ledger(con)[-1][1:4] == ("landed", 3, 1)


@pytest.mark.parametrize(
    ("format_name", "fragment"),
    [
        ("litellm_spend_logs_csv", "required column 'request_id' is missing"),
        ("litellm_spend_logs_jsonl", "required field '$.\"request_id\"' appears in no record"),
        ("otel_genai_spans_otlp", "required key 'resourceSpans' appears in no document"),
    ],
)
def test_another_format_forced_is_refused(
    con: duckdb.DuckDBPyConnection, format_name: str, fragment: str
) -> None:
    land_file(con, SPEND_CSV)
    before = raw_counts(con)
    path = BAD / "openai_costs_page.json"
    result = land_file(con, path, format_name=format_name)
    assert_refused(con, result, before, str(path), fragment)
    # The refusal does not mark the content as landed: the right format can still load it.
    assert land_file(con, path).status != "already_landed"


def test_csv_missing_a_required_column_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    path = BAD / "spend_logs_missing_spend.csv"
    result = land_file(con, path)
    assert result.format == "litellm_spend_logs_csv"
    assert_refused(con, result, {}, str(path), "required column 'spend' is missing")


def test_non_utf8_file_is_refused_naming_the_line(con: duckdb.DuckDBPyConnection) -> None:
    land_file(con, SPEND_JSONL)
    before = raw_counts(con)
    path = BAD / "spend_logs_latin1.csv"
    result = land_file(con, path)
    assert_refused(con, result, before, str(path), "line 3", "not valid UTF-8")


def test_unknown_format_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    path = BAD / "unrelated.csv"
    result = land_file(con, path)
    assert result.format is None
    assert_refused(con, result, {}, str(path), "unknown format")


def test_unknown_format_name_is_refused(con: duckdb.DuckDBPyConnection) -> None:
    result = land_file(con, SPEND_CSV, format_name="litellm_spendlogs")
    assert_refused(con, result, {}, "unknown format 'litellm_spendlogs'")


def test_one_negative_count_in_200_rows_rejects_only_that_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_spend_logs(tmp_path / "spend_200.csv", 200, {137})
    result = land_file(con, path)
    assert (result.status, result.rows_landed, result.rows_rejected) == ("landed", 199, 1)
    assert raw_counts(con) == {"litellm_spend_logs": 199}
    [(row, column, reason, raw_row)] = rejects(con)
    assert (row, column) == (137, "prompt_tokens")
    assert "negative" in reason and "-5" in reason
    assert raw_row.startswith('{"request_id":"req-0137",')
    assert con.execute(
        "select count(*) from raw.litellm_spend_logs where request_id = 'req-0137'"
    ).fetchall() == [(0,)]


def test_negative_counts_in_most_rows_refuse_the_file(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = write_spend_logs(tmp_path / "mostly_bad.csv", 10, set(range(2, 10)))
    result = land_file(con, path)
    assert_refused(con, result, {}, str(path), "8 of 10 records rejected", "row 2",
                   "'prompt_tokens'", "negative")
    assert rejects(con) == []


@pytest.mark.parametrize("source", [SPEND_CSV, SPEND_JSONL, OTLP, FLAT], ids=lambda p: p.name)
def test_a_byte_order_mark_is_not_an_error(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                           source: Path) -> None:
    path = tmp_path / f"bom_{source.name}"
    path.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    result = land_file(con, path)
    assert (result.status, result.rows_rejected) == ("landed", 0), result.message
    assert result.rows_landed == {SPEND_CSV: 5, SPEND_JSONL: 5, OTLP: 2, FLAT: 2}[source]


# --- once per content ------------------------------------------------------------------------


def test_same_file_twice_is_already_landed(con: duckdb.DuckDBPyConnection,
                                           tmp_path: Path) -> None:
    assert land_file(con, SPEND_CSV).rows_landed == 5
    before, loads = raw_counts(con), ledger(con)
    copy = tmp_path / "renamed_copy.csv"
    shutil.copy(SPEND_CSV, copy)
    for path in (SPEND_CSV, copy):
        result = land_file(con, path)
        assert result.status == "already_landed"
        assert str(SPEND_CSV) in result.message
    assert raw_counts(con) == before == {"litellm_spend_logs": 5}
    assert ledger(con) == loads


def test_gzip_copy_of_a_landed_file_is_already_landed(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    assert land_file(con, STANDARD).rows_landed == 4
    gz = tmp_path / "standard_logging.jsonl.gz"
    gz.write_bytes(gzip.compress(STANDARD.read_bytes()))
    result = land_file(con, gz)
    assert result.status == "already_landed"
    assert raw_counts(con) == {"litellm_standard_logging": 4}


def test_gzip_file_lands_and_hashes_the_decompressed_content(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    gz = tmp_path / "spend_logs.csv.gz"
    gz.write_bytes(gzip.compress(SPEND_CSV.read_bytes()))
    result = land_file(con, gz)
    assert (result.status, result.format, result.rows_landed) == (
        "landed", "litellm_spend_logs_csv", 5)
    sha = con.execute("select sha256 from raw._loads").fetchall()[0][0]
    assert sha == hashlib.sha256(SPEND_CSV.read_bytes()).hexdigest()
    assert land_file(con, SPEND_CSV).status == "already_landed"
    assert raw_counts(con) == {"litellm_spend_logs": 5}


def test_corrupt_gzip_is_refused(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    gz = tmp_path / "cut.jsonl.gz"
    gz.write_bytes(gzip.compress(STANDARD.read_bytes())[:-40])
    result = land_file(con, gz)
    assert_refused(con, result, {}, str(gz), "gzip")


# --- atomicity -------------------------------------------------------------------------------


def test_failure_inside_the_commit_leaves_nothing(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert land_file(con, SPEND_JSONL).status == "landed"
    before = raw_counts(con)
    record = landing._record

    def failing_record(con, load_id, sha, result, started):
        if result.status == "landed":
            raise AiledgerError("simulated failure while writing the ledger")
        record(con, load_id, sha, result, started)

    monkeypatch.setattr(landing, "_record", failing_record)
    path = write_spend_logs(tmp_path / "atomic.csv", 10, {4})  # rows and a reject to write
    result = land_file(con, path, max_reject_ratio=0.2)
    assert_refused(con, result, before, "simulated failure")
    assert con.execute(
        "select count(*) from raw.litellm_spend_logs where _source_file = ?", [str(path)]
    ).fetchall() == [(0,)]
    assert rejects(con) == []
    # The transaction was rolled back, not left open: the connection takes new work.
    monkeypatch.setattr(landing, "_record", record)
    assert land_file(con, path, max_reject_ratio=0.2).status == "landed"
    assert raw_counts(con) == {"litellm_spend_logs": before["litellm_spend_logs"] + 9}


def test_failure_inside_the_commit_of_a_new_table_creates_nothing(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_record(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(landing, "_record", failing_record)
    with pytest.raises(RuntimeError, match="disk full"):
        land_file(con, OTLP)
    assert raw_counts(con) == {}
    assert ledger(con) == []
    assert not con.execute(
        "select * from duckdb_tables() where temporary and starts_with(table_name, 'incoming')"
    ).fetchall()


# --- folders ---------------------------------------------------------------------------------


def test_land_paths_expands_nested_folders_and_skips_hidden_files(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    # The root itself sits under a hidden folder: only names below it count as hidden.
    root = tmp_path / ".exports" / "july"
    (root / "gateway" / "otel" / "2026-07-10").mkdir(parents=True)
    (root / ".staging").mkdir()
    shutil.copy(SPEND_CSV, root / "spend_logs.csv")
    shutil.copy(STANDARD, root / "gateway" / "standard_logging.jsonl")
    shutil.copy(OTLP_TWO, root / "gateway" / "otel" / "2026-07-10" / "traces.jsonl")
    (root / "gateway" / ".hidden.jsonl").write_bytes(FLAT.read_bytes())
    (root / ".staging" / "otlp.json").write_bytes(OTLP.read_bytes())

    seen = []
    results = land_paths(con, [root], on_file=lambda path, result: seen.append(result))
    assert [(Path(r.path).relative_to(root).as_posix(), r.status, r.rows_landed)
            for r in results] == [
        ("gateway/otel/2026-07-10/traces.jsonl", "landed", 3),
        ("gateway/standard_logging.jsonl", "landed", 4),
        ("spend_logs.csv", "landed", 5),
    ]  # fmt: skip
    assert seen.count(None) == 3 and len(seen) == 6
    assert raw_counts(con) == {
        "litellm_spend_logs": 5, "litellm_standard_logging": 4, "otel_genai_spans": 3}

    again = land_paths(con, [root])
    assert [r.status for r in again] == ["already_landed"] * 3
    assert raw_counts(con) == {
        "litellm_spend_logs": 5, "litellm_standard_logging": 4, "otel_genai_spans": 3}


def test_expand_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(AiledgerError, match="no such file or folder"):
        expand([tmp_path / "nope"])
