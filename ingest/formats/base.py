"""What every source format declares, and the three generic shapes most formats are.

A format module says how to recognise its files from their content (`sniff`) and how to turn
one file into two temporary tables (`stage`):

- ``incoming``: the raw table's columns (see ``Format.raw_columns``), typed, plus
  ``_row_number`` (1-based record ordinal in the file) and ``_extra`` (JSON of source columns
  or keys the format does not name, so nothing is silently dropped);
- ``incoming_rejects``: ``_row_number``, ``column_name``, ``reason``, ``raw_row`` for records
  that could not be parsed.

Landing (ingest/landing.py) owns everything else: hashing, decompression, encoding checks,
transactions and the load ledger. Formats never price, join or aggregate.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import duckdb

from ingest.errors import AiledgerError
from ingest.formats import privacy, sql
from ingest.formats.readers import (
    quote_numbers,
    quote_numbers_sql,
    read_csv_records,
    read_json_documents,
    read_json_lines,
    refuse_cut_last_line,
    require_page_key,
)

# Raw column types, by the kind of value a field carries.
RAW_TYPES = {
    "varchar": "VARCHAR",
    "count": "BIGINT",
    "integer": "BIGINT",
    "decimal": "DECIMAL(38,12)",
    "double": "DOUBLE",
    # Unix seconds kept as the source's number; staging makes them timestamps.
    "epoch_seconds": "DOUBLE",
    "epoch_integer": "BIGINT",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "json": "JSON",
}


@dataclass(frozen=True)
class Field:
    """One raw column: where it comes from in the source and what it holds.

    ``source`` is a CSV header or a JSON path relative to the record (``$.a.b``).
    ``required``: the file is refused when the source lacks it (a header or a key seen nowhere).
    ``not_null``: a record without a value is rejected.
    """

    name: str
    source: str
    kind: str = "varchar"
    required: bool = False
    not_null: bool = False

    @property
    def raw_type(self) -> str:
        return RAW_TYPES[self.kind]


@dataclass(frozen=True)
class Head:
    """The start of a file, decoded, for recognising its format from content.

    It holds at least the first complete line (a CSV header, a JSON-lines record) however
    long, so a large first record does not defeat recognition.
    """

    path: Path
    text: str

    @property
    def first_line(self) -> str:
        return self.text.lstrip("\ufeff").lstrip("\r\n").split("\n", 1)[0].strip()

    def csv_header(self) -> list[str]:
        try:
            row = next(csv.reader(io.StringIO(self.first_line)))
        except (StopIteration, csv.Error):
            return []
        return [c.strip() for c in row]

    def first_json(self) -> object | None:
        """The first JSON value: the first line's record, else the whole head's document."""
        stripped = self.text.lstrip("\ufeff").strip()
        for candidate in (self.first_line, stripped):
            try:
                return json.loads(candidate)
            except ValueError:
                continue
            except RecursionError:
                # Nested deeper than Python's parser goes (DuckDB's has no such limit): the
                # top-level keys are enough to recognise a record.
                return _top_level_keys(candidate)
        return None

    def looks_like_json(self) -> bool:
        return self.text.lstrip("\ufeff").lstrip()[:1] in ("{", "[")


def _top_level_keys(text: str) -> dict[str, None] | None:
    keys = duckdb.execute(
        "select case when json_valid($1) and json_type($1) = 'OBJECT' then json_keys($1) end",
        [text],
    ).fetchall()[0][0]
    return dict.fromkeys(keys) if keys is not None else None


class Format:
    """Base class: a named source format landing into one raw table."""

    name: ClassVar[str]
    table: ClassVar[str]
    description: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    # Source columns or keys that carry prompt/response text: never landed, never in _extra.
    sensitive: ClassVar[tuple[str, ...]] = ()
    # Columns computed by the format rather than read (name -> raw type), e.g. prompt hashes.
    derived: ClassVar[dict[str, str]] = {}

    @classmethod
    def raw_columns(cls) -> dict[str, str]:
        cols = {f.name: f.raw_type for f in cls.fields}
        cols.update(cls.derived)
        cols["_extra"] = "JSON"
        return cols

    def sniff(self, head: Head) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    @classmethod
    def exact_keys(cls) -> tuple[str, ...]:
        """JSON keys whose numbers are money: read from their text, never as a double."""
        return tuple(
            sorted(
                {
                    p.rsplit(".", 1)[-1].strip('"')
                    for f in cls.fields
                    if f.kind == "decimal"
                    for p in f.source.split("|")
                    if p.startswith("$.")
                }
            )
        )

    def prepare(self, path: Path, workdir: Path) -> Path:
        """The file as ``stage`` reads it; a format may write a copy into ``workdir``."""
        return path

    def derived_exprs(self, source: Callable[[str], str]) -> dict[str, str]:
        """SQL for the derived columns; ``source(name)`` is the raw text of a source field
        (a CSV header or a JSON path), read from the record before sensitive fields go."""
        return {}

    def clean_json(self, column: str, value: str) -> str:
        """A JSON column's value with the conversation text it may carry removed."""
        return value

    def guard(self, column: str, value: str, pol: privacy.Policy) -> tuple[str, str]:
        """A JSON column (or ``_extra``) after the size guard / allow-list, and how many
        values that dropped. Allow-list mode keeps no ``_extra``: no model reads it."""
        if column == "_extra" and pol.keep_only_known_keys:
            return "cast(null as json)", f"coalesce(len(json_keys({value})), 0)"
        return privacy.guard_json(value, pol.max_unknown_text_chars)

    def clean_raw_row(self, rec: str) -> str:
        """A cleaned JSON record as kept in ``raw._rejects.raw_row`` (JSON formats only)."""
        return rec

    def clean_record(self, rec: str) -> str:
        """A JSON record with prompt/response text removed (JSON formats only)."""
        if not self.sensitive:
            return rec
        patch = json.dumps({k: None for k in self.sensitive})
        return f"json_merge_patch({rec}, {sql.literal(patch)})"


