"""The Postgres publisher's pure parts; the lane (make test-postgres) publishes for real."""

from __future__ import annotations

import sys

import pytest

from ingest.errors import AiledgerError
from ingest.publish.postgres import connect_kwargs, postgres_type, publish


@pytest.mark.parametrize(
    ("duckdb_type", "expected"),
    [
        ("VARCHAR", "text"),
        ("BIGINT", "bigint"),
        ("DECIMAL(38,12)", "numeric(38,12)"),
        ("DECIMAL(18, 9)", "numeric(18,9)"),
        ("DOUBLE", "double precision"),
        ("JSON", "jsonb"),
        ("TIMESTAMP", "timestamp without time zone"),
        ("BOOLEAN", "boolean"),
        ("DATE", "date"),
    ],
)
def test_raw_types_map_to_postgres_as_format_type_prints_them(
    duckdb_type: str, expected: str
) -> None:
    assert postgres_type(duckdb_type) == expected


def test_a_type_without_a_postgres_equivalent_is_refused() -> None:
    with pytest.raises(AiledgerError, match="VARCHAR\\[\\]"):
        postgres_type("VARCHAR[]")


def test_connection_settings_default_like_profiles_yml(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HOST", "PORT", "USER", "PASSWORD", "DATABASE", "SSLMODE"):
        monkeypatch.delenv(f"AILEDGER_PG_{var}", raising=False)
    assert connect_kwargs() == {
        "host": "localhost", "port": "5432", "user": "postgres", "dbname": "ailedger",
    }
    monkeypatch.setenv("AILEDGER_PG_PASSWORD", "s3cret")
    monkeypatch.setenv("AILEDGER_PG_SSLMODE", "require")
    assert connect_kwargs()["password"] == "s3cret"
    assert connect_kwargs()["sslmode"] == "require"


def test_no_server_is_one_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("AILEDGER_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("AILEDGER_PG_PORT", "1")  # nothing listens on port 1
    with pytest.raises(AiledgerError, match="cannot connect to Postgres at postgres@127.0.0.1:1"):
        publish({"litellm_spend_logs": tmp_path / "litellm_spend_logs.parquet"})


def test_without_the_postgres_extra_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg2", None)  # as if not installed
    with pytest.raises(AiledgerError, match="needs psycopg2") as refused:
        publish({"litellm_spend_logs": tmp_path / "litellm_spend_logs.parquet"})
    assert "[postgres]" in str(refused.value)
