"""A corpus of messy and hostile inputs, each with the behaviour the README promises.

Every case states its promise and checks it strictly: the status, the exact number of rows
landed and rejected, the row and column of a reject, the words of a refusal, and that a
refused file left nothing in raw.* but its ledger row.
"""

from __future__ import annotations

import errno
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest import landing
from ingest.cli import main
from ingest.errors import EXIT_WAREHOUSE_FAULT, AiledgerError
from ingest.landing import land_file, land_paths
from ingest.unland import unland
from ingest.warehouse import connect

FIXTURES = Path(__file__).parents[1] / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SPEND_CSV = FIXTURES / "litellm" / "spend_logs.csv"
SLP = FIXTURES / "litellm" / "standard_logging.jsonl"
SPANS = FIXTURES / "otel" / "spans.jsonl"
COSTS = FIXTURES / "openai" / "costs_pages.jsonl"
USAGE_PAGES = FIXTURES / "openai" / "usage_completions_pages.json"
DEEP = "[" * 5000 + "]" * 5000
CUT_EURO = "€".encode()[:2]  # the first two of the euro sign's three bytes


# --- material -------------------------------------------------------------------------------


def csv_lines() -> list[str]:
    return SPEND_CSV.read_text(encoding="utf-8").splitlines()


def slp_records() -> list[dict]:
    return [json.loads(line) for line in SLP.read_text(encoding="utf-8").splitlines()]


def span_records() -> list[dict]:
    return [json.loads(line) for line in SPANS.read_text(encoding="utf-8").splitlines()]


def jsonl(records: list[dict | str]) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def with_value(records: list[dict], index: int, key: str, value: object) -> list[dict]:
    changed = [dict(r) for r in records]
    changed[index][key] = value
    return changed


def csv_with(row: int, column: str, value: str) -> str:
    """The spend-logs CSV with one cell replaced (``row`` 1-based, after the header)."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(SPEND_CSV.read_text(encoding="utf-8"))))
    rows[row][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- the cases ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it and what landing promises to do with it."""

    name: str
    promise: str
    make: Callable[[Path], Path]
    status: str
    rows: int = 0
    rejected: int = 0
    says: tuple[str, ...] = ()
    reject: tuple[int, str | None, str] | None = None  # row, column, words of the reason
    ratio: float = 0.01
    format_name: str | None = None
    check: Callable[[duckdb.DuckDBPyConnection, Path], None] | None = None


def text_file(name: str, text: str) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_text(text, encoding="utf-8", newline="")
        return path

    return make


def bytes_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    return make