def _stage_typed(
    con: duckdb.DuckDBPyConnection,
    fmt: Format,
    source_sql: str,
    values: dict[str, str],
    derived: dict[str, str],
    extra_sql: str,
    raw_row_sql: str,
    consumed: tuple[str, ...] = (),
) -> None:
    """Create ``incoming`` and ``incoming_rejects`` from per-field raw text expressions.

    ``consumed``: temp tables ``source_sql`` reads, dropped as soon as it has been read so a
    large file is never held in memory twice.
    """
    typed, errors = [], []
    for f in fmt.fields:
        typed.append(f"{sql.cast_value(values[f.name], f.kind)} as {sql.ident(f.name)}")
        errors.append(sql.error_check(values[f.name], f.kind, f.name, f.not_null))
    typed += [f"{expr} as {sql.ident(name)}" for name, expr in derived.items()]
    con.execute(
        f"""
        create or replace temp table parsed as
        select
            _row_number,
            {", ".join(typed)},
            {extra_sql} as _extra,
            list_filter([{", ".join(errors)}], lambda e: e is not null) as _errors,
            {raw_row_sql} as _raw_row
        from ({source_sql}) as rec
        """
    )
    for table in consumed:
        con.execute(f"drop table if exists {table}")
    _guard_parsed(con, fmt)
    cols = ", ".join(sql.ident(c) for c in fmt.raw_columns())
    con.execute(
        f"create or replace temp table incoming as "
        f"select _row_number, {cols} from guarded where len(_errors) = 0"
    )
    con.execute(
        """
        insert into incoming_rejects
        select _row_number, _errors[1].column_name, _errors[1].reason,
               left(_raw_row, 1000)
        from guarded where len(_errors) > 0
        """
    )
    con.execute("drop table guarded")


def _guard_parsed(con: duckdb.DuckDBPyConnection, fmt: Format) -> None:
    """``guarded``: ``parsed`` with conversation text and long unknown strings removed from
    its JSON columns, ``_extra`` and ``_raw_row``; ``incoming_dropped`` counts the values the
    size guard or allow-list dropped from landed rows (the load summary reports it)."""
    pol = privacy.policy()
    # Cleaned first, into its own table: the guard reads each value several times, and a
    # cleaning expression (a subquery per record) would run again for each read.
    cleaned = [
        f"{fmt.clean_json(f.name, sql.ident(f.name))} as {sql.ident(f.name)}"
        for f in fmt.fields
        if f.kind == "json" and fmt.clean_json(f.name, sql.ident(f.name)) != sql.ident(f.name)
    ]
    if cleaned:
        con.execute(
            f"create or replace temp table parsed_clean as"
            f" select * replace ({', '.join(cleaned)}) from parsed"
        )
        con.execute("drop table parsed")
        con.execute("alter table parsed_clean rename to parsed")
    replaced, counts = [], []
    for f in fmt.fields:
        if f.kind != "json":
            continue
        value, count = fmt.guard(f.name, sql.ident(f.name), pol)
        replaced.append(f"{value} as {sql.ident(f.name)}")
        counts.append(count)
    value, count = fmt.guard("_extra", "_extra", pol)
    replaced.append(f"{value} as _extra")
    counts.append(count)
    raw_row, _ = privacy.guard_text("_raw_row", pol.max_unknown_text_chars)
    replaced.append(f"{raw_row} as _raw_row")
    con.execute(
        f"create or replace temp table guarded as select * replace ({', '.join(replaced)}),"
        f" {' + '.join(counts)} as _dropped from parsed"
    )
    con.execute("drop table parsed")
    con.execute(
        "create or replace temp table incoming_dropped as"
        " select coalesce(sum(_dropped), 0) as values_dropped from guarded"
        " where len(_errors) = 0"
    )


