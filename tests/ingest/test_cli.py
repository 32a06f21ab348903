"""The `ailedger` command: fast help, exit codes and messages a user sees."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from ingest.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_help_does_not_import_the_heavy_stack() -> None:
    probe = (
        "import sys, ingest.cli as c; c.build_parser().format_help();"
        "print(sorted(m for m in ('duckdb', 'dbt', 'great_expectations', 'pandas')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ingest_exits_2_and_names_the_refused_file(tmp_path: Path, capsys) -> None:
    bad = FIXTURES / "bad" / "spend_logs_missing_spend.csv"
    code = main(["ingest", str(bad), "--warehouse", str(tmp_path / "w.duckdb"), "--no-validate"])
    out = capsys.readouterr().out
    assert code == 2
    assert "refused" in out and "spend_logs_missing_spend.csv" in out and "'spend'" in out


def test_ingest_exits_0_and_reports_already_landed(tmp_path: Path, capsys) -> None:
    good = FIXTURES / "litellm" / "spend_logs.csv"
    args = ["ingest", str(good), "--warehouse", str(tmp_path / "w.duckdb"), "--no-validate"]
    assert main(args) == 0
    assert main(args) == 0
    assert "already_landed" in capsys.readouterr().out


def test_missing_path_is_a_clear_error(tmp_path: Path, capsys) -> None:
    code = main(["ingest", str(tmp_path / "nope.csv"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 2
    assert "nope.csv: no such file or folder" in capsys.readouterr().err


def test_prices_import_writes_effective_dated_rows(tmp_path: Path, capsys) -> None:
    seed = tmp_path / "model_prices.csv"
    price_maps = sorted((FIXTURES / "prices").glob("*.json"))
    assert main(["prices", "import", str(price_maps[0]), "--effective-from", "2025-01-01",
                 "--seed", str(seed)]) == 0
    first = list(csv.DictReader(seed.open()))
    assert main(["prices", "import", str(price_maps[0]), "--effective-from", "2025-01-01",
                 "--seed", str(seed)]) == 0
    assert list(csv.DictReader(seed.open())) == first  # idempotent
    assert first and {r["effective_from"] for r in first} == {"2025-01-01"}
    assert "rows added" in capsys.readouterr().out
