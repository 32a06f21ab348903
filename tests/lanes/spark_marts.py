"""Write what Spark returns for every mart, and the raw tables' row counts, to OUT.

Run by the Spark lane in a process of its own (`python tests/lanes/spark_marts.py OUT`): the
local Derby metastore admits one JVM at a time, so the test process never holds a session
while dbt builds. Marts go to OUT/<mart>/*.parquet with timestamps as UTC wall-clock time
(how DuckDB stores them), counts to OUT/raw_counts.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyspark.sql import functions as F
from pyspark.sql.types import TimestampType

from ingest.publish.spark import session


def _tables(spark, schema: str) -> list[str]:
    rows = spark.sql(f"show tables in {schema}").collect()
    return sorted(r.tableName for r in rows if not r.isTemporary)


def main(out: Path) -> None:
    spark = session()
    out.mkdir(parents=True, exist_ok=True)
    for mart in _tables(spark, "marts"):
        df = spark.table(f"marts.`{mart}`")
        df = df.select(
            [
                F.col(f"`{f.name}`").cast("timestamp_ntz").alias(f.name)
                if isinstance(f.dataType, TimestampType)
                else F.col(f"`{f.name}`")
                for f in df.schema.fields
            ]
        )
        df.coalesce(1).write.mode("overwrite").parquet(str(out / mart))
    counts = {t: spark.table(f"raw.`{t}`").count() for t in _tables(spark, "raw")}
    (out / "raw_counts.json").write_text(json.dumps(counts, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