class CsvFormat(Format):
    """A CSV export with a header row; recognised by a set of header names."""

    signature: ClassVar[tuple[str, ...]] = ()

    def sniff(self, head: Head) -> bool:
        header = set(head.csv_header())
        return bool(self.signature) and set(self.signature) <= header

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        header = read_csv_records(con, path, label)
        missing = [f.source for f in self.fields if f.required and f.source not in header]
        if missing:
            raise AiledgerError(
                f"{label}: required column {missing[0]!r} is missing "
                f"(recognised as {self.name}; header has {len(header)} columns)",
                hint="export the full table, or pass --format if this is another format",
            )
        known = {f.source for f in self.fields} | set(self.sensitive)
        values = {
            f.name: (f"rec.{sql.ident(f.source)}" if f.source in header else "null")
            for f in self.fields
        }
        unknown = [h for h in header if h not in known]
        extra = sql.json_object_of(unknown, "rec") if unknown else "cast(null as json)"
        landed = [h for h in header if h not in self.sensitive]
        json_columns = {f.source: f.name for f in self.fields if f.kind == "json"}
        pairs = []
        for h in landed:
            v = f"rec.{sql.ident(h)}"
            if h in json_columns:
                # Text a JSON column may carry is removed from the raw row too; a cell that
                # is not JSON cannot be cleaned and is left out.
                parsed = f"case when json_valid({v}) then cast({v} as json) end"
                v = f"cast({self.clean_json(json_columns[h], parsed)} as varchar)"
            pairs.append(f"{sql.literal(h)}, {v}")
        raw_row = f"cast(json_object({', '.join(pairs)}) as varchar)"
        derived = self.derived_exprs(
            lambda h: f"rec.{sql.ident(h)}" if h in header else "cast(null as varchar)"
        )
        _stage_typed(
            con, self, "select * from csv_records", values, derived, extra, raw_row
        )
        csv_errors(con, label)


def csv_errors(con: duckdb.DuckDBPyConnection, label: str) -> None:
    """Move DuckDB's structural CSV errors (wrong column count, bad quoting) into rejects.

    DuckDB reports a short line once per missing column: one reject per line, its first.
    Row numbers are negative: a physical line, not a record ordinal.
    """
    con.execute(
        """
        insert into incoming_rejects
        select -cast(line as bigint), column_name,
               lower(error_type) || ': ' || error_message || ' (line ' || line || ')', null
        from reject_errors
        qualify row_number() over (partition by line order by column_idx) = 1
        """
    )


class JsonLinesFormat(Format):
    """One JSON object per line; recognised by keys of the first object."""

    signature: ClassVar[tuple[str, ...]] = ()

    def sniff(self, head: Head) -> bool:
        first = head.first_json()
        return isinstance(first, dict) and set(self.signature) <= set(first)

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        if _is_single_document(path):
            # One (often pretty-printed) object per file, or an array of them: all or nothing.
            read_json_documents(con, path, label)
            stage_json_records(
                con, self, "select _page_number as _row_number, cast(page as varchar) as rec"
                " from pages", label
            )
            return
        read_json_lines(con, path, label)
        refuse_cut_last_line(con, label)
        rec = quote_numbers_sql("line", self.exact_keys())
        stage_json_records(con, self, f"select _row_number, {rec} as rec from json_records", label)


def _is_single_document(path: Path) -> bool:
    """True when the file is not JSON lines: its first line is not a JSON value by itself."""
    with path.open("rb") as f:
        first = f.readline(1024 * 1024).decode("utf-8", "replace").lstrip("\ufeff").strip()
    try:
        json.loads(first)
    except ValueError:
        return first.startswith(("{", "["))
    except RecursionError:
        return False  # a whole value, nested deeper than Python parses: JSON lines
    return False


