"""The serving copy: BI readers never block a build and never see half of one; DuckDB 1.1
reads it; it carries descriptions and a meta schema; status and export read only it.

Every command here runs as a user would: `ailedger` in its own process, from a folder outside
the project.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import duckdb
import pytest

from tests.support.dbt import ROOT

AILEDGER = Path(sys.executable).parent / "ailedger"
SPEND_LOGS = ROOT / "tests" / "fixtures" / "litellm" / "spend_logs.csv"
COMPAT_VENVS = ROOT / ".cache" / "compat"

# Polls the serving file from its own process, either on one connection held open for the
# whole run ("held") or on a connection opened afresh for every read ("fresh"). They run in
# separate processes: within one process DuckDB hands a new connection the database instance
# an open one already holds, i.e. the old file. Each read records the build it saw and that
# build's figures, read in one snapshot.
READER = r"""
import json, sys, time
from pathlib import Path
import duckdb

kind, serving, out, stop = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
SQL = ("select (select invocation_id from meta.build),"
       " (select count(*) from marts.fct_llm_requests),"
       " (select cast(sum(cost_usd) as varchar) from marts.fct_llm_requests)")
held = duckdb.connect(serving, read_only=True) if kind == "held" else None
with out.open("w") as f:
    while not stop.exists():
        try:
            if held is not None:
                row = held.execute(SQL).fetchall()[0]
            else:
                con = duckdb.connect(serving, read_only=True)
                row = con.execute(SQL).fetchall()[0]
                con.close()
            f.write(json.dumps({"kind": kind, "row": list(row)}) + "\n")
        except Exception as exc:
            f.write(json.dumps({"kind": kind, "error": str(exc)}) + "\n")
        f.flush()
        time.sleep(0.05)
"""


def ailedger(*args: str, cwd: Path, env: dict | None = None, check: bool = True,
             timeout: float = 600) -> subprocess.CompletedProcess:
    """`ailedger ARGS` in its own process, from ``cwd``."""
    run = subprocess.run(
        [str(AILEDGER), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})}, check=False,
    )
    if check:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return run


def spend_logs_copy(path: Path, prefix: str) -> Path:
    """The spend-log fixture re-sent with new request ids: five more requests."""
    with SPEND_LOGS.open(newline="") as f:
        reader = csv.DictReader(f)
        rows, header = list(reader), reader.fieldnames
    for row in rows:
        row["request_id"] = f"{prefix}-{row['request_id']}"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def fingerprint(path: Path, invocation: bool = True) -> list:
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = con.execute(
            ("select (select invocation_id from meta.build)," if invocation else "select null,")
            + " (select count(*) from marts.fct_llm_requests),"
            " (select cast(sum(cost_usd) as varchar) from marts.fct_llm_requests)"
        ).fetchall()[0]
    finally:
        con.close()
    return list(row)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A warehouse built from the spend-log fixture with `ailedger run`, from another folder."""
    root = tmp_path_factory.mktemp("serving")
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    env = {"DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs")}
    exports = root / "exports"
    exports.mkdir()
    (exports / "spend_logs.csv").write_bytes(SPEND_LOGS.read_bytes())
    # Relative to the current folder, as any path typed on a command line.
    run = ailedger("run", "../exports", "--warehouse", "w/ailedger.duckdb", "--no-validate",
                   cwd=elsewhere, env=env)
    warehouse = elsewhere / "w" / "ailedger.duckdb"
    return {"root": root, "cwd": elsewhere, "env": env, "warehouse": warehouse,
            "serving": elsewhere / "w" / "ailedger_serving.duckdb", "run": run}


def test_run_from_another_folder_publishes_a_quiet_serving_copy(project: dict) -> None:
    out = project["run"].stdout
    assert project["serving"].is_file()
    assert "serving copy for BI tools" in out and "dbt build:" in out
    # Condensed: a tally, not dbt's log of every node; no colour codes in a redirected run.
    assert "START" not in out and "\x1b[" not in out + project["run"].stderr
    assert (project["root"] / "logs" / "dbt.log").stat().st_size > 0
    assert fingerprint(project["serving"])[1:] == fingerprint(project["warehouse"], False)[1:]


def test_serving_copy_has_marts_seeds_descriptions_and_meta(project: dict) -> None:
    con = duckdb.connect(str(project["serving"]), read_only=True)
    try:
        tables = set(con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall())
        comments = dict(con.execute(
            "select table_name, comment from duckdb_tables() where schema_name = 'marts'"
        ).fetchall())
        column = con.execute(
            "select comment from duckdb_columns() where schema_name = 'marts'"
            " and table_name = 'fct_llm_requests' and column_name = 'cost_usd'"
        ).fetchall()[0][0]
        loads = con.execute("select format, files_landed, rows_landed from meta.loads").fetchall()
        sources = dict(con.execute(
            "select raw_table, files_landed from meta.sources").fetchall())
        data_as_of = con.execute(
            "select data_as_of from meta.sources where raw_table = 'litellm_spend_logs'"
        ).fetchall()[0][0]
    finally:
        con.close()
    build = duckdb.connect(str(project["warehouse"]), read_only=True)
    try:
        marts = set(build.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('marts', 'seeds')"
        ).fetchall())
    finally:
        build.close()
    # Every mart and seed of the build, discovered (no list in the code), plus meta.
    assert marts and marts | {("meta.build",), ("meta.loads",), ("meta.sources",)} == tables
    assert ("seeds.model_prices",) in tables
    assert comments["fct_llm_requests"].startswith("One row per LLM call")
    assert all(comments.values())
    assert "re-priced" in column.lower() or "price" in column.lower()
    assert loads == [("litellm_spend_logs_csv", 1, 5)]
    assert sources["litellm_spend_logs"] == 1 and sources["otel_genai_spans"] == 0
    assert str(data_as_of) == "2026-07-10 12:00:00"  # the fixture's newest startTime


