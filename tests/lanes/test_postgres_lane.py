"""The Postgres lane: the same dbt project, models, seeds and tests, built on PostgreSQL from
the raw tables `ailedger publish-raw --target postgres` copies there, agrees with the DuckDB
build of the same data, row by row and to the cent.

Run by `make test-postgres` (scripts/pg_lane.sh starts a throwaway server when none answers
on $AILEDGER_PG_PORT, 55432 by default). The lane owns the database it builds in
($AILEDGER_PG_LANE_DATABASE, `ailedger_lane`): it is dropped and re-created on every run.

Steps, as a team would run them: build on Postgres before anything is published (every mart
empty); land the demo exports (and the format fixtures, so every staging model has rows) into
DuckDB and build there; publish the raw tables to Postgres and `dbt build --target postgres`;
build again with nothing new (the incremental path); land a late export that corrects one
request and adds two, build DuckDB, re-publish, build Postgres incrementally. The marts are
compared after each Postgres build.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from mart_comparison import (
    MARTS,
    ROOT,
    EngineLane,
    differences,
    headline,
    money_compared,
    read_marts,
)
from portable_sql import duckdb_only_syntax

from ingest.demo import generate
from tests.support.exports import fixture_exports, late_export

pytestmark = pytest.mark.lanes
ANALYSES = {p.stem for p in (ROOT / "analyses").glob("*.sql")}


def _pg_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AILEDGER_TARGET"}
    env.setdefault("AILEDGER_PG_HOST", "127.0.0.1")
    env.setdefault("AILEDGER_PG_PORT", "55432")
    env.setdefault("AILEDGER_PG_USER", "postgres")
    env["AILEDGER_PG_DATABASE"] = os.environ.get("AILEDGER_PG_LANE_DATABASE", "ailedger_lane")
    return env


def _pg_connect(env: dict[str, str], dbname: str | None = None):
    import psycopg2

    kwargs = {
        "host": env["AILEDGER_PG_HOST"],
        "port": env["AILEDGER_PG_PORT"],
        "user": env["AILEDGER_PG_USER"],
        "dbname": dbname or env["AILEDGER_PG_DATABASE"],
        "connect_timeout": 5,
    }
    if env.get("AILEDGER_PG_PASSWORD"):
        kwargs["password"] = env["AILEDGER_PG_PASSWORD"]
    return psycopg2.connect(**kwargs)


def _recreate_database(env: dict[str, str]) -> None:
    con = _pg_connect(env, dbname="postgres")
    con.autocommit = True
    try:
        with con.cursor() as cur:
            name = env["AILEDGER_PG_DATABASE"].replace('"', '""')
            cur.execute(f'drop database if exists "{name}" with (force)')
            cur.execute(f'create database "{name}"')
    finally:
        con.close()


class Lane(EngineLane):
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        super().__init__(root, env, "postgres")

    def postgres_marts(self) -> dict[str, dict]:
        con = _pg_connect(self.env)
        try:
            with con.cursor() as cur:
                cur.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = 'marts'"
                )
                tables = {r[0] for r in cur.fetchall()}

                def select(mart: str):
                    cur.execute(f"select * from marts.{mart}")
                    return cur

                return read_marts(tables, select)
        finally:
            con.close()

    def raw_counts(self) -> dict[str, int]:
        con = _pg_connect(self.env)
        try:
            with con.cursor() as cur:
                cur.execute(
                    "select table_name from information_schema.tables"
                    " where table_schema = 'raw' order by 1"
                )
                counts = {}
                for (table,) in cur.fetchall():
                    cur.execute(f'select count(*) from raw."{table}"')
                    counts[table] = cur.fetchone()[0]
                return counts
        finally:
            con.close()


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = _pg_env()
    try:
        _recreate_database(env)
    except Exception as exc:  # any failure to connect means there is no server
        pytest.fail(
            f"no PostgreSQL at {env['AILEDGER_PG_HOST']}:{env['AILEDGER_PG_PORT']} ({exc});"
            " run `make test-postgres`, which starts one"
        )
    root = tmp_path_factory.mktemp("pglane")
    lane = Lane(root, env)
    exports = root / "exports"
    generate(exports, requests=20_000, seed=11)
    (exports / "truth.json").unlink()

    # Built before anything is published: raw tables from the sources' declared types, and
    # an empty request fact that the first publish must then fill.
    lane.dbt("build", "pg-target")
    empty = lane.postgres_marts()

    lane.ingest(exports, *fixture_exports())
    lane.build_duckdb()
    lane.publish()
    raw_first = lane.raw_counts()
    lane.dbt("build", "pg-target")
    full = (lane.duckdb_marts(), lane.postgres_marts())

    lane.publish()  # the same warehouse again: replaces, never appends
    raw_again = lane.raw_counts()
    lane.dbt("build", "pg-target")
    unchanged = lane.postgres_marts()

    late = root / "late" / "spend_logs_late.csv"
    late.parent.mkdir()
    corrected_id = late_export(exports, late, "late-pg")
    lane.ingest(late)
    lane.build_duckdb()
    lane.publish()
    lane.dbt("build", "pg-target")
    incremental = (lane.duckdb_marts(), lane.postgres_marts())

    return {
        "lane": lane,
        "empty": empty,
        "full": full,
        "unchanged": unchanged,
        "incremental": incremental,
        "raw": (raw_first, raw_again),
        "corrected_id": corrected_id,
    }


def test_marts_agree_after_the_full_build(lane: dict) -> None:
    duck, pg = lane["full"]
    compared, largest = money_compared(duck, pg)
    print(headline(duck, pg, "postgres"))
    print(f"money values compared: {compared}, largest difference: {largest}")
    assert differences(duck, pg, "postgres") == []
    assert len(duck["fct_llm_requests"]) > 20_000  # the demo plus the fixtures' requests


def test_a_build_before_any_publish_builds_every_mart_empty(lane: dict) -> None:
    empty = lane["empty"]
    assert empty["_tables"] == set(MARTS)
    assert {mart: len(empty[mart]) for mart in MARTS} == dict.fromkeys(MARTS, 0)


def test_every_staging_format_has_rows_on_postgres(lane: dict) -> None:
    raw_first, _ = lane["raw"]
    empty = [t for t, n in raw_first.items() if n == 0 and not t.startswith("_")]
    assert empty == []


def test_republishing_replaces_the_raw_tables(lane: dict) -> None:
    raw_first, raw_again = lane["raw"]
    assert raw_again == raw_first


def test_second_build_with_nothing_new_changes_nothing(lane: dict) -> None:
    _, pg_full = lane["full"]
    assert differences(pg_full, lane["unchanged"], "postgres") == []


def test_marts_agree_after_an_incremental_build(lane: dict) -> None:
    duck, pg = lane["incremental"]
    assert differences(duck, pg, "postgres") == []
    _, pg_full = lane["full"]
    requests, before = pg["fct_llm_requests"], pg_full["fct_llm_requests"]
    assert len(requests) == len(before) + 2
    assert {"late-pg-0001", "late-pg-0002"} <= requests.keys()
    corrected = lane["corrected_id"]
    assert requests[corrected]["output_tokens"] == before[corrected]["output_tokens"] + 1000


def test_compiled_sql_for_postgres_has_no_duckdb_only_syntax(lane: dict) -> None:
    target = lane["lane"].root / "pg-compile"
    lane["lane"].dbt("compile", "pg-compile")
    compiled = target / "compiled"
    assert len(list(compiled.rglob("*.sql"))) > 100  # every model and test, not a stub
    findings = duckdb_only_syntax(compiled)
    assert findings == [], "DuckDB-only syntax compiled for Postgres:\n" + "\n".join(findings)
    # The analyses are compiled (and checked) with everything else.
    assert {p.stem for p in compiled.rglob("analyses/*.sql")} == ANALYSES
