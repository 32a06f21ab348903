"""Operations: waiting for the writer lock, one-line errors for the expected conditions,
read-only commands that never create a file, the shared exit codes, project-root discovery."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.cli import build_parser, main
from ingest.errors import EXIT_LOCK_TIMEOUT, EXIT_REFUSED, EXIT_USAGE
from ingest.warehouse import project_root, serving_path, warehouse_path

ROOT = Path(__file__).resolve().parents[2]
AILEDGER = Path(sys.executable).parent / "ailedger"
SPEND_LOGS = ROOT / "tests" / "fixtures" / "litellm" / "spend_logs.csv"
HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
        " time.sleep(float(sys.argv[2]))")


def ailedger(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(AILEDGER), *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, check=False)


def hold_writer_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the warehouse's writer lock for ``seconds``."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_second_writer_waits_then_succeeds(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = hold_writer_lock(warehouse, 3)
    started = time.monotonic()
    run = ailedger("ingest", str(SPEND_LOGS), "--warehouse", str(warehouse), "--no-validate",
                   "--wait", "60", cwd=tmp_path)
    holder.wait()
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started >= 1.5  # it did wait for the holder
    # Told once, naming the process that holds the file.
    assert run.stderr.count("waiting for") == 1
    assert f"PID {holder.pid}" in run.stderr
    assert "landed" in run.stdout


def test_a_writer_that_times_out_gets_75_and_a_message(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    holder = hold_writer_lock(warehouse, 30)
    try:
        run = ailedger("ingest", str(SPEND_LOGS), "--warehouse", str(warehouse),
                       "--no-validate", cwd=tmp_path, env={"AILEDGER_LOCK_WAIT": "1"})
        build = ailedger("build", "--warehouse", str(warehouse), "--wait", "0.5", cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    for result in (run, build):
        assert result.returncode == EXIT_LOCK_TIMEOUT == 75
        assert "Traceback" not in result.stderr
        assert "gave up waiting for the writer lock" in result.stderr
        assert f"PID {holder.pid}" in result.stderr and "--wait SECONDS" in result.stderr


@pytest.mark.parametrize("command", ["headline", "status", "export"])
def test_read_only_commands_never_create_a_file(tmp_path: Path, command: str, capsys) -> None:
    warehouse = tmp_path / "nothing" / "ailedger.duckdb"
    assert main([command, "--warehouse", str(warehouse)]) == EXIT_REFUSED
    err = capsys.readouterr().err
    assert "no warehouse yet" in err and "`ailedger run DIR` (DIR holds your exports)" in err
    assert "make demo" in err
    assert not (tmp_path / "nothing").exists()


def test_a_warehouse_without_a_serving_copy_says_to_build(tmp_path: Path, capsys) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert main(["ingest", str(SPEND_LOGS), "--warehouse", str(warehouse), "--no-validate"]) == 0
    assert main(["headline", "--warehouse", str(warehouse)]) == EXIT_REFUSED
    assert "no serving copy yet" in capsys.readouterr().err
    assert not serving_path(warehouse).exists()


def test_a_folder_and_a_corrupt_file_get_one_line(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"not a database" * 500)
    cases = {
        ("ingest", str(SPEND_LOGS), "--warehouse", str(tmp_path)): "is a folder",
        ("headline", "--warehouse", str(tmp_path)): "is a folder",
        ("ingest", str(SPEND_LOGS), "--warehouse", str(corrupt)): "is not a DuckDB warehouse",
        ("build", "--warehouse", str(corrupt)): "is not a DuckDB warehouse",
    }
    for args, message in cases.items():
        run = ailedger(*args, cwd=tmp_path)
        assert run.returncode == EXIT_REFUSED, (args, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
    assert corrupt.read_bytes() == b"not a database" * 500  # left as it was


def test_usage_errors_exit_64(capsys) -> None:
    assert main(["headlin"]) == EXIT_USAGE
    assert main(["ingest", "x", "--frobnicate"]) == EXIT_USAGE
    assert "unrecognized arguments: --frobnicate" in capsys.readouterr().err


def test_every_option_has_help() -> None:
    missing = []

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    walk(child, f"{prefix} {name}")
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                missing.append(f"{prefix} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "ailedger")
    assert missing == []


def test_build_passes_unknown_options_to_dbt(monkeypatch) -> None:
    seen = {}
    monkeypatch.setattr("ingest.cli.run_dbt",
                        lambda warehouse, args, **kw: seen.setdefault("args", args) and 0)
    assert main(["build", "--select", "rpt_reconciliation", "--full-refresh"]) == 0
    assert seen["args"] == ["--select", "rpt_reconciliation", "--full-refresh"]


def test_paths_resolve_against_the_project_root_from_any_folder(tmp_path: Path,
                                                                monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AILEDGER_PROJECT_DIR", raising=False)
    monkeypatch.setenv("AILEDGER_WAREHOUSE", "warehouse/x.duckdb")
    assert project_root() == ROOT
    assert warehouse_path() == ROOT / "warehouse" / "x.duckdb"
    assert warehouse_path("here.duckdb") == tmp_path / "here.duckdb"  # typed: the current folder
    # profiles.yml's relative path goes through the dbt plugin, which resolves it the same way.
    from ingest.dbt_plugin import Plugin

    class Creds:
        path = "warehouse/x.duckdb"
        settings: dict = {}

    creds = Creds()
    Plugin("dbt_plugin", {}, None).update_connection_config(creds, {})
    assert Path(creds.path) == ROOT / "warehouse" / "x.duckdb"


def test_commands_run_from_another_folder(tmp_path: Path) -> None:
    """ingest, publish-raw and prices from an unrelated folder (build, run, status, export and
    headline: tests/test_serving.py; demo: below)."""
    warehouse = tmp_path / "w.duckdb"
    assert ailedger("--help", cwd=tmp_path).returncode == 0
    ingest = ailedger("ingest", str(SPEND_LOGS), "--warehouse", str(warehouse), "--no-validate",
                      cwd=tmp_path)
    assert ingest.returncode == 0, ingest.stderr
    publish = ailedger("publish-raw", "--target", "parquet", "--parquet-dir", "pq",
                       "--warehouse", str(warehouse), cwd=tmp_path)
    assert publish.returncode == 0, publish.stderr
    assert (tmp_path / "pq" / "litellm_spend_logs.parquet").is_file()
    seed = tmp_path / "prices.csv"
    price_map = ROOT / "tests" / "fixtures" / "prices" / "litellm_2025-01-01.json"
    prices = ailedger("prices", "import", str(price_map), "--effective-from", "2025-01-01",
                      "--seed", str(seed), cwd=tmp_path)
    assert prices.returncode == 0, prices.stderr
    assert seed.read_text().count("\n") > 1


def test_demo_from_another_folder_never_touches_the_users_warehouse(tmp_path: Path) -> None:
    mine, my_serving = tmp_path / "mine.duckdb", tmp_path / "mine_serving.duckdb"
    mine.write_bytes(b"the user's warehouse")
    my_serving.write_bytes(b"the user's serving copy")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"AILEDGER_WAREHOUSE": str(mine), "AILEDGER_SERVING": str(my_serving),
           "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path / "logs")}
    refused = ailedger("demo", "--requests", "300", "--out", "out", "--warehouse", str(mine),
                       cwd=elsewhere, env=env)
    assert refused.returncode == EXIT_USAGE and "is your warehouse" in refused.stderr
    run = ailedger("demo", "--requests", "300", "--out", "out", cwd=elsewhere, env=env)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "Attribution coverage" in run.stdout
    assert (elsewhere / "out" / "ailedger_demo_serving.duckdb").is_file()
    assert mine.read_bytes() == b"the user's warehouse"
    assert my_serving.read_bytes() == b"the user's serving copy"


def test_a_read_only_warehouse_is_named_plainly(tmp_path: Path) -> None:
    import duckdb

    from ingest.warehouse import explain

    # DuckDB's own message for a file it may not write (root cannot provoke it here).
    error = duckdb.IOException(
        f'IO Error: Cannot open file "{tmp_path}/w.duckdb": Permission denied')
    message = str(explain(error, tmp_path / "w.duckdb"))
    assert message.startswith(f"{tmp_path}/w.duckdb cannot be written (read-only file or folder)")
    assert "headline, status and export only read the serving copy" in message


def test_build_on_a_never_landed_warehouse_says_so(tmp_path: Path, capsys) -> None:
    from tests.support.dbt import dbt_paths_in

    warehouse = tmp_path / "new.duckdb"
    with dbt_paths_in(tmp_path):
        # `--select` goes to dbt as it is: only one seed builds.
        code = main(["build", "--warehouse", str(warehouse), "--select", "provider_aliases",
                     "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0
    assert f"nothing has landed in {warehouse} yet" in err and "`ailedger run DIR`" in err
    assert "dbt build: 3 success" in out  # the seed, and the two project hooks