def gzip_file(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(gzip.compress(data, compresslevel=1))
        return path

    return make


def raw_value(table: str, column: str, where: str) -> Callable:
    """A check that one landed value is exactly what the file said."""

    def check(con: duckdb.DuckDBPyConnection, expected: object) -> None:
        rows = con.execute(f'select "{column}" from raw.{table} where {where}').fetchall()
        assert rows == [(expected,)]

    return check


def extra_holds(con: duckdb.DuckDBPyConnection, row_id: str, key: str, value: object) -> None:
    [(extra,)] = con.execute(
        "select _extra from raw.litellm_standard_logging where id = ?", [row_id]
    ).fetchall()
    assert json.loads(extra)[key] == value


def check_value(table: str, column: str, where: str, expected: object) -> Callable:
    return lambda con, path: raw_value(table, column, where)(con, expected)


CSV = SPEND_CSV.read_text(encoding="utf-8")
MODEL_OF_REQ_005 = CSV.splitlines()[5].split(",")[11]
SLP_TEXT = SLP.read_text(encoding="utf-8")
INJECTION = "x'); drop table raw._loads; --"
EXACT = "123456789.123456789"

CASES = [
    # encodings
    Case("latin1_csv", "a Latin-1 CSV is refused naming the line of the first bad byte",
         bytes_file("latin1.csv", (CSV.replace("acompletion", "acompletión", 2)
                                   ).encode("latin-1")),
         "refused", says=("line 2: not valid UTF-8 (byte 0xf3)", "re-export the file as UTF-8")),
    Case("utf16_jsonl", "a UTF-16 file is refused as not UTF-8, at line 1",
         bytes_file("utf16.jsonl", SLP_TEXT.encode("utf-16")),
         "refused", says=("line 1: not valid UTF-8 (byte 0xff)",)),
    Case("cut_utf8_at_end", "a CSV whose last bytes are a cut UTF-8 sequence is refused as cut off",
         bytes_file("cut_end.csv", CSV.encode() + b"req-x," + CUT_EURO),
         "refused", says=("ends in the middle of a UTF-8 character", "line 7")),
    Case("cut_utf8_inside", "a cut UTF-8 sequence inside a value is refused naming its line",
         bytes_file("cut_inside.csv", CSV.encode().replace(b"acompletion", CUT_EURO + b"x", 1)),
         "refused", says=("line 2: not valid UTF-8 (byte 0xe2)",)),
    Case("bom_csv", "a UTF-8 byte-order mark before a CSV header is not an error",
         text_file("bom.csv", "\ufeff" + CSV), "landed", rows=5),
    Case("bom_jsonl", "a UTF-8 byte-order mark before JSON lines is not an error",
         text_file("bom.jsonl", "\ufeff" + SLP_TEXT), "landed", rows=4),
    Case("bom_json_pages", "a byte-order mark before an API page file is not an error",
         bytes_file("bom_pages.json", b"\xef\xbb\xbf" + USAGE_PAGES.read_bytes()),
         "landed", rows=4),
    Case("crlf_csv", "a CSV with CRLF line ends lands the same rows as with LF",
         text_file("crlf.csv", CSV.replace("\n", "\r\n")), "landed", rows=5,
         check=check_value("litellm_spend_logs", "model", "request_id = 'req-005'",
                           MODEL_OF_REQ_005)),
    Case("crlf_jsonl", "JSON lines with CRLF line ends land every record",
         text_file("crlf.jsonl", SLP_TEXT.replace("\n", "\r\n")), "landed", rows=4),
    Case("mixed_line_ends", "a CSV mixing CRLF and LF is refused in one line, saying why",
         text_file("mixed.csv", CSV.replace("\n", "\r\n", 3)), "refused",
         says=("cannot read as CSV: Invalid Input Error: Error when sniffing file", "mix line")),
    # truncation
    Case("jsonl_last_line_cut", "JSON lines whose last record is cut off refuse the file",
         text_file("cut.jsonl", SLP_TEXT.rstrip("\n")[:-40]),
         "refused", says=("line 4: the last record is cut off", "truncated after 3 whole")),
    Case("jsonl_bad_record_inside", "a malformed record inside whole JSON lines is one reject",
         text_file("bad_inside.jsonl", jsonl([*SLP_TEXT.splitlines()[:2], '{"id": "x", ',
                                              *SLP_TEXT.splitlines()[2:]])),
         "landed", rows=4, rejected=1, ratio=0.5,
         reject=(3, None, "not valid JSON (truncated or malformed record)")),
    Case("json_page_cut", "an API page cut off is refused as truncated JSON",
         text_file("cut_page.json", USAGE_PAGES.read_text(encoding="utf-8")[:900]),
         "refused", says=("not valid JSON: the document is truncated or malformed",)),
    Case("json_pages_lines_cut", "pages one per line with the last page cut are refused",
         text_file("cut_pages.jsonl", COSTS.read_text(encoding="utf-8")[:-60]),
         "refused", says=("not valid JSON",)),
    Case("csv_last_row_cut", "a CSV whose last row lost its columns is refused naming the line",
         text_file("cut_row.csv", "\n".join([*CSV.splitlines()[:-1],
                                              ",".join(CSV.splitlines()[-1].split(",")[:8])])),
         "refused", rejected=1, says=("1 of 5 records rejected", "line 6, column 'endTime'")),
    Case("csv_cut_inside_quotes", "a CSV cut inside a quoted value is refused in one line",
         text_file("cut_quote.csv", CSV[: CSV.rindex('""') - 5]), "refused",
         says=("cannot read as CSV", "cut inside a quoted value")),
    Case("gzip_truncated", "a truncated gzip is refused as corrupt or truncated",
         lambda tmp: bytes_file("cut.csv.gz", gzip.compress(CSV.encode())[:-30])(tmp),
         "refused", says=("gzip stream is corrupt or truncated",)),
    Case("empty_file", "an empty file is refused as an unknown format",
         bytes_file("empty.csv", b""), "refused", says=("unknown format",)),
    Case("only_bom_and_blanks", "a file of a BOM and blank lines is an unknown format",
         text_file("blank.jsonl", "\ufeff\n\n  \n"), "refused", says=("unknown format",)),
    Case("header_only_csv", "a CSV with only its header lands no rows and is recorded",
         text_file("header.csv", CSV.splitlines()[0] + "\n"), "landed", rows=0),
    # injection text
    Case("sql_in_value", "SQL in a value lands as text and runs nowhere",
         text_file("inject.csv", csv_with(1, "model", INJECTION)), "landed", rows=5,
         check=check_value("litellm_spend_logs", "model", "request_id = 'req-001'", INJECTION)),
    Case("sql_in_file_name", "a file name holding quotes and SQL lands under that exact name",
         text_file("x'; drop table raw._loads; --.csv", CSV), "landed", rows=5),
    Case("newline_in_file_name", "a file name with a newline lands and is recorded as named",
         text_file("two\nlines.csv", CSV), "landed", rows=5),
    Case("terminal_escapes", "terminal escape sequences in a value land verbatim",
         text_file("escape.csv", csv_with(2, "model", "\x1b[31mred\x1b[0m")), "landed", rows=5,
         check=check_value("litellm_spend_logs", "model", "request_id = 'req-002'",
                           "\x1b[31mred\x1b[0m")),
    Case("quote_in_json_key", "a JSON key with quotes and SQL is kept in _extra",
         text_file("key.jsonl", jsonl(with_value(slp_records(), 0, INJECTION, 1))),
         "landed", rows=4,
         check=lambda con, path: extra_holds(con, "slp-001", INJECTION, 1)),
    # duplicates and structure
    Case("duplicate_ids", "duplicate request ids both land (staging dedupes by request_id)",
         text_file("dupes.csv", CSV + CSV.splitlines()[1] + "\n"), "landed", rows=6),
    Case("deep_nesting_first_line", "JSON nested 5,000 deep is an unknown format, no traceback",
         text_file("deep.jsonl", DEEP + "\n" + SLP_TEXT), "refused", says=("unknown format",)),
    Case("deep_nesting_forced", "forced, a 5,000-deep record is a reject; the others land",
         text_file("deep_forced.jsonl", DEEP + "\n" + SLP_TEXT), "landed", rows=4, rejected=1,
         ratio=0.5, format_name="litellm_standard_logging",
         reject=(1, "id", "required value is missing")),
    Case("deep_nesting_in_metadata", "a whole record with 5,000-deep metadata is recognised",
         text_file("deep_meta.jsonl", SLP_TEXT.replace('"metadata": {', '"metadata": {"d": '
                                                      + DEEP + ", ", 1)),
         "landed", rows=4),
    Case("huge_first_record", "a 10 MB first record is recognised and lands",
         text_file("big_first.jsonl", jsonl(with_value(slp_records(), 0, "image",
                                                       "A" * 10_000_000))),
         "landed", rows=4),
    Case("nul_byte_in_value", "a NUL byte inside a CSV value lands in that value",
         text_file("nul.csv", CSV.replace("acompletion", "acomp\x00letion", 1)),
         "landed", rows=5),
    # numbers and times
    Case("int_2_63", "a token count of 2^63 is a reject naming row and column",
         text_file("big_int.jsonl", jsonl(with_value(slp_records(), 1, "prompt_tokens", 2**63))),
         "landed", rows=3, rejected=1, ratio=0.5,
         reject=(2, "prompt_tokens", "out of range for a 64-bit whole number")),
    Case("int_overflowing_double", "1e400 as a token count is a reject, not a refusal",
         text_file("1e400.jsonl", SLP_TEXT.replace('"prompt_tokens": 1200', '"prompt_tokens": '
                                                   "1e400", 1)),
         "landed", rows=3, rejected=1, ratio=0.5, reject=(1, "prompt_tokens", "1e400")),
    Case("negative_count", "a negative token count is a reject naming row and column",
         text_file("negative.csv", csv_with(3, "prompt_tokens", "-5")), "landed", rows=4,
         rejected=1, ratio=0.5, reject=(3, "prompt_tokens", "is negative")),
    Case("epoch_1e30", "an epoch of 1e30 is a reject, not 'Epoch seconds out of range'",
         text_file("epoch.jsonl", jsonl(with_value(span_records(), 0, "start_time", 1e30))),
         "landed", rows=1, rejected=1, ratio=0.5,
         reject=(1, "start_time", "outside the plausible time window [2000-01-01, 2100-01-01)")),
    Case("start_time_1e20", "a StandardLoggingPayload startTime of 1e20 is a reject",
         text_file("start.jsonl", jsonl(with_value(slp_records(), 3, "startTime", 1e20))),
         "landed", rows=3, rejected=1, ratio=0.5,
         reject=(4, "startTime", "outside the plausible time window")),
    Case("year_9999_text", "a timestamp text in year 9999 is a reject",
         text_file("y9999.jsonl", jsonl(with_value(span_records(), 1, "start_time",
                                                   "9999-12-31T00:00:00Z"))),
         "landed", rows=1, rejected=1, ratio=0.5, reject=(2, "start_time", "outside")),
    Case("year_1970_csv", "a 1970 startTime in a CSV is outside the window: a reject",
         text_file("y1970.csv", csv_with(5, "startTime", "1970-01-01 00:00:00")),
         "landed", rows=4, rejected=1, ratio=0.5, reject=(5, "startTime", "outside")),
    Case("nan_literal", "NaN as money is a reject naming the column",
         text_file("nan.jsonl", SLP_TEXT.replace('"response_cost": 0.006', '"response_cost": NaN',
                                                 1)),
         "landed", rows=3, rejected=1, ratio=0.5,
         reject=(1, "response_cost", "NaN is not a decimal number")),
    Case("money_too_large", "1e30 dollars does not fit DECIMAL(38,12): a reject",
         text_file("money.jsonl", SLP_TEXT.replace('"response_cost": 0.006',
                                                   '"response_cost": 1e30', 1)),
         "landed", rows=3, rejected=1, ratio=0.5,
         reject=(1, "response_cost", "out of range for DECIMAL(38,12)")),
    Case("exact_money_jsonl", "money as a JSON number keeps every digit (JSON lines)",
         text_file("exact.jsonl", SLP_TEXT.replace('"response_cost": 0.006',
                                                   f'"response_cost": {EXACT}', 1)),
         "landed", rows=4,
         check=check_value("litellm_standard_logging", "response_cost", "id = 'slp-001'",
                           Decimal(EXACT))),
    Case("exact_money_pages", "money as a JSON number keeps every digit (API pages)",
         text_file("exact_costs.jsonl", COSTS.read_text(encoding="utf-8").replace(
             '"value": 0.06,', f'"value": {EXACT},', 1)),
         "landed", rows=5,
         check=check_value("openai_costs", "amount_value", "quantity = 24000", Decimal(EXACT))),
    Case("gzip_lands", "a gzip file lands its decompressed content",
         gzip_file("spend.csv.gz", CSV.encode()), "landed", rows=5),
]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = connect(tmp_path / "warehouse" / "ailedger.duckdb")
    yield con
    con.close()


def raw_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    tables = [
        r[0]
        for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw'"
            " and not starts_with(table_name, '_')"
        ).fetchall()
    ]
    return {t: con.execute(f'select count(*) from raw."{t}"').fetchall()[0][0] for t in tables}


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) + len(SEPARATE_CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    path = case.make(inputs)
    before = raw_counts(con)
    result = land_file(con, path, max_reject_ratio=case.ratio, format_name=case.format_name)
    assert (result.status, result.rows_landed, result.rows_rejected) == (
        case.status, case.rows, case.rejected
    ), f"{case.promise}: {result.message}"
    for words in case.says:
        assert words in result.message, case.promise
    assert "Traceback" not in result.message
    assert result.message.startswith(str(path)) or result.status == "landed"
    [(status, source, message)] = con.execute(
        "select status, source_file, message from raw._loads"
    ).fetchall()
    assert (status, source) == (case.status, str(path))
    rejects = con.execute("select row_number, column_name, reason from raw._rejects").fetchall()
    if case.status == "refused":
        assert raw_counts(con) == before
        assert rejects == []
        assert message == result.message
    elif case.reject is not None:
        [(row, column, reason)] = rejects
        assert (row, column) == case.reject[:2]
        assert case.reject[2] in reason
    else:
        assert rejects == []
    if case.check is not None:
        case.check(con, path)


# --- cases that need more than one file or a process --------------------------------------


def test_symlink_loop_is_skipped_and_its_neighbours_land_once(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    (folder / "sub").mkdir(parents=True)
    (folder / "spend.csv").write_text(CSV, encoding="utf-8")
    (folder / "sub" / "loop").symlink_to("..")
    (folder / "sub" / "broken").symlink_to("nowhere")
    results = land_paths(con, [folder])
    assert [(Path(r.path).name, r.status, r.rows_landed) for r in results] == [
        ("spend.csv", "landed", 5)
    ]


def test_a_bad_file_in_a_run_is_refused_alone_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a_good.csv").write_text(CSV, encoding="utf-8")
    (folder / "b_deep.jsonl").write_text(DEEP + "\n", encoding="utf-8")
    (folder / "c_cut.csv").write_bytes(CSV.encode() + CUT_EURO)
    (folder / "d_good.jsonl").write_text(SLP_TEXT, encoding="utf-8")
    warehouse = tmp_path / "w.duckdb"
    code = main(["ingest", str(folder), "--warehouse", str(warehouse), "--no-validate"])
    out = capsys.readouterr()
    assert code == 2
    assert "2 file(s) refused" in out.out
    assert "Traceback" not in out.out + out.err
    with duckdb.connect(str(warehouse)) as con:
        statuses = con.execute(
            "select regexp_extract(source_file, '[^/]+$'), status, rows_landed from raw._loads"
            " order by 1"
        ).fetchall()
    assert statuses == [
        ("a_good.csv", "landed", 5),
        ("b_deep.jsonl", "refused", 0),
        ("c_cut.csv", "refused", 0),
        ("d_good.jsonl", "landed", 4),
    ]


def test_an_unexpected_exception_refuses_that_file_with_a_ledger_row(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    def broken_validator(con: duckdb.DuckDBPyConnection, fmt: object) -> list[dict]:
        raise RecursionError("maximum recursion depth exceeded")

    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    result = land_file(con, tmp_path / "a.csv", validator=broken_validator)
    assert result.status == "refused"
    assert result.message.startswith(f"{tmp_path / 'a.csv'}: cannot be landed: RecursionError")
    assert raw_counts(con) == {}
    assert con.execute("select status from raw._loads").fetchall() == [("refused",)]


def test_same_content_twice_in_one_run_lands_once(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(CSV, encoding="utf-8")
    (folder / "b.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    (folder / "c.csv").symlink_to(folder / "a.csv")
    results = land_paths(con, [folder])
    assert [r.status for r in results] == ["landed", "already_landed", "already_landed"]
    assert raw_counts(con) == {"litellm_spend_logs": 5}


def test_gzip_bomb_is_refused_at_the_cap(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(landing.MAX_DECOMPRESSED_ENV, "1M")
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"a," * 20_000_000))  # 40 MB of text, about 40 KB packed
    result = land_file(con, bomb)
    assert result.status == "refused"
    assert "decompresses to more than 1,048,576 bytes" in result.message
    assert "gzip bomb" in result.message
    assert landing.DEFAULT_MAX_DECOMPRESSED >= 9 * 1024**3  # the 10M-request log fits


def test_decompressing_stops_before_the_disk_is_full(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Usage:
        free = 100 * 1024**2  # below the reserve

    monkeypatch.setattr(landing.shutil, "disk_usage", lambda path: Usage())
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    result = land_file(con, tmp_path / "a.csv.gz")
    assert result.status == "refused"
    assert "disk full at" in result.message and ".ailedger-tmp" in result.message
    assert "corrupt" not in result.message


def test_a_full_temp_folder_says_disk_full_not_corrupt_gzip(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Path.open

    class FullFile:
        def __init__(self, f):  # noqa: ANN001 - a file object
            self.f = f

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc) -> None:  # noqa: ANN002
            self.f.close()

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    def opening(self: Path, mode: str = "r", *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        f = real_open(self, mode, *args, **kwargs)
        return FullFile(f) if self.name == "plain" and "w" in mode else f

    monkeypatch.setattr(Path, "open", opening)
    (tmp_path / "a.csv.gz").write_bytes(gzip.compress(CSV.encode()))
    result = land_file(con, tmp_path / "a.csv.gz")
    assert result.status == "refused"
    assert "disk full at" in result.message
    assert "corrupt" not in result.message


def test_disk_full_in_the_warehouse_stops_the_run_naming_the_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    con = connect(tmp_path / "w.duckdb")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "in" / "b.jsonl").write_text(SLP_TEXT, encoding="utf-8")
    real_commit = landing._commit

    def commit(con, fmt, *args) -> None:  # noqa: ANN001
        if fmt.name == "litellm_standard_logging":
            con.execute("begin transaction")
            raise duckdb.IOException('Could not write file "w.duckdb.wal": No space left on device')
        real_commit(con, fmt, *args)

    monkeypatch.setattr(landing, "_commit", commit)
    with pytest.raises(AiledgerError) as raised:
        land_paths(con, [tmp_path / "in"])
    assert raised.value.exit_code == EXIT_WAREHOUSE_FAULT
    assert str(raised.value).startswith(f"disk full at {tmp_path} while landing")
    assert "TransactionContext" not in str(raised.value)
    # The file before it stays landed; nothing of the failed one is there.
    assert raw_counts(con) == {"litellm_spend_logs": 5}
    con.close()


def test_scratch_is_private_and_leftovers_of_killed_runs_go(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    root = tmp_path / "warehouse" / landing.SCRATCH_DIR
    root.mkdir(mode=0o755)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    leftover = root / f"run-{dead.pid}-abc"
    leftover.mkdir()
    (leftover / "plain").write_text("decompressed prompts", encoding="utf-8")
    mine = root / f"run-{os.getpid()}-live"  # a live run's folder is left alone
    mine.mkdir()
    with landing.scratch(con) as run:
        assert run.parent == root
        assert (root.stat().st_mode & 0o777, run.stat().st_mode & 0o777) == (0o700, 0o700)
        assert not leftover.exists()
        assert mine.exists()
    assert not run.exists()


def test_unland_removes_one_load_and_the_same_file_lands_again(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(jsonl(with_value(slp_records(), 0, "startTime", 1e20)),
                                      encoding="utf-8")
    kept = land_file(con, tmp_path / "a.csv")
    bad = land_file(con, tmp_path / "b.jsonl", max_reject_ratio=0.5)
    assert (bad.status, bad.rows_rejected) == ("landed", 1)
    done = unland(con, bad.load_id)
    assert (done.rows_removed, done.rejects_removed, done.raw_table) == (
        3, 1, "litellm_standard_logging"
    )
    assert raw_counts(con) == {"litellm_spend_logs": 5, "litellm_standard_logging": 0}
    assert con.execute("select load_id from raw._loads").fetchall() == [(kept.load_id,)]
    assert con.execute("select count(*) from raw._rejects").fetchall() == [(0,)]
    assert land_file(con, tmp_path / "b.jsonl", max_reject_ratio=0.5).status == "landed"


def test_unland_of_an_unknown_load_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code = main(["unland", "nope", "--warehouse", str(tmp_path / "w.duckdb")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: no load 'nope' in raw._loads")


KILL_DURING_COMMIT = """
import sys, time
from pathlib import Path
from ingest import landing
from ingest.warehouse import connect

real_record = landing._record
def record(con, load_id, sha, result, started):
    real_record(con, load_id, sha, result, started)
    if result.status == "landed":
        Path(sys.argv[3]).write_text("inside the transaction")
        time.sleep(600)
landing._record = record
con = connect(Path(sys.argv[1]))
landing.land_paths(con, [sys.argv[2]])
"""


def test_kill_9_during_landing_leaves_nothing_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "w.duckdb"
    (tmp_path / "in").mkdir()
    source = tmp_path / "in" / "spend.csv.gz"
    source.write_bytes(gzip.compress(CSV.encode()))
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_DURING_COMMIT, str(warehouse), str(source), str(marker)],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child never reached the commit"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    scratch = tmp_path / landing.SCRATCH_DIR
    assert [p.name.split("-")[1] for p in scratch.iterdir()] == [str(child.pid)]
    con = connect(warehouse)
    assert con.execute("select count(*) from raw._loads").fetchall() == [(0,)]
    assert raw_counts(con) == {}
    [result] = land_paths(con, [source])
    assert (result.status, result.rows_landed) == ("landed", 5)
    assert list(scratch.iterdir()) == []
    con.close()


def test_kill_9_during_build_then_the_next_build_succeeds(tmp_path: Path) -> None:
    from tests.support.dbt import DBT

    warehouse = tmp_path / "w.duckdb"
    con = connect(warehouse)
    assert {r.status for r in land_paths(con, [SPEND_CSV, SLP, SPANS])} == {"landed"}
    con.close()
    command = [
        str(DBT), "build", "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
        "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs"),
    ]
    env = {**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)}
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    seen = ""
    while "OK created sql view model staging" not in seen:
        line = child.stdout.readline()
        assert line, "dbt ended before building a model"
        seen += line
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    rerun = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout[-2000:]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        [(requests,)] = con.execute("select count(*) from marts.fct_llm_requests").fetchall()
        [(distinct,)] = con.execute(
            "select count(distinct request_id) from ("
            " select request_id from staging.stg_litellm__spend_logs union all"
            " select request_id from staging.stg_litellm__standard_logging union all"
            " select request_id from staging.stg_otel__genai_spans where model_name is not null)"
        ).fetchall()
    assert requests == distinct > 0


SEPARATE_CASES = [
    test_symlink_loop_is_skipped_and_its_neighbours_land_once,
    test_a_bad_file_in_a_run_is_refused_alone_and_the_run_goes_on,
    test_an_unexpected_exception_refuses_that_file_with_a_ledger_row,
    test_same_content_twice_in_one_run_lands_once,
    test_gzip_bomb_is_refused_at_the_cap,
    test_decompressing_stops_before_the_disk_is_full,
    test_a_full_temp_folder_says_disk_full_not_corrupt_gzip,
    test_disk_full_in_the_warehouse_stops_the_run_naming_the_cause,
    test_scratch_is_private_and_leftovers_of_killed_runs_go,
    test_unland_removes_one_load_and_the_same_file_lands_again,
    test_unland_of_an_unknown_load_is_a_clear_error,
    test_kill_9_during_landing_leaves_nothing_and_the_next_run_cleans_up,
    test_kill_9_during_build_then_the_next_build_succeeds,
]


def test_landing_reads_the_same_time_window_as_dbt() -> None:
    import yaml

    from ingest.formats import sql

    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    window = tuple(project["vars"][sql.WINDOW_VAR])
    # The Python fallback (no dbt_project.yml beside ingest/) is the same documented default.
    assert sql.timestamp_window() == window == sql.DEFAULT_WINDOW
