"""Demo data: a realistic organization's LLM exports in their real formats, plus the truth.

`generate()` writes what a FinOps analyst would have collected for one period (LiteLLM gateway
logs, OpenAI and Anthropic usage and cost exports) into a folder, and `truth.json` with the
figures the warehouse should reproduce: untagged spend, traffic that bypassed the gateway,
LiteLLM's cached-token mis-pricing, a mid-period price change, and web-search tool calls billed
apart from tokens. Everything is generated and
priced in DuckDB SQL, so 200k requests take seconds; the same seed gives byte-identical files.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingest.errors import AiledgerError

DEFAULT_PRICE_SEED = Path(__file__).resolve().parents[2] / "seeds" / "model_prices.csv"


def generate(
    out_dir: Path,
    requests: int = 200_000,
    seed: int = 7,
    start: date = date(2026, 7, 10),
    days: int = 30,
    price_seed: Path = DEFAULT_PRICE_SEED,
    cloud_bills: bool = True,
) -> dict[str, Any]:
    """Write the demo exports and `truth.json` under `out_dir`; return the truth.

    ``cloud_bills`` adds an AWS CUR, an Azure FOCUS export and GPU telemetry (truth key
    ``cloud_gpu``); their Bedrock and Azure OpenAI lines add providers to reconciliation."""
    import duckdb

    from ingest.demo.anthropic_exports import (
        write_console_csvs,
        write_cost_report,
        write_usage_report,
    )
    from ingest.demo.litellm_export import write_spend_logs
    from ingest.demo.openai_exports import write_costs, write_usage
    from ingest.demo.organization import load_organization
    from ingest.demo.price_book import load_daily_prices
    from ingest.demo.tools import load_tool_calls
    from ingest.demo.traffic import generate_requests, load_days
    from ingest.demo.truth import build_truth

    if requests < 1:
        raise AiledgerError(f"--requests must be at least 1, got {requests}")
    if days < 1:
        raise AiledgerError(f"days must be at least 1, got {days}")
    out_dir = Path(out_dir)
    end = start + timedelta(days=days - 1)
    span = f"{start.isoformat()}_{end.isoformat()}"

    con = duckdb.connect()
    try:
        con.execute("set enable_progress_bar = false")
        # The spend-log copy relies on it to keep its pre-sorted row order.
        con.execute("set preserve_insertion_order = true")
        load_organization(con, seed)
        load_days(con, start, days)
        load_daily_prices(con, Path(price_seed))
        generate_requests(con, requests, seed)
        load_tool_calls(con)

        write_spend_logs(con, out_dir / "gateway" / "litellm_spend_logs.csv", seed)
        write_costs(con, out_dir / "openai" / f"costs_{span}.json", seed)
        write_usage(con, out_dir / "openai" / f"usage_completions_{span}.json", seed)
        write_cost_report(con, out_dir / "anthropic" / f"cost_report_{span}.json", seed)
        write_usage_report(con, out_dir / "anthropic" / f"usage_report_{span}.json", seed)
        write_console_csvs(con, out_dir / "anthropic")
        truth = build_truth(con, seed=seed, start=start, end=end, requests=requests)
    finally:
        con.close()
    if cloud_bills:
        truth["cloud_gpu"] = write_cloud_demo(out_dir, start, days, seed)

    (out_dir / "truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    return truth


def write_cloud_demo(out_dir: Path, start: date, days: int, seed: int) -> dict[str, Any]:
    """The cloud bills and GPU telemetry of the demo, and their truths."""
    from ingest.demo.cloud_bills import write_cloud_bills
    from ingest.demo.gpu_telemetry import write_endpoint_logs, write_gpu_telemetry

    truth = write_cloud_bills(out_dir, start, days, seed)
    pools = truth["aws_cur"]["pools"]
    truth["gpu_pools"] = write_gpu_telemetry(out_dir, start, days, seed, pools)
    truth["self_hosted_endpoint"] = write_endpoint_logs(
        out_dir, start, days, seed, pools["realtime-inference"]["cost_usd"]
    )
    return truth


def dbt_args(truth: dict[str, Any]) -> list[str]:
    """dbt arguments that give a build the demo organization's routing policy."""
    policy = truth.get("waste", {}).get("routing_policy", [])
    return ["--vars", json.dumps({"ailedger_routing_policy": policy})]


__all__ = ["dbt_args", "generate", "write_cloud_demo"]
