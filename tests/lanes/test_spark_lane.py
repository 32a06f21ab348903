"""The Spark lane: the same dbt project, models, seeds and tests, built on Apache Spark (dbt-spark,
`method: session`, a local pyspark) from the raw tables `ailedger publish-raw --target spark`
writes there, agrees with the DuckDB build of the same data, row by row and to the cent.

Run by `make test-spark` (scripts/spark_lane.sh). Each step is its own process, as a team
would run it, so the warehouse folder and metastore the publisher and dbt share are tested
too: land the demo exports and the format fixtures in DuckDB and build there; publish to
Spark and `dbt build --target spark`; publish again and build with nothing new (the
incremental path); land a late export that corrects one old request and adds two, build
DuckDB, publish, build Spark incrementally, which overwrites the request days it touches.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest
from mart_comparison import (
    BIN,
    ROOT,
    EngineLane,
    differences,
    headline,
    key_figures,
    money_compared,
    read_marts,
)
from portable_sql import duckdb_only_syntax

from ingest.demo import generate
from tests.support.exports import fixture_exports, late_export

pytestmark = pytest.mark.lanes

DUMP = Path(__file__).with_name("spark_marts.py")

# Constructs Spark SQL shares with DuckDB: not DuckDB-only in what dbt compiles for Spark.
SPARK_SHARES = {
    "-> / ->> arrows": r"->>",  # Spark's lambdas are `x -> …`
    "double (DuckDB's float8)": None,
    "date_diff / date_sub / date_add": None,  # dbt-spark's dbt.dateadd
    "regexp_extract": None,  # dbt-spark's dbt.split_part
    "try_cast": None,
    "ifnull": None,
}


class Lane(EngineLane):
    def __init__(self, root: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "AILEDGER_TARGET"}
        env["AILEDGER_SPARK_DIR"] = str(root / "spark")
        super().__init__(root, env, "spark")
        self.dumps = 0

    def build_spark(self) -> None:
        self.dbt("build", "spark-target")

    def duckdb_raw_counts(self) -> dict[str, int]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            tables = con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
            return {
                t: con.execute(f'select count(*) from raw."{t}"').fetchone()[0]
                for (t,) in tables
            }
        finally:
            con.close()

    def spark_marts(self) -> tuple[dict, dict[str, int]]:
        """What Spark returns for every mart, and its raw tables' row counts."""
        self.dumps += 1
        out = self.root / f"spark-dump-{self.dumps}"
        self.run(BIN / "python", DUMP, out)
        tables = {p.name for p in out.iterdir() if p.is_dir()}
        con = duckdb.connect()
        try:
            marts = read_marts(tables, lambda mart: con.execute(
                f"select * from read_parquet('{out / mart / '*.parquet'}')"
            ))
        finally:
            con.close()
        return marts, json.loads((out / "raw_counts.json").read_text())


@pytest.fixture(scope="module")
def lane(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("sparklane")
    lane = Lane(root)
    exports = root / "exports"
    generate(exports, requests=20_000, seed=11)
    (exports / "truth.json").unlink()

    lane.ingest(exports, *fixture_exports())
    lane.build_duckdb()
    lane.publish()
    duck_raw = lane.duckdb_raw_counts()
    lane.build_spark()
    duck_full = lane.duckdb_marts()
    spark_full, raw_first = lane.spark_marts()

    lane.publish()  # the same warehouse again: replaces, never appends
    lane.build_spark()
    spark_unchanged, raw_again = lane.spark_marts()

    late = root / "late" / "spend_logs_late.csv"
    late.parent.mkdir()
    corrected_id = late_export(exports, late, "late-spark")
    lane.ingest(late)
    lane.build_duckdb()
    lane.publish()
    lane.build_spark()
    duck_late = lane.duckdb_marts()
    spark_late, _ = lane.spark_marts()

    return {
        "lane": lane,
        "full": (duck_full, spark_full),
        "unchanged": spark_unchanged,
        "incremental": (duck_late, spark_late),
        "raw": (duck_raw, raw_first, raw_again),
        "corrected_id": corrected_id,
    }


def test_marts_agree_after_the_full_build(lane: dict) -> None:
    duck, spark = lane["full"]
    compared, largest = money_compared(duck, spark)
    print(headline(duck, spark, "spark"))
    print(f"money values compared: {compared}, largest difference: {largest}")
    assert differences(duck, spark, "spark") == []
    assert key_figures(duck) == key_figures(spark)
    assert len(duck["fct_llm_requests"]) > 20_000  # the demo plus the fixtures' requests


def test_publish_copies_every_raw_table_whole(lane: dict) -> None:
    duck_raw, spark_raw, _ = lane["raw"]
    assert spark_raw == duck_raw
    empty = [t for t, n in duck_raw.items() if n == 0 and not t.startswith("_")]
    assert empty == []  # every staging model ran on Spark with rows


def test_republishing_replaces_the_raw_tables(lane: dict) -> None:
    _, raw_first, raw_again = lane["raw"]
    assert raw_again == raw_first


def test_second_build_with_nothing_new_changes_nothing(lane: dict) -> None:
    _, spark_full = lane["full"]
    assert differences(spark_full, lane["unchanged"], "spark") == []


def test_incremental_build_overwrites_whole_request_days(lane: dict) -> None:
    duck, spark = lane["incremental"]
    print(headline(duck, spark, "spark"))
    assert differences(duck, spark, "spark") == []
    _, spark_full = lane["full"]
    requests, before = spark["fct_llm_requests"], spark_full["fct_llm_requests"]
    assert len(requests) == len(before) + 2
    assert {"late-spark-0001", "late-spark-0002"} <= requests.keys()
    corrected = lane["corrected_id"]
    assert requests[corrected]["output_tokens"] == before[corrected]["output_tokens"] + 1000


def test_compiled_sql_for_spark_has_no_duckdb_only_syntax(lane: dict) -> None:
    # What the builds compiled and ran, the incremental branch of fct_llm_requests included.
    compiled = lane["lane"].root / "spark-target" / "compiled"
    assert len(list(compiled.rglob("*.sql"))) > 100  # every model and test, not a stub
    findings = duckdb_only_syntax(compiled, shared=SPARK_SHARES)
    assert findings == [], "DuckDB-only syntax compiled for Spark:\n" + "\n".join(findings)


def test_analyses_compile_for_spark(lane: dict) -> None:
    root = lane["lane"].root
    lane["lane"].run(
        BIN / "dbt", "compile", "-s", "path:analyses", "--target", "spark", "--no-use-colors",
        "--project-dir", ROOT, "--profiles-dir", ROOT,
        "--target-path", root / "spark-analyses", "--log-path", root / "logs",
    )
    compiled = root / "spark-analyses" / "compiled"
    names = {p.stem for p in compiled.rglob("analyses/*.sql")}
    assert names == {p.stem for p in (ROOT / "analyses").glob("*.sql")}
    findings = duckdb_only_syntax(compiled, shared=SPARK_SHARES)
    assert findings == [], "DuckDB-only syntax compiled for Spark:\n" + "\n".join(findings)
