"""The Spark publisher's pure parts; the lane (make test-spark) publishes for real."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
import yaml

from ingest.publish.spark import session_settings

PROFILES = Path(__file__).resolve().parents[3] / "profiles.yml"


def _rendered_outputs(monkeypatch: pytest.MonkeyPatch, spark_dir: Path) -> dict:
    """profiles.yml's outputs with env_var() rendered as dbt renders it."""
    monkeypatch.setenv("AILEDGER_SPARK_DIR", str(spark_dir))
    env = jinja2.Environment()
    env.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    env.filters["as_number"] = int

    def render(value: object) -> object:
        if isinstance(value, dict):
            return {k: render(v) for k, v in value.items()}
        return env.from_string(value).render() if isinstance(value, str) else value

    return render(yaml.safe_load(PROFILES.read_text())["ailedger"]["outputs"])


def test_publisher_and_dbt_profile_configure_the_same_spark(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Static settings (warehouse folder, metastore) only take effect in the process that
    # starts Spark: publish-raw and dbt must agree on them or they see different tables.
    profile = _rendered_outputs(monkeypatch, tmp_path)["spark"]["server_side_parameters"]
    settings = session_settings()
    assert settings.pop("spark.sql.ansi.enabled") == "false"  # dbt-spark forces it off
    assert profile == settings


def test_cluster_target_sends_the_same_sql_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    outputs = _rendered_outputs(monkeypatch, tmp_path)
    cluster = outputs["spark_cluster"]["server_side_parameters"]
    assert cluster == {
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    }
    assert cluster.items() <= outputs["spark"]["server_side_parameters"].items()


def test_relative_spark_dir_is_resolved_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AILEDGER_SPARK_DIR", "warehouse/spark")
    settings = session_settings()
    assert settings["spark.sql.warehouse.dir"] == str(tmp_path / "warehouse/spark/tables")
    assert f"databaseName={tmp_path}/warehouse/spark/metastore_db;" in (
        settings["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
