"""`dbt source freshness` and `ailedger status` as alerts: a team that uses only LiteLLM
passes, and the same team fails once its export stops arriving or arrives with old data."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.cli import main
from ingest.landing import land_paths
from ingest.serving import SourceStatus
from ingest.warehouse import connect
from tests.support.dbt import DBT, ROOT

SPEND_LOGS = ROOT / "tests" / "fixtures" / "litellm" / "spend_logs.csv"
TIMES = ("startTime", "endTime", "completionStartTime")


def recent_spend_logs(path: Path, hours_ago: float) -> Path:
    """The spend-log fixture with its requests moved to ``hours_ago`` hours before now."""
    with SPEND_LOGS.open(newline="") as f:
        reader = csv.DictReader(f)
        rows, header = list(reader), reader.fieldnames
    newest = max(datetime.fromisoformat(r["startTime"]) for r in rows)
    shift = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=hours_ago) - newest
    for row in rows:
        for col in TIMES:
            if row[col]:
                row[col] = (datetime.fromisoformat(row[col]) + shift).isoformat(sep=" ")
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def freshness(warehouse: Path, work: Path) -> dict[str, str]:
    """`dbt source freshness`: the status of each source table."""
    subprocess.run(
        [str(DBT), "source", "freshness", "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
         "--target-path", str(work / "target"), "--log-path", str(work / "logs"),
         "--output", str(work / "sources.json")],
        cwd=work, env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )
    results = json.loads((work / "sources.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results}


@pytest.fixture(scope="module")
def litellm_only(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("freshness")
    warehouse = root / "w.duckdb"
    con = connect(warehouse)
    assert [r.status for r in land_paths(con, [recent_spend_logs(root / "s.csv", 1)])] == [
        "landed"]
    con.close()
    # Plain `dbt build`, as a scheduler runs it, from an unrelated folder: it publishes the
    # serving copy `status` reads (the on-run-end hook).
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    build = subprocess.run(
        [str(DBT), "build", "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        cwd=elsewhere, env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    assert "published serving copy" in build.stdout
    return {"root": root, "warehouse": warehouse}


def test_plain_dbt_build_published_the_serving_copy(litellm_only: dict) -> None:
    serving = litellm_only["root"] / "w_serving.duckdb"
    con = duckdb.connect(str(serving), read_only=True)
    try:
        assert con.execute("select count(*) from meta.build").fetchall() == [(1,)]
        assert con.execute("select count(*) from marts.fct_llm_requests").fetchall() == [(5,)]
    finally:
        con.close()


def test_one_source_family_in_use_passes(litellm_only: dict, capsys) -> None:
    statuses = freshness(litellm_only["warehouse"], litellm_only["root"])
    assert statuses["litellm_spend_logs"] == "pass"
    assert len(statuses) >= 8 and set(statuses.values()) == {"pass"}  # unused sources too
    capsys.readouterr()
    assert main(["status", "--warehouse", str(litellm_only["warehouse"])]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "litellm_spend_logs_csv" in line)
    assert row.rstrip(" │").endswith(" ok")
    assert "stale" not in out


def test_old_data_and_a_stopped_export_fail(litellm_only: dict, tmp_path: Path) -> None:
    warehouse = litellm_only["warehouse"]
    con = duckdb.connect(str(warehouse))
    # The export keeps arriving, but its newest request is 8 days old: error_after is 7 days.
    con.execute('update raw.litellm_spend_logs set "startTime" = "startTime" - interval 8 day')
    con.close()
    statuses = freshness(warehouse, tmp_path)
    assert statuses["litellm_spend_logs"] == "error"
    assert statuses["otel_genai_spans"] == "pass"
    con = duckdb.connect(str(warehouse))
    # Fresh data again, but the last file landed 8 days ago: the export stopped.
    con.execute('update raw.litellm_spend_logs set "startTime" = "startTime" + interval 8 day')
    con.execute("update raw._loads set finished_at = finished_at - interval 8 day")
    con.close()
    assert freshness(warehouse, tmp_path)["litellm_spend_logs"] == "error"


def test_status_judges_by_the_older_clock() -> None:
    now = datetime(2026, 11, 30, 12)

    def status(landed_days_ago: float, data_days_ago: float | None) -> str:
        data = None if data_days_ago is None else now - timedelta(days=data_days_ago)
        return SourceStatus("f", "t", 1, 0, 0, now - timedelta(days=landed_days_ago), data,
                            48.0, 168.0).state(now)

    assert status(0.5, 1) == "ok"
    assert status(0.5, 3) == "late"
    assert status(0.5, 8) == "stale"  # arriving, with old data
    assert status(8, 0.5) == "stale"  # stopped arriving
    assert status(1, None) == "ok"


