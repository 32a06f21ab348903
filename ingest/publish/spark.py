"""Publish the raw Parquet hand-off files to Spark, as the Parquet tables `raw.<table>`.

The Spark it publishes to is the one dbt's `spark` target (dbt-spark `method: session`) sees:
a local, in-process session whose warehouse folder and Derby metastore live under
$AILEDGER_SPARK_DIR (default warehouse/spark), configured by `session_settings()` exactly
as profiles.yml configures it. Each table is rewritten whole on every publish (re-publishing
is idempotent); timestamps land as Spark `timestamp` in a UTC session, JSON as strings.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import AiledgerError

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

SCHEMA = "raw"
DEFAULT_DIR = Path("warehouse/spark")


def spark_dir() -> Path:
    """Where the local Spark keeps its tables (tables/) and metastore (metastore_db/)."""
    return Path(os.environ.get("AILEDGER_SPARK_DIR") or DEFAULT_DIR).resolve()


def session_settings() -> dict[str, str]:
    """The session's Spark settings; profiles.yml's `spark` target sets the same ones."""
    root = spark_dir()
    return {
        "spark.master": os.environ.get("AILEDGER_SPARK_MASTER") or "local[*]",
        "spark.sql.warehouse.dir": str(root / "tables"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={root / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={root / 'derby.log'}",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.ansi.enabled": "false",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
    }


def session() -> SparkSession:
    """The local Hive-enabled session dbt-spark's session method will also get."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise AiledgerError(
            "publishing to Spark needs pyspark", hint="pip install -e '.[spark]'"
        ) from exc
    spark_dir().mkdir(parents=True, exist_ok=True)
    builder = SparkSession.builder.appName("ailedger").enableHiveSupport()
    for key, value in session_settings().items():
        builder = builder.config(key, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # pyspark raises several types; none says what to do
        raise AiledgerError(
            f"could not start a local Spark session: {str(exc).splitlines()[0]}",
            hint="Spark 4 needs Java 17 or 21 on PATH (or JAVA_HOME); only one process at a "
            f"time may use the metastore in {spark_dir() / 'metastore_db'}",
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _as_declared(df: DataFrame) -> DataFrame:
    """DuckDB writes naive UTC timestamps, which Spark reads as timestamp_ntz: make them the
    `timestamp` the sources declare (the session is UTC, so the instants do not move)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType

    return df.select(
        [
            F.col(f"`{f.name}`").cast("timestamp").alias(f.name)
            if isinstance(f.dataType, TimestampNTZType)
            else F.col(f"`{f.name}`")
            for f in df.schema.fields
        ]
    )


def publish(files: dict[str, Path]) -> dict[str, int]:
    """Replace each `raw.<table>` with the rows of its Parquet file; rows per table."""
    spark = session()
    spark.sql(f"create database if not exists {SCHEMA}")
    published = {}
    # Spark skips files whose names start with '_' or '.' (raw._loads, raw._rejects): read
    # each from a copy with a plain name.
    with tempfile.TemporaryDirectory(prefix="ailedger-spark-") as staging:
        for table, path in files.items():
            staged = Path(staging) / f"table-{table}.parquet"
            shutil.copyfile(path, staged)
            df = _as_declared(spark.read.parquet(str(staged)))
            df.write.mode("overwrite").format("parquet").saveAsTable(f"{SCHEMA}.`{table}`")
            published[table] = spark.table(f"{SCHEMA}.`{table}`").count()
    return published
