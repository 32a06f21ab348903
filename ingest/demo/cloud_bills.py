"""Demo cloud bills: an AWS CUR 2.0 export (Parquet) and an Azure FOCUS 1.2 export (CSV).

The CUR carries the four GPU pools of the audit story, an AWS Neuron (inf2) pool, a Savings
Plan covering a CPU fleet (covered usage, negation and recurring fee), credits, a refund, tax,
and Bedrock token lines in every usage-type naming scheme. Truths are computed here, from the
generated lines, with Python decimals: never from what the warehouse computes.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

ACCOUNT = "111122223333"
RI_UPFRONT_HOURLY = Decimal("20.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Pool:
    """One planted GPU pool: instances of one type, billed every hour of the window."""

    pool: str
    instance_type: str
    gpus: int
    instances: int
    term: str  # OnDemand | Reserved
    hourly_usd: Decimal  # on-demand rate, or the reservation's effective rate
    on_demand_usd: Decimal
    tags: dict[str, str]
    driver: str


POOLS = (
    Pool("batch-embeddings", "p4d.24xlarge", 8, 2, "OnDemand", Decimal("32.7726"),
         Decimal("32.7726"), {"workload": "batch", "env": "prod"}, "idle"),
    Pool("realtime-inference", "p5.48xlarge", 8, 1, "Reserved", Decimal("61.2500"),
         Decimal("98.3200"), {"workload": "inference", "env": "prod"}, "oversized"),
    Pool("llama-finetune", "p5.48xlarge", 8, 1, "OnDemand", Decimal("98.3200"),
         Decimal("98.3200"), {"workload": "fine-tuning", "env": "research"}, "orphaned"),
    Pool("dev-endpoint", "g6.xlarge", 1, 1, "OnDemand", Decimal("0.8048"),
         Decimal("0.8048"), {"workload": "inference", "env": "dev"}, "always_on_dev"),
    Pool("neuron-inference", "inf2.xlarge", 1, 1, "OnDemand", Decimal("0.7582"),
         Decimal("0.7582"), {"workload": "inference", "env": "prod"}, "no_telemetry"),
)

# Bedrock token lines: (usage type, pricing unit, price per unit, model, token kind).
# Every naming scheme of the CUR: first-party, Marketplace, snake case, batch and global.
BEDROCK_LINES = (
    ("USE1-Claude3Haiku-input-tokens", "1K tokens", Decimal("0.00025"), "Claude3Haiku",
     "input"),
    ("USE1-Claude3Haiku-output-tokens", "1K tokens", Decimal("0.00125"), "Claude3Haiku",
     "output"),
    ("USE1-Claude3Haiku-cache-read-input-token-count", "1K tokens", Decimal("0.00003"),
     "Claude3Haiku", "cache_read"),
    ("USE1-Claude3Haiku-cache-write-input-token-count", "1K tokens", Decimal("0.0003"),
     "Claude3Haiku", "cache_write"),
    ("USE1-MP:USE1_InputTokenCount-Units", "1M tokens", Decimal("3.00"), "claude-sonnet-4-5",
     "input"),
    ("USE1-MP:USE1_OutputTokenCount-Units", "1M tokens", Decimal("15.00"),
     "claude-sonnet-4-5", "output"),
    ("USE1-MP:USE1_CacheReadInputTokenCount-Units", "1M tokens", Decimal("0.30"),
     "claude-sonnet-4-5", "cache_read"),
    ("USE1-MP:USE1_InputTokenCount_Batch-Units", "1M tokens", Decimal("1.50"),
     "claude-sonnet-4-5", "input"),
    ("USE1-MP:USE1_OutputTokenCount_Global-Units", "1M tokens", Decimal("15.00"),
     "claude-sonnet-4-5", "output"),
    ("USE1-MP:USE1_input_tokens_standard-Units", "1M tokens", Decimal("0.80"),
     "claude-haiku-4-5", "input"),
    ("USE1-MP:USE1_output_tokens_standard-Units", "1M tokens", Decimal("4.00"),
     "claude-haiku-4-5", "output"),
)


def window(start: date, days: int) -> list[datetime]:
    """Every billed hour: from ``start`` to the end of its month, at most ``days`` days."""
    first_next = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    end = min(start + timedelta(days=days), first_next)
    hours = int((end - start).days * 24)
    t0 = datetime(start.year, start.month, start.day)
    return [t0 + timedelta(hours=h) for h in range(hours)]


def resource_ids(pool: Pool) -> list[str]:
    stem = pool.pool.replace("-", "")[:10]
    return [f"i-0{stem}{n:04d}" for n in range(1, pool.instances + 1)]


def _line(ids: dict[str, int], **cols: object) -> dict[str, object]:
    ids["n"] += 1
    base: dict[str, object] = {
        "identity_line_item_id": f"li-{ids['n']:07d}",
        "line_item_usage_account_id": ACCOUNT,
        "line_item_operation": None,
        "line_item_resource_id": None,
        "line_item_usage_amount": Decimal("0"),
        "line_item_unblended_rate": None,
        "line_item_currency_code": "USD",
        "line_item_iam_principal": None,
        "product_instance_type": None,
        "product_region_code": "us-east-1",
        "pricing_term": None,
        "pricing_unit": None,
        "pricing_public_on_demand_cost": None,
        "savings_plan_savings_plan_effective_cost": None,
        "savings_plan_total_commitment_to_date": None,
        "savings_plan_used_commitment": None,
        "reservation_effective_cost": None,
        "reservation_unused_amortized_upfront_fee_for_billing_period": None,
        "reservation_unused_recurring_fee": None,
        "resource_tags": {},
    }
    base.update(cols)
    return base


def cur_lines(start: date, days: int, seed: int) -> tuple[list[dict], dict]:
    """The CUR 2.0 line items and the bill's own truths (billed and amortized totals)."""
    rng = random.Random(seed * 31 + 5)
    hours = window(start, days)
    period = datetime(start.year, start.month, 1)
    ids = {"n": 0}
    lines: list[dict] = []
    pools: dict[str, dict] = {}
    for pool in POOLS:
        cost = Decimal("0")
        for rid in resource_ids(pool):
            for t in hours:
                reserved = pool.term == "Reserved"
                lines.append(_line(
                    ids,
                    line_item_line_item_type="DiscountedUsage" if reserved else "Usage",
                    line_item_usage_start_date=t,
                    line_item_usage_end_date=t + timedelta(hours=1),
                    line_item_product_code="AmazonEC2",
                    line_item_usage_type=f"USE1-BoxUsage:{pool.instance_type}",
                    line_item_operation="RunInstances",
                    line_item_resource_id=rid,
                    line_item_usage_amount=Decimal("1"),
                    line_item_unblended_rate=Decimal("0") if reserved else pool.hourly_usd,
                    line_item_unblended_cost=Decimal("0") if reserved else pool.hourly_usd,
                    product_instance_type=pool.instance_type,
                    pricing_term=pool.term,
                    pricing_unit="Hrs",
                    pricing_public_on_demand_cost=pool.on_demand_usd,
                    reservation_effective_cost=pool.hourly_usd if reserved else None,
                    resource_tags={"user_pool": pool.pool,
                                   **{f"user_{k}": v for k, v in pool.tags.items()}},
                ))
                cost += pool.hourly_usd
        pools[pool.pool] = {"gpu_hours": len(hours) * pool.instances * pool.gpus,
                            "cost_usd": cost}
        if pool.term == "Reserved":
            # A one-year partial-upfront reservation bought this month: the upfront fee is
            # billed now, and amortized into the hourly effective cost (RI_UPFRONT_HOURLY).
            lines.append(_line(
                ids,
                line_item_line_item_type="Fee",
                line_item_usage_start_date=period,
                line_item_usage_end_date=period + timedelta(days=1),
                line_item_product_code="AmazonEC2",
                line_item_usage_type=f"USE1-HeavyUsage:{pool.instance_type}",
                line_item_usage_amount=Decimal(pool.instances),
                line_item_unblended_cost=RI_UPFRONT_HOURLY * 8760 * pool.instances,
                product_instance_type=pool.instance_type,
                pricing_term="Reserved",
            ))
            # The monthly recurring fee: fully used, so amortized to nothing.
            lines.append(_line(
                ids,
                line_item_line_item_type="RIFee",
                line_item_usage_start_date=period,
                line_item_usage_end_date=period + timedelta(days=1),
                line_item_product_code="AmazonEC2",
                line_item_usage_type=f"USE1-HeavyUsage:{pool.instance_type}",
                line_item_usage_amount=Decimal(len(hours)),
                line_item_unblended_cost=(pool.hourly_usd - RI_UPFRONT_HOURLY) * len(hours)
                * pool.instances,
                product_instance_type=pool.instance_type,
                pricing_term="Reserved",
                reservation_unused_amortized_upfront_fee_for_billing_period=Decimal("0"),
                reservation_unused_recurring_fee=Decimal("0"),
            ))
    days_in = sorted({t.date() for t in hours})
    # A Compute Savings Plan covering a CPU fleet: 0.55 $/h committed, 0.50 $/h used.
    for d in days_in:
        t = datetime(d.year, d.month, d.day)
        for rid in ("i-0webfleet0001", "i-0webfleet0002"):
            od = Decimal("0.384") * 24
            common = dict(
                line_item_usage_start_date=t,
                line_item_usage_end_date=t + timedelta(days=1),
                line_item_product_code="AmazonEC2",
                line_item_usage_type="USE1-BoxUsage:m5.2xlarge",
                line_item_operation="RunInstances",
                line_item_resource_id=rid,
                line_item_usage_amount=Decimal("24"),
                product_instance_type="m5.2xlarge",
                pricing_term="OnDemand",
                pricing_unit="Hrs",
                resource_tags={"user_pool": "web"},
            )
            lines.append(_line(
                ids, line_item_line_item_type="SavingsPlanCoveredUsage",
                line_item_unblended_rate=Decimal("0.384"), line_item_unblended_cost=od,
                pricing_public_on_demand_cost=od,
                savings_plan_savings_plan_effective_cost=Decimal("0.25") * 24, **common,
            ))
            lines.append(_line(
                ids, line_item_line_item_type="SavingsPlanNegation",
                line_item_unblended_cost=-od, **common,
            ))
        lines.append(_line(
            ids,
            line_item_line_item_type="SavingsPlanRecurringFee",
            line_item_usage_start_date=t,
            line_item_usage_end_date=t + timedelta(days=1),
            line_item_product_code="ComputeSavingsPlans",
            line_item_usage_type="ComputeSP:1yrNoUpfront",
            line_item_usage_amount=Decimal("24"),
            line_item_unblended_cost=Decimal("0.55") * 24,
            savings_plan_total_commitment_to_date=Decimal("0.55") * 24,
            savings_plan_used_commitment=Decimal("0.50") * 24,
        ))
    bedrock = Decimal("0")
    bedrock_tokens = 0
    for d in days_in:
        t = datetime(d.year, d.month, d.day)
        for usage_type, unit, price, _model, _kind in BEDROCK_LINES:
            per_unit = 1_000 if unit.startswith("1K") else 1_000_000
            tokens = rng.randrange(2_000_000, 40_000_000, 1000)
            amount = Decimal(tokens) / per_unit
            cost = (amount * price).quantize(Decimal("0.0000000001"))
            bedrock += cost
            bedrock_tokens += tokens
            lines.append(_line(
                ids,
                line_item_line_item_type="Usage",
                line_item_usage_start_date=t,
                line_item_usage_end_date=t + timedelta(days=1),
                line_item_product_code="AmazonBedrock",
                line_item_usage_type=usage_type,
                line_item_operation="InvokeModelInference",
                line_item_usage_amount=amount,
                line_item_unblended_rate=price,
                line_item_unblended_cost=cost,
                line_item_iam_principal=f"arn:aws:iam::{ACCOUNT}:role/support-bot",
                pricing_term="OnDemand",
                pricing_unit=unit,
                pricing_public_on_demand_cost=cost,
                resource_tags={"user_team": "support"},
            ))
    for kind, amount in (("Credit", Decimal("-250.00")), ("Refund", Decimal("-42.17")),
                         ("Tax", Decimal("1234.56"))):
        lines.append(_line(
            ids,
            line_item_line_item_type=kind,
            line_item_usage_start_date=period,
            line_item_usage_end_date=period + timedelta(days=1),
            line_item_product_code="AmazonEC2",
            line_item_usage_type="" if kind != "Tax" else "USE1-Tax",
            line_item_unblended_cost=amount,
        ))
    truth = {
        "billing_month": period.date().isoformat(),
        "billed_cost_usd": str(sum((x["line_item_unblended_cost"] for x in lines), Decimal(0))),
        "effective_cost_usd": str(sum((_amortized(x) for x in lines), Decimal(0))),
        "bedrock_cost_usd": str(bedrock),
        "bedrock_tokens": bedrock_tokens,
        "pools": {k: {"gpu_hours": v["gpu_hours"], "cost_usd": str(v["cost_usd"])}
                  for k, v in pools.items()},
    }
    return lines, truth


