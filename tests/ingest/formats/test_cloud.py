"""Cloud bills (CUR in every shape, FOCUS from three clouds, GPU-cloud invoices) and GPU
telemetry (DCGM, Prometheus, nvidia-smi, OpenCost): recognition and landing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.demo.cloud_bills import write_cloud_bills
from ingest.formats import FORMATS, Head
from ingest.landing import HEAD_BYTES, land_file
from ingest.warehouse import connect

ROOT = Path(__file__).resolve().parents[3]
CLOUD = ROOT / "tests" / "fixtures" / "cloud"
GPU = ROOT / "tests" / "fixtures" / "gpu"


@pytest.fixture
def con(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    return connect(tmp_path / "w.duckdb")


def claims(path: Path) -> list[str]:
    head = Head(path=path, text=path.read_text("utf-8")[:HEAD_BYTES])
    return [f.name for f in FORMATS if f.sniff(head)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cloud/cur_legacy_2025-10.csv", "aws_cur"),
        ("cloud/cur_athena_2025-11.csv", "aws_cur"),
        ("cloud/focus_aws_1.2.csv", "focus"),
        ("cloud/focus_gcp_1.3.csv", "focus"),
        ("cloud/gpu_invoice_coreweave.csv", "gpu_invoice_csv"),
        ("gpu/dcgm_scrape_2025-10-01T12-00-00Z.prom", "dcgm_prometheus_text"),
        ("gpu/prometheus_range_dcgm.json", "dcgm_prometheus_range_json"),
        ("gpu/nvidia_smi_units_local.csv", "nvidia_smi_csv"),
        ("gpu/nvidia_smi_nounits.csv", "nvidia_smi_csv"),
        ("gpu/nvidia_smi_own_script.csv", "nvidia_smi_csv"),
        ("gpu/opencost_allocation.json", "opencost_allocation"),
    ],
)
def test_exactly_one_format_claims_each_fixture(name: str, expected: str) -> None:
    assert claims(ROOT / "tests" / "fixtures" / name) == [expected]


def test_cloud_formats_claim_no_earlier_fixture() -> None:
    ours = {"aws_cur", "focus", "gpu_invoice_csv", "dcgm_prometheus_text",
            "dcgm_prometheus_range_json", "nvidia_smi_csv", "opencost_allocation"}
    others = [p for d in ("litellm", "otel", "openai", "anthropic")
              for p in (ROOT / "tests" / "fixtures" / d).iterdir()]
    assert others
    for p in others:
        assert not ours & set(claims(p)), p


def land(con: duckdb.DuckDBPyConnection, path: Path):
    result = land_file(con, path)
    assert result.status == "landed", result.message
    return result


def test_legacy_and_athena_cur_land_under_cur2_names_with_tags_gathered(con) -> None:
    land(con, CLOUD / "cur_legacy_2025-10.csv")
    land(con, CLOUD / "cur_athena_2025-11.csv")
    rows = con.execute(
        "select identity_line_item_id, line_item_usage_type, line_item_unblended_cost,"
        " resource_tags_flat ->> 'user_team', resource_tags_flat ->> 'user_cost_center',"
        " savings_plan_savings_plan_effective_cost, pricing_unit"
        " from raw.aws_cur order by identity_line_item_id"
    ).fetchall()
    assert len(rows) == 12
    by_id = {r[0]: r for r in rows}
    assert by_id["a2"][5] == Decimal("0.52")
    assert by_id["a5"][1:3] == ("USE1-Claude3Haiku-input-tokens", Decimal("0.3"))
    assert by_id["a5"][3] == "support" and by_id["a5"][6] == "1K tokens"
    # Athena columns vary month to month: a tag only that month has is kept too.
    assert by_id["b1"][3:5] == ("ml", "cc-42")


def test_cur2_parquet_lands_whole_with_its_tag_map(con, tmp_path: Path) -> None:
    truth = write_cloud_bills(tmp_path / "ex", date(2026, 7, 10), 3, 1)
    parquet = next((tmp_path / "ex" / "aws").glob("*.parquet"))
    assert parquet.read_bytes()[:4] == b"PAR1"
    result = land(con, parquet)
    assert result.format == "aws_cur" and result.rows_rejected == 0
    total, tagged, month = con.execute(
        "select sum(line_item_unblended_cost),"
        " count(*) filter (where resource_tags ->> 'user_pool' = 'dev-endpoint'),"
        " min(bill_billing_period_start_date) from raw.aws_cur"
    ).fetchall()[0]
    assert total == Decimal(truth["aws_cur"]["billed_cost_usd"])
    assert tagged == 3 * 24 and month == datetime(2026, 7, 1)
    again = land_file(con, parquet)
    assert again.status == "already_landed"


def test_focus_from_three_clouds_lands_whole_keeping_x_columns(con, tmp_path: Path) -> None:
    land(con, CLOUD / "focus_aws_1.2.csv")
    land(con, CLOUD / "focus_gcp_1.3.csv")
    # GCP's export as Parquet (BigQuery EXPORT DATA writes Parquet).
    parquet = tmp_path / "focus_gcp.parquet"
    duckdb.sql(
        f"copy (select * from read_csv('{CLOUD / 'focus_gcp_1.3.csv'}', all_varchar=true))"
        f" to '{parquet}' (format parquet)"
    )
    assert land(con, parquet).rows_landed == 3
    write_cloud_bills(tmp_path / "ex", date(2026, 7, 10), 2, 1)
    azure = land(con, next((tmp_path / "ex" / "azure").glob("*.csv")))
    assert azure.rows_landed == 2 * 4
    rows = dict(con.execute(
        "select _source_file, sum(billed_cost) from raw.focus_cost_and_usage group by 1"
    ).fetchall())
    assert rows[str(CLOUD / "focus_aws_1.2.csv")] == Decimal("37.5")
    assert rows[str(parquet)] == Decimal("5.3733")
    usage_type, service, meter = con.execute(
        "select any_value(x_columns ->> 'x_UsageType')"
        " filter (where service_name = 'Amazon Bedrock'),"
        " any_value(service_provider_name) filter (where service_name = 'Vertex AI'),"
        " any_value(x_columns ->> 'x_SkuMeterName') filter (where billing_currency = 'EUR')"
        " from raw.focus_cost_and_usage"
    ).fetchall()[0]
    assert usage_type.endswith("-input-tokens") or usage_type.endswith("-output-tokens")
    assert service == "Google Cloud"
    assert "Tokens" in meter or "A100" in meter


def test_unknown_parquet_is_refused_naming_the_file(con, tmp_path: Path) -> None:
    path = tmp_path / "other.parquet"
    duckdb.sql(f"copy (select 1 as a, 'x' as b) to '{path}' (format parquet)")
    result = land_file(con, path)
    assert result.status == "refused"
    assert "Parquet" in result.message and str(path) in result.message


def test_gpu_invoice_column_map_is_user_editable(con, tmp_path: Path, monkeypatch) -> None:
    invoice = tmp_path / "lambda.csv"
    invoice.write_text(
        "node,accelerator,qty,from,to,usd\n"
        "lambda-1,H100 SXM,8,2025-10-01T00:00:00Z,2025-10-01T10:00:00Z,239.20\n"
    )
    assert "gpu_invoice_csv" not in claims(invoice)
    mapping = tmp_path / "columns.csv"
    mapping.write_text(
        "field,headers\nresource_id,node\ngpu_type,accelerator\ngpu_count,qty\n"
        "started_at,from\nended_at,to\ncost,usd\n"
    )
    monkeypatch.setenv("AILEDGER_GPU_INVOICE_COLUMNS", str(mapping))
    assert claims(invoice) == ["gpu_invoice_csv"]
    land(con, invoice)
    row = con.execute(
        "select resource_id, gpu_count, cost, currency from raw.gpu_invoice"
    ).fetchall()
    assert row == [("lambda-1", Decimal("8"), Decimal("239.2"), None)]


def test_dcgm_scrape_and_range_export_land_every_sample(con) -> None:
    land(con, GPU / "dcgm_scrape_2025-10-01T12-00-00Z.prom")
    land(con, GPU / "prometheus_range_dcgm.json")
    rows = con.execute(
        "select metric_name, hostname, gpu, sampled_at, value, pod from raw.dcgm_samples"
        " order by metric_name, hostname, gpu, sampled_at"
    ).fetchall()
    assert len(rows) == 6 + 5
    ratio = [r for r in rows if r[0] == "DCGM_FI_PROF_GR_ENGINE_ACTIVE" and r[1].startswith("ip")]
    # A sample's own timestamp (ms) wins over the file name's.
    assert ratio[0][3] == datetime(2025, 10, 1, 12, 1) and ratio[0][4] == 0.853412
    util = [r for r in rows if r[0] == "DCGM_FI_DEV_GPU_UTIL" and r[1].startswith("ip")]
    assert [r[4] for r in util] == [87.0, 3.0] and util[0][3] == datetime(2025, 10, 1, 12)
    assert util[1][5] == ""  # no pod: an empty label, as DCGM writes it
    # Sentinels land (staging drops them): nothing is lost at the door.
    assert sum(1 for r in rows if r[4] > 9e18) == 2


def test_nvidia_smi_logs_in_any_shape(con, monkeypatch) -> None:
    monkeypatch.setenv("AILEDGER_NVIDIA_SMI_TIMEZONE", "America/New_York")
    land(con, GPU / "nvidia_smi_units_local.csv")
    land(con, GPU / "nvidia_smi_nounits.csv")
    land(con, GPU / "nvidia_smi_own_script.csv")
    rows = con.execute(
        "select _source_file, sampled_at, utilization_gpu_percent, memory_used_mib,"
        " power_draw_w, gpu_name, source_timezone from raw.nvidia_smi_samples"
        " order by _source_file, _row_number"
    ).fetchall()
    local = [r for r in rows if r[0].endswith("units_local.csv")]
    # 14:00 in New York (EDT, UTC-4) is 18:00 UTC; units and [N/A] are gone.
    assert local[0][1:6] == (datetime(2025, 10, 1, 18, 0, 0, 123000), 7.0, 6100.0, 27.31,
                             "NVIDIA L4")
    assert local[1][4] is None and local[0][6] == "America/New_York"
    own = [r for r in rows if r[0].endswith("own_script.csv")]
    # No utilization column: memory and power still land; the offset is honoured.
    assert own[0][1:5] == (datetime(2025, 10, 1, 7), None, 15872.0, 310.5)
    nounits = [r for r in rows if r[0].endswith("nounits.csv")]
    assert nounits[1][2] is None and nounits[1][3] == 400.0


def test_opencost_allocation_keeps_idle(con) -> None:
    land(con, GPU / "opencost_allocation.json")
    rows = con.execute(
        "select allocation_name, namespace, gpu_hours, gpu_cost, total_cost"
        " from raw.opencost_allocations order by 1"
    ).fetchall()
    assert rows == [
        ("__idle__", None, 24.0, Decimal("88.16"), Decimal("89.66")),
        ("inference", "inference", 24.0, Decimal("88.16"), Decimal("91.16")),
    ]


def test_cur2_gzip_csv_lands_like_its_parquet(con, tmp_path: Path) -> None:
    truth = write_cloud_bills(tmp_path / "ex", date(2026, 7, 10), 2, 3)
    parquet = next((tmp_path / "ex" / "aws").glob("*.parquet"))
    gz = tmp_path / "cur2-00001.csv.gz"
    # CUR 2.0's CSV flavour writes the tag map as a JSON object in one cell.
    duckdb.sql(
        f"copy (select * replace (to_json(resource_tags) as resource_tags)"
        f" from read_parquet('{parquet}')) to '{gz}' (header, compression gzip)"
    )
    result = land(con, gz)
    assert result.format == "aws_cur" and result.rows_rejected == 0
    total, tagged = con.execute(
        "select sum(line_item_unblended_cost),"
        " count(*) filter (where resource_tags ->> 'user_env' = 'dev') from raw.aws_cur"
    ).fetchall()[0]
    assert total == Decimal(truth["aws_cur"]["billed_cost_usd"])
    assert tagged == 2 * 24


def test_scrape_with_no_time_anywhere_is_refused_naming_the_column(con, tmp_path: Path) -> None:
    scrape = tmp_path / "metrics.prom"
    text = (GPU / "dcgm_scrape_2025-10-01T12-00-00Z.prom").read_text(encoding="utf-8")
    scrape.write_text(text.replace(" 1759320060000", ""), encoding="utf-8")
    result = land_file(con, scrape)
    assert result.status == "refused"
    assert "sampled_at" in result.message and "missing" in result.message


def test_prometheus_line_that_is_not_a_sample_is_rejected_by_row(con, tmp_path: Path) -> None:
    scrape = tmp_path / "dcgm_2025-10-01T12-00-00Z.prom"
    text = (GPU / "dcgm_scrape_2025-10-01T12-00-00Z.prom").read_text(encoding="utf-8")
    scrape.write_text(text + "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\" 12\n", encoding="utf-8")
    result = land_file(con, scrape, max_reject_ratio=0.5)
    assert result.status == "landed" and result.rows_landed == 6 and result.rows_rejected == 1
    (row,) = con.execute("select row_number, reason from raw._rejects").fetchall()
    assert row[0] == 15 and "not a Prometheus sample line" in row[1]  # its line number
