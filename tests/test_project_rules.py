"""The dbt-project-evaluator rules worth living by, checked over dbt's manifest (the package
itself cannot be installed here): layering, primary-key tests, descriptions, contracts."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from dbt.cli.main import dbtRunner

    target = tmp_path_factory.mktemp("target")
    os.environ.setdefault("AILEDGER_WAREHOUSE", str(target / "parse.duckdb"))
    result = dbtRunner().invoke(
        ["parse", "--project-dir", str(ROOT), "--profiles-dir", str(ROOT),
         "--target-path", str(target), "--quiet"]
    )
    assert result.success, result.exception
    return json.loads((target / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["package_name"] == "ailedger"
    }


def _layer(node: dict) -> str:
    return node["original_file_path"].split("/")[1]


def test_only_staging_reads_sources(manifest: dict) -> None:
    offenders = [
        name
        for name, node in _models(manifest).items()
        if node["depends_on"]["nodes"]
        and any(d.startswith("source.") for d in node["depends_on"]["nodes"])
        and _layer(node) != "staging"
    ]
    assert offenders == []


def test_staging_reads_exactly_one_source_and_no_models(manifest: dict) -> None:
    for name, node in _models(manifest).items():
        if _layer(node) != "staging":
            continue
        deps = node["depends_on"]["nodes"]
        assert len([d for d in deps if d.startswith("source.")]) == 1, name
        assert not [d for d in deps if d.startswith("model.")], name


def test_marts_do_not_read_staging(manifest: dict) -> None:
    models = _models(manifest)
    staging_ids = {n["unique_id"] for n in models.values() if _layer(n) == "staging"}
    for name, node in models.items():
        if _layer(node) == "marts":
            assert not staging_ids & set(node["depends_on"]["nodes"]), name


def test_every_model_has_a_grain_description(manifest: dict) -> None:
    missing = [
        name
        for name, node in _models(manifest).items()
        if "one row per" not in node["description"].lower()
    ]
    assert missing == []


def test_every_model_has_a_primary_key_test(manifest: dict) -> None:
    tested: dict[str, set[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or not node.get("attached_node"):
            continue
        meta = node.get("test_metadata") or {}
        kind = meta.get("name")
        key = node.get("column_name") or ""
        if kind == "unique_combination_of_columns":
            key = ",".join(meta["kwargs"]["combination_of_columns"])
        tested.setdefault(node["attached_node"], set()).add(f"{kind}:{key}")
    for name, node in _models(manifest).items():
        tests = tested.get(node["unique_id"], set())
        unique_cols = {t.split(":", 1)[1] for t in tests if t.startswith("unique:")}
        not_null_cols = {t.split(":", 1)[1] for t in tests if t.startswith("not_null:")}
        composite = any(t.startswith("unique_combination_of_columns:") for t in tests)
        assert composite or unique_cols & not_null_cols, f"{name} has no primary-key test"


def test_public_marts_have_enforced_contracts(manifest: dict) -> None:
    for name, node in _models(manifest).items():
        if _layer(node) == "marts":
            assert node["config"]["contract"]["enforced"], name
            assert all(c.get("data_type") for c in node["columns"].values()), name