def _amortized(x: dict) -> Decimal:
    """AWS's amortized cost of one line (Cost Explorer's definition)."""
    kind = x["line_item_line_item_type"]
    if kind == "SavingsPlanCoveredUsage":
        return x["savings_plan_savings_plan_effective_cost"]
    if kind == "DiscountedUsage":
        return x["reservation_effective_cost"]
    if kind in ("SavingsPlanNegation", "SavingsPlanUpfrontFee") or (
        kind == "Fee" and "HeavyUsage" in x["line_item_usage_type"]
    ):
        return Decimal("0")
    if kind == "SavingsPlanRecurringFee":
        return x["savings_plan_total_commitment_to_date"] - x["savings_plan_used_commitment"]
    if kind == "RIFee":
        return (x["reservation_unused_amortized_upfront_fee_for_billing_period"]
                + x["reservation_unused_recurring_fee"])
    return x["line_item_unblended_cost"]


CUR_TYPES = {
    "line_item_usage_start_date": "timestamp",
    "line_item_usage_end_date": "timestamp",
    "line_item_usage_amount": "decimal(38,10)",
    "line_item_unblended_rate": "decimal(38,10)",
    "line_item_unblended_cost": "decimal(38,10)",
    "pricing_public_on_demand_cost": "decimal(38,10)",
    "savings_plan_savings_plan_effective_cost": "decimal(38,10)",
    "savings_plan_total_commitment_to_date": "decimal(38,10)",
    "savings_plan_used_commitment": "decimal(38,10)",
    "reservation_effective_cost": "decimal(38,10)",
    "reservation_unused_amortized_upfront_fee_for_billing_period": "decimal(38,10)",
    "reservation_unused_recurring_fee": "decimal(38,10)",
}


