"""No landed value can make a model fail to build.

Each hostile value from the hardening issue is landed (flat ones become row rejects naming
row and column), and the same values are also written straight into raw.* as a warehouse
landed by an older ailedger would hold them. `dbt build` must then build every model; data
tests may warn or fail, naming the rows, but no model errors or is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.landing import land_file, land_paths
from ingest.unland import unland
from ingest.warehouse import connect
from tests.support.dbt import DBT, ROOT, query

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = sorted(
    f
    for d in ("litellm", "openai", "anthropic", "otel")
    for f in (FIXTURES / d).iterdir()
    if not f.name.startswith("bad_")
)
HUGE = 2**64 + 1  # beyond BIGINT and UBIGINT


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _write(path: Path, records: list[dict] | list[str]) -> Path:
    text = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _hostile_files(root: Path) -> dict[str, Path]:
    """One file per hostile value, each otherwise a whole, valid export."""
    slp = _lines(FIXTURES / "litellm" / "standard_logging.jsonl")
    start_1e20 = [dict(r, id=f"h-{r['id']}") for r in slp]
    start_1e20[1]["startTime"] = 1e20
    tokens_2_63 = [dict(r, id=f"t-{r['id']}") for r in slp]
    tokens_2_63[2]["prompt_tokens"] = 2**63
    usage_huge = [dict(r, id=f"u-{r['id']}") for r in slp]
    usage_huge[0] = json.loads(json.dumps(usage_huge[0]))
    usage_huge[0]["metadata"]["usage_object"]["prompt_tokens_details"]["cached_tokens"] = HUGE
    # Money as a JSON number with more digits than a double holds; written as raw text so
    # Python's own float does not round it first.
    exact = [dict(r, id=f"m-{r['id']}") for r in slp]
    exact_text = [json.dumps(r) for r in exact]
    exact_text[0] = exact_text[0].replace(
        f'"response_cost": {json.dumps(exact[0]["response_cost"])}',
        '"response_cost": 123456789.123456789',
    )
    assert "123456789.123456789" in exact_text[0]

    pages = _lines(FIXTURES / "openai" / "costs_pages.jsonl")
    pages[0]["data"][0]["start_time"] = 99999999999999
    spans = _lines(FIXTURES / "otel" / "spans.jsonl")
    spans = [dict(s, context=dict(s["context"], span_id=f"0xe{i}")) for i, s in enumerate(spans)]
    spans[0]["start_time"] = 1e30
    return {
        "start_1e20": _write(root / "slp_start_1e20.jsonl", start_1e20),
        "tokens_2_63": _write(root / "slp_tokens_2_63.jsonl", tokens_2_63),
        "usage_huge": _write(root / "slp_usage_huge.jsonl", usage_huge),
        "exact_money": _write(root / "slp_exact_money.jsonl", exact_text),
        "bucket_epoch": _write(root / "costs_bucket_epoch.jsonl", pages),
        "span_1e30": _write(root / "spans_1e30.jsonl", spans),
    }


def _plant_in_raw(warehouse: Path) -> list[str]:
    """Rows an older ailedger landed without range checks: copies of good rows, made bad.

    Returns the load ids that now hold them.
    """
    con = connect(warehouse)
    try:
        loads = []
        for table, change, where in [
            ("litellm_standard_logging", "1e20 as \"startTime\"", "id = 'slp-001'"),
            ("openai_costs", "99999999999999 as start_time",
             "_source_file like '%costs_pages.jsonl'"),
        ]:
            con.execute(
                f"insert into raw.{table} by name select * replace ({change},"
                f" _row_number + 1000 as _row_number) from raw.{table} where {where} limit 1"
            )
            loads += [r[0] for r in con.execute(
                f"select _load_id from raw.{table} where _row_number > 1000"
            ).fetchall()]
        return loads
    finally:
        con.close()


def _dbt_build(root: Path, warehouse: Path, name: str, *extra: str) -> list[dict]:
    target = root / name
    subprocess.run(
        [
            str(DBT), "build", *extra, "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
            "--target-path", str(target), "--log-path", str(root / "logs"),
        ],
        cwd=ROOT,
        env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads((target / "run_results.json").read_text())["results"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("hostile")
    warehouse = root / "hostile.duckdb"
    con = connect(warehouse)
    results = {r.path: r for r in land_paths(con, GOOD)}
    hostile = {
        name: land_file(con, path, max_reject_ratio=0.9)
        for name, path in _hostile_files(root).items()
    }
    rejects = con.execute(
        "select source_file, row_number, column_name, reason from raw._rejects"
    ).fetchall()
    con.close()
    landed_build = _dbt_build(root, warehouse, "landed")
    # A warehouse that already holds such records from before: staging reads them as NULL
    # (no conversion error), tests name them, and `unland` removes their loads.
    planted = _plant_in_raw(warehouse)
    planted_build = _dbt_build(root, warehouse, "planted")
    con = connect(warehouse)
    for load_id in planted:
        unland(con, load_id)
    con.close()
    # As `ailedger unland` says: the incremental request fact keeps rows whose raw rows went,
    # until a full refresh.
    unlanded_build = _dbt_build(root, warehouse, "unlanded", "--full-refresh")
    return {
        "warehouse": warehouse,
        "good": results,
        "hostile": hostile,
        "rejects": rejects,
        "results": landed_build,
        "planted": planted_build,
        "unlanded": unlanded_build,
    }


def _reject_for(built: dict, name: str) -> list[tuple]:
    path = str(built["hostile"][name].path)
    return [r[1:] for r in built["rejects"] if r[0] == path]


def test_good_fixtures_land(built: dict) -> None:
    assert {r.status for r in built["good"].values()} == {"landed"}


@pytest.mark.parametrize(
    ("name", "row", "column", "why"),
    [
        ("start_1e20", 2, "startTime", "outside the plausible time window"),
        ("tokens_2_63", 3, "prompt_tokens", "out of range for a 64-bit whole number"),
        ("span_1e30", 1, "start_time", "outside the plausible time window"),
    ],
)
def test_flat_hostile_value_is_a_row_reject_naming_row_and_column(
    built: dict, name: str, row: int, column: str, why: str
) -> None:
    result = built["hostile"][name]
    assert (result.status, result.rows_rejected) == ("landed", 1)
    [(got_row, got_column, reason)] = _reject_for(built, name)
    assert (got_row, got_column) == (row, column)
    assert why in reason


def test_bucket_epoch_out_of_window_rejects_each_result_of_that_bucket(built: dict) -> None:
    result = built["hostile"]["bucket_epoch"]
    rejected = _reject_for(built, "bucket_epoch")
    # The first page's one bucket holds four results; all carry its start_time.
    assert result.status == "landed"
    assert [(r[0], r[1]) for r in rejected] == [(i, "start_time") for i in range(1, 5)]
    assert all("99999999999999 is outside the plausible time window" in r[2] for r in rejected)


def test_json_number_money_lands_exactly(built: dict) -> None:
    assert built["hostile"]["exact_money"].status == "landed"
    [(cost,)] = query(
        built["warehouse"],
        "select response_cost from raw.litellm_standard_logging where id = 'm-slp-001'",
    )
    assert cost == Decimal("123456789.123456789000")


def _models(results: list[dict]) -> dict[str, str]:
    return {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("model.")}


def _warned(results: list[dict]) -> dict[str, int]:
    """The range warnings that fired (the fixtures trip other, unrelated warn tests)."""
    return {
        r["unique_id"].split(".")[2]: r["failures"]
        for r in results
        if r["status"] == "warn" and r["unique_id"].endswith("_values_in_range")
    }


def _failed_tests(results: list[dict]) -> dict[str, int]:
    return {
        r["unique_id"].split(".")[2]: r["failures"]
        for r in results
        if r["unique_id"].startswith("test.") and r["status"] == "fail"
    }


def test_every_model_builds_after_landing_every_hostile_value(built: dict) -> None:
    models = _models(built["results"])
    assert len(models) == len(list((ROOT / "models").rglob("*.sql")))
    assert {m: s for m, s in models.items() if s != "success"} == {}
    assert _failed_tests(built["results"]) == {}


def test_a_huge_count_inside_json_is_null_and_warned(built: dict) -> None:
    assert _warned(built["results"]) == {"assert_litellm_standard_logging_values_in_range": 1}
    [(row_id, cached)] = query(
        built["warehouse"],
        "select request_id, cache_read_tokens from staging.stg_litellm__standard_logging"
        " where cache_read_tokens is null",
    )
    assert (row_id, cached) == ("u-slp-001", None)


def test_values_landed_before_the_checks_fail_no_model_and_are_named(built: dict) -> None:
    models = _models(built["planted"])
    # Staging reads them as NULL instead of failing on a conversion error; the not_null
    # tests then name the rows, and dbt skips what is downstream of a failed test.
    assert "error" not in models.values()
    assert models["model.ailedger.stg_litellm__standard_logging"] == "success"
    assert models["model.ailedger.stg_openai__costs"] == "success"
    failed = _failed_tests(built["planted"])
    assert failed["not_null_stg_litellm__standard_logging_requested_at"] == 1
    assert failed["not_null_stg_openai__costs_bucket_start_at"] == 1
    assert _warned(built["planted"]) == {
        "assert_litellm_standard_logging_values_in_range": 2,
        "assert_openai_costs_values_in_range": 1,
    }


def test_unlanding_the_bad_loads_makes_the_build_whole_again(built: dict) -> None:
    models = _models(built["unlanded"])
    assert {m: s for m, s in models.items() if s != "success"} == {}
    assert _failed_tests(built["unlanded"]) == {}