def stage_json_records(
    con: duckdb.DuckDBPyConnection, fmt: Format, records_sql: str, label: str
) -> None:
    """Stage records given as ``(_row_number, rec JSON)``; invalid records are rejected."""
    con.execute(f"create or replace temp table json_input as {records_sql}")
    # The records are all in json_input now; the pages they came from are not needed again.
    con.execute("drop table if exists pages")
    present = {
        r[0]
        for r in con.execute(
            "select distinct unnest(json_keys(rec)) from json_input where json_valid(rec)"
        ).fetchall()
    }
    missing = [
        f.source
        for f in fmt.fields
        if f.required and not any(sql.top_key(p) in present for p in f.source.split("|"))
    ]
    total = con.execute("select count(*) from json_input").fetchall()[0][0]
    if missing and total:
        raise AiledgerError(
            f"{label}: required field {missing[0]!r} appears in no record "
            f"(recognised as {fmt.name})",
            hint="pass --format if this is another format",
        )
    # A record that does not parse cannot have its prompt/response text removed: keep its
    # text only for formats that carry none.
    broken_text = "left(rec, 200)" if fmt.clean_record("rec") == "rec" else "null"
    con.execute(
        f"""
        insert into incoming_rejects
        select _row_number, null, 'not valid JSON (truncated or malformed record)',
               {broken_text}
        from json_input where not json_valid(rec)
        """
    )
    values = {f.name: sql.json_text("clean", f.source, f.kind) for f in fmt.fields}
    top = {sql.top_key(p) for f in fmt.fields for p in f.source.split("|")}
    remove = json.dumps({k: None for k in sorted(top | set(fmt.sensitive))})
    extra = f"nullif(cast(json_merge_patch(clean, {sql.literal(remove)}) as varchar), '{{}}')"
    # The source values derived columns read (e.g. the span attributes a system prompt is
    # found in) are extracted once per record, not once per use.
    sources: dict[str, str] = {}

    def source(path: str) -> str:
        return sources.setdefault(path, f"_source_{len(sources)}")

    derived = fmt.derived_exprs(source)
    extracted = "".join(
        f", {sql.cast_value(sql.json_text('original', p, 'json'), 'json')} as {name}"
        for p, name in sources.items()
    )
    # Cleaned once per record and kept: every field reads it, and the cleaning runs
    # subqueries per record that the engine would otherwise repeat for each field.
    con.execute(
        f"""
        create or replace temp table json_clean as
        select _row_number, {fmt.clean_record("original")} as clean{extracted}
        from (select _row_number, cast(rec as json) as original
              from json_input where json_valid(rec))
        """
    )
    _stage_typed(
        con,
        fmt,
        "select * from json_clean",
        values,
        derived,
        extra,
        f"cast({fmt.clean_raw_row('clean')} as varchar)",
        consumed=("json_input",),
    )
    con.execute("drop table json_clean")


class JsonPagesFormat(Format):
    """API responses: pages of time buckets of results. Records are the results.

    A file may hold one page, a JSON array of pages, or one page per line. Pages are
    all-or-nothing: a page that does not parse refuses the file.
    """

    # SQL over ``pages(_page_number, page JSON)`` yielding ``(_row_number, rec JSON)``.
    # Bucket times are read once per bucket: carrying the whole bucket to each of its results
    # re-parses it per result, quadratic in results per bucket (minutes and gigabytes for a
    # few thousand results in one bucket). json_transform parses each page once into typed
    # lists; json_extract on the page text took three times the memory.
    records_from_pages: ClassVar[str] = """
        with buckets as (
            select _page_number, b.i as bucket_index,
                   coalesce(b.bucket.start_time, b.bucket.starting_at) as bucket_start,
                   coalesce(b.bucket.end_time, b.bucket.ending_at) as bucket_end,
                   b.bucket.results as results
            from (
                select _page_number, json_transform(page, '{"data": [{
                    "start_time": "JSON", "end_time": "JSON", "starting_at": "JSON",
                    "ending_at": "JSON", "results": ["JSON"]}]}') as typed
                from pages
            ), unnest(typed.data) with ordinality as b(bucket, i)
        ), results as (
            select _page_number, bucket_index, r.result, r.j as result_index,
                   bucket_start, bucket_end
            from buckets, unnest(results) with ordinality as r(result, j)
        )
        select
            row_number() over (order by _page_number, bucket_index, result_index) as _row_number,
            json_merge_patch(result, json_object(
                '_bucket_start', bucket_start, '_bucket_end', bucket_end
            )) as rec
        from results
    """
    result_objects: ClassVar[tuple[str, ...]] = ()  # values of result.object that identify it
    result_keys: ClassVar[tuple[str, ...]] = ()  # keys every result of this format carries

    def sniff(self, head: Head) -> bool:
        if not head.looks_like_json():
            return False
        text = head.text
        if self.result_objects:
            return any(f'"{o}"' in text for o in self.result_objects)
        return all(f'"{k}"' in text for k in self.result_keys)

    def prepare(self, path: Path, workdir: Path) -> Path:
        # Pages are parsed whole by DuckDB, which reads numbers as doubles: money goes in
        # as text first. A streamed copy keeps memory flat however large the file.
        return quote_numbers(path, workdir / "exact.json", self.exact_keys())

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        read_json_documents(con, path, label)
        require_page_key(con, "data", label, self.name)
        stage_json_records(con, self, self.records_from_pages, label)


__all__ = [
    "CsvFormat",
    "Field",
    "Format",
    "Head",
    "JsonLinesFormat",
    "JsonPagesFormat",
    "RAW_TYPES",
    "stage_json_records",
]