def write_cur_parquet(lines: list[dict], path: Path, billing_period: date) -> None:
    """CUR 2.0 as AWS writes it to S3: Parquet, tags as a map column."""
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(lines[0])
    con = duckdb.connect()
    try:
        types = {**CUR_TYPES, "resource_tags": "map(varchar, varchar)"}
        defs = ", ".join(f"{c} {types.get(c, 'varchar')}" for c in columns)
        con.execute(f"create table cur ({defs})")
        rows = [[x[c] for c in columns] for x in lines]
        con.executemany(f"insert into cur values ({', '.join('?' for _ in columns)})", rows)
        con.execute(
            "copy (select ? :: timestamp as bill_billing_period_start_date, * from cur "
            "order by identity_line_item_id) to "
            f"'{path}' (format parquet)",
            [datetime(billing_period.year, billing_period.month, 1)],
        )
    finally:
        con.close()


# Azure FOCUS 1.2: Azure OpenAI token meters, billed in EUR, and one A100 VM.
AZURE_OPENAI = (
    ("gpt-4o 1120 Inp glbl Tokens", "1K Tokens", Decimal("0.0023")),
    ("gpt 4o 1120 cached Inp glbl Tokens", "1K Tokens", Decimal("0.00115")),
    ("gpt-4o 1120 Outp glbl Tokens", "1K Tokens", Decimal("0.0092")),
)
FOCUS_HEADER = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency",
    "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
    "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
    "CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
    "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName",
    "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName",
    "Tags", "x_SkuMeterCategory", "x_SkuMeterName", "x_SkuMeterSubcategory",
    "x_BillingExchangeRate",
)
AZURE_VM = "/subscriptions/0f1e2d3c-aaaa-bbbb-cccc-000000000001/resourcegroups/ml/providers/" \
    "microsoft.compute/virtualmachines/a100-research-01"