@pytest.mark.compat
def test_duckdb_1_1_reads_the_serving_copy(project: dict) -> None:
    """A BI driver bundling DuckDB 1.1 opens the file and reads a mart, descriptions too."""
    env_dir = COMPAT_VENVS / "duckdb-1.1"
    python = env_dir / "bin" / "python"
    if not (env_dir / ".installed").exists():
        venv.create(env_dir, with_pip=True, clear=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "duckdb==1.1.3"],
                       check=True, capture_output=True)
        (env_dir / ".installed").touch()
    probe = (
        "import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True);"
        "print(json.dumps([duckdb.__version__,"
        " c.execute('select count(*), cast(sum(cost_usd) as varchar) from marts.fct_llm_requests')"
        ".fetchall()[0],"
        " c.execute(\"select comment from duckdb_tables() where table_name = 'fct_llm_requests'\")"
        ".fetchall()[0][0]]))"
    )
    out = subprocess.run([str(python), "-c", probe, str(project["serving"])],
                         capture_output=True, text=True, check=True)
    version, (count, cost), comment = json.loads(out.stdout)
    assert version == "1.1.3"
    assert [None, count, cost] == fingerprint(project["warehouse"], False)
    assert comment.startswith("One row per LLM call")


def test_readers_never_block_builds_nor_see_half_of_one(project: dict, tmp_path: Path) -> None:
    root, cwd, env = project["root"], project["cwd"], project["env"]
    serving, warehouse = project["serving"], project["warehouse"]
    before = fingerprint(serving)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, kind, str(serving),
                          str(tmp_path / f"{kind}.jsonl"), str(stop)])
        for kind in ("held", "fresh")
    ]
    try:
        time.sleep(1.0)
        expected = [before]
        for n in (2, 3):
            extra = spend_logs_copy(root / f"more-{n}.csv", f"b{n}")
            ailedger("ingest", str(extra), "--warehouse", str(warehouse), "--no-validate",
                     cwd=cwd, env=env)
            # Back to back while the reader polls: each must succeed.
            ailedger("build", "--warehouse", str(warehouse), "--quiet", cwd=cwd, env=env)
            expected.append(fingerprint(serving))
        time.sleep(1.0)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    reads = [json.loads(line) for kind in ("held", "fresh")
             for line in (tmp_path / f"{kind}.jsonl").read_text().splitlines()]
    assert [r for r in reads if "error" in r] == []
    # Three distinct builds with growing marts: 5, 10, then 15 requests.
    assert [e[1] for e in expected] == [5, 10, 15]
    held = [r["row"] for r in reads if r["kind"] == "held"]
    fresh = [r["row"] for r in reads if r["kind"] == "fresh"]
    # The connection held open keeps reading the file it opened.
    assert held and all(row == before for row in held)
    # Fresh connections see whole builds only, in order: old, then new, never a mix.
    assert fresh and all(row in expected for row in fresh)
    order = [expected.index(row) for row in fresh]
    assert order == sorted(order) and order[0] == 0 and order[-1] == 2


def test_status_from_another_folder_exits_3_when_a_source_stopped(project: dict) -> None:
    # The fixture's data ends 2026-07-10, months ago: landing keeps arriving, data does not.
    run = ailedger("status", "--warehouse", str(project["warehouse"]), cwd=project["cwd"],
                   check=False)
    assert run.returncode == 3, run.stdout + run.stderr
    row = next(line for line in run.stdout.splitlines() if "litellm_spend_logs_csv" in line)
    assert row.rstrip(" │").endswith(" stale")
    assert "stale: litellm_spend_logs_csv stopped arriving" in run.stdout
    assert "otel" not in run.stdout  # never landed: not in use, not stale


def test_export_and_headline_read_only_the_serving_copy(project: dict, tmp_path: Path) -> None:
    cwd = project["cwd"]
    # The build warehouse is held by a writer: readers do not care.
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time;"
                               " c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
                               " time.sleep(60)", str(project["warehouse"])],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        export = ailedger("export", "--warehouse", str(project["warehouse"]), "--out",
                          str(tmp_path / "pq"), cwd=cwd)
        headline = ailedger("headline", "--warehouse", str(project["warehouse"]), cwd=cwd)
    finally:
        holder.kill()
        holder.wait()
    count = duckdb.sql(
        f"select count(*) from read_parquet('{tmp_path / 'pq' / 'fct_llm_requests.parquet'}')"
    ).fetchall()[0][0]
    assert count == fingerprint(project["serving"])[1]
    assert "marts.rpt_reconciliation" in export.stdout
    assert "Attribution coverage" in headline.stdout
