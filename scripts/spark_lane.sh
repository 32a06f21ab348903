#!/usr/bin/env bash
# The Spark lane (`make test-spark`): the same dbt project built on a local Apache Spark
# (pyspark 4.3, dbt-spark's session method), and its marts compared with the DuckDB build
# of the same data. Spark 4 needs Java 17 or 21: when no such `java` is found and we are
# root, Debian's OpenJDK 17 is installed. Everything the lane writes (Spark warehouse folder,
# Derby metastore, dbt targets) lives in pytest's temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.venv/bin}
say() { printf 'spark-lane: %s\n' "$*"; }

java_major() {
    local java=java
    if [ -n "${JAVA_HOME:-}" ]; then java="$JAVA_HOME/bin/java"; fi
    "$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

major=$(java_major || true)
if [ "$major" != 17 ] && [ "$major" != 21 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "spark-lane: Spark 4 needs Java 17 or 21 (found: ${major:-none});" \
            "install one, e.g. sudo apt-get install openjdk-17-jre-headless" >&2
        exit 1
    fi
    say "installing Debian's OpenJDK 17 (found Java: ${major:-none})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    unset JAVA_HOME
fi
say "$(java -version 2>&1 | head -n 1)"

if [ ! -x "$BIN/python" ] || ! "$BIN/python" -c "import pyspark, dbt.adapters.spark" 2>/dev/null; then
    say "installing the spark extra into $BIN"
    "$BIN/pip" install --quiet -e '.[dev,spark]'
fi

started=$(date +%s)
"$BIN/pytest" -m lanes -s -p no:cacheprovider tests/lanes/test_spark_lane.py "$@"
say "lane took $(( $(date +%s) - started ))s"