def focus_rows(start: date, days: int, seed: int) -> tuple[list[dict], dict]:
    rng = random.Random(seed * 17 + 3)
    hours = window(start, days)
    days_in = sorted({t.date() for t in hours})
    p_start = date(start.year, start.month, 1)
    p_end = (p_start.replace(day=28) + timedelta(days=4)).replace(day=1)
    rows = []
    openai_eur = Decimal("0")
    vm_eur = Decimal("0")

    def row(**kw: object) -> dict:
        base = {h: "" for h in FOCUS_HEADER}
        base.update(
            BillingAccountId="0f1e2d3c-aaaa-bbbb-cccc-000000000001",
            BillingAccountName="Contoso ML", BillingCurrency="EUR",
            BillingPeriodStart=f"{p_start}T00:00:00Z", BillingPeriodEnd=f"{p_end}T00:00:00Z",
            ChargeCategory="Usage", ChargeFrequency="Usage-Based",
            InvoiceIssuerName="Microsoft", ProviderName="Microsoft", PublisherName="Microsoft",
            RegionId="swedencentral", RegionName="Sweden Central", PricingCategory="Standard",
            SubAccountId="0f1e2d3c-aaaa-bbbb-cccc-000000000001", SubAccountName="ml-prod",
            x_BillingExchangeRate="0.92",
        )
        base.update({k: str(v) for k, v in kw.items()})
        return base

    for d in days_in:
        for meter, unit, price in AZURE_OPENAI:
            qty = Decimal(rng.randrange(5_000, 60_000))
            cost = qty * price
            openai_eur += cost
            rows.append(row(
                BilledCost=cost, EffectiveCost=cost, ListCost=cost, ContractedCost=cost,
                ChargeDescription=meter, ChargePeriodStart=f"{d}T00:00:00Z",
                ChargePeriodEnd=f"{d + timedelta(days=1)}T00:00:00Z",
                ConsumedQuantity=qty * 1000, ConsumedUnit="Tokens", PricingQuantity=qty,
                PricingUnit=unit, ListUnitPrice=price, ContractedUnitPrice=price,
                ResourceId="/subscriptions/0f1e2d3c-aaaa-bbbb-cccc-000000000001/resourcegroups/"
                "ml/providers/microsoft.cognitiveservices/accounts/contoso-openai",
                ResourceName="contoso-openai", ResourceType="Cognitive Services",
                ServiceCategory="AI and Machine Learning", ServiceName="Azure OpenAI Service",
                SkuId="DZH318Z08M5N", SkuPriceId=f"DZH318Z08M5N-{meter[:6]}",
                Tags=json.dumps({"team": "support"}), x_SkuMeterCategory="Cognitive Services",
                x_SkuMeterName=meter, x_SkuMeterSubcategory="Azure OpenAI",
            ))
        vm_price = Decimal("3.3420")
        cost = vm_price * 24
        vm_eur += cost
        rows.append(row(
            BilledCost=cost, EffectiveCost=cost, ListCost=cost, ContractedCost=cost,
            ChargeDescription="NC24ads A100 v4", ChargePeriodStart=f"{d}T00:00:00Z",
            ChargePeriodEnd=f"{d + timedelta(days=1)}T00:00:00Z", ConsumedQuantity=24,
            ConsumedUnit="Hours", PricingQuantity=24, PricingUnit="1 Hour",
            ListUnitPrice=vm_price, ContractedUnitPrice=vm_price, ResourceId=AZURE_VM,
            ResourceName="a100-research-01", ResourceType="Virtual machine",
            ServiceCategory="Compute", ServiceName="Virtual Machines", SkuId="DZH318Z0BQ4L",
            SkuPriceId="DZH318Z0BQ4L-NC24ads", Tags=json.dumps({"pool": "azure-research"}),
            x_SkuMeterCategory="Virtual Machines", x_SkuMeterName="NC24ads A100 v4",
            x_SkuMeterSubcategory="Standard_NC24ads_A100_v4",
        ))
    truth = {
        "billing_currency": "EUR",
        "azure_openai_cost_eur": str(openai_eur),
        "azure_gpu_cost_eur": str(vm_eur),
        "gpu_hours": len(days_in) * 24,
    }
    return rows, truth


def write_focus_csv(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=FOCUS_HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_cloud_bills(out_dir: Path, start: date, days: int, seed: int) -> dict:
    """Write the CUR and the FOCUS export under ``out_dir``; return their truths."""
    lines, cur_truth = cur_lines(start, days, seed)
    month = date(start.year, start.month, 1)
    write_cur_parquet(
        lines, out_dir / "aws" / f"cur2-{month:%Y-%m}-00001.snappy.parquet", month
    )
    rows, focus_truth = focus_rows(start, days, seed)
    write_focus_csv(rows, out_dir / "azure" / f"focus-{month:%Y-%m}.csv")
    return {"aws_cur": cur_truth, "azure_focus": focus_truth}


__all__ = ["POOLS", "Pool", "resource_ids", "window", "write_cloud_bills"]
