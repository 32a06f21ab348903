"""FOCUS 1.2 / 1.3 cost-and-usage exports (CSV or Parquet), as AWS, Azure and GCP write them.

Column names are the spec's (``BilledCost``, ``ChargePeriodStart`` ...). Provider extension
columns (``x_UsageType``, ``x_SkuMeterName`` ...) are not named by the spec: they are kept,
every one, in ``x_columns`` (JSON), so staging can read the ones a provider documents.
"""

from __future__ import annotations

from ingest.formats.base import Field
from ingest.formats.tabular import TabularFormat


def _f(name: str, source: str, kind: str = "varchar", **kw: bool) -> Field:
    return Field(name, source, kind, **kw)


class FocusCostAndUsage(TabularFormat):
    name = "focus"
    table = "focus_cost_and_usage"
    description = "FOCUS 1.2/1.3 cost and usage export (AWS, Azure, GCP; CSV or Parquet)"
    signature = ("BilledCost", "EffectiveCost", "ChargeCategory", "ChargePeriodStart",
                 "BillingCurrency")
    gathered = {"x_": "x_columns"}
    strip_gathered_prefix = False
    derived = {"x_columns": "JSON"}
    fields = (
        _f("billed_cost", "BilledCost", "decimal", required=True, not_null=True),
        _f("effective_cost", "EffectiveCost", "decimal", required=True),
        _f("list_cost", "ListCost", "decimal"),
        _f("contracted_cost", "ContractedCost", "decimal"),
        _f("billing_currency", "BillingCurrency", required=True, not_null=True),
        _f("billing_account_id", "BillingAccountId"),
        _f("billing_account_name", "BillingAccountName"),
        _f("billing_period_start", "BillingPeriodStart", "timestamp"),
        _f("billing_period_end", "BillingPeriodEnd", "timestamp"),
        _f("charge_period_start", "ChargePeriodStart", "timestamp", required=True,
           not_null=True),
        _f("charge_period_end", "ChargePeriodEnd", "timestamp"),
        _f("charge_category", "ChargeCategory", required=True, not_null=True),
        _f("charge_class", "ChargeClass"),
        _f("charge_frequency", "ChargeFrequency"),
        _f("charge_description", "ChargeDescription"),
        _f("commitment_discount_id", "CommitmentDiscountId"),
        _f("commitment_discount_type", "CommitmentDiscountType"),
        _f("commitment_discount_category", "CommitmentDiscountCategory"),
        _f("commitment_discount_status", "CommitmentDiscountStatus"),
        _f("consumed_quantity", "ConsumedQuantity", "decimal"),
        _f("consumed_unit", "ConsumedUnit"),
        _f("pricing_category", "PricingCategory"),
        _f("pricing_quantity", "PricingQuantity", "decimal"),
        _f("pricing_unit", "PricingUnit"),
        _f("list_unit_price", "ListUnitPrice", "decimal"),
        _f("contracted_unit_price", "ContractedUnitPrice", "decimal"),
        _f("provider_name", "ProviderName"),
        _f("service_provider_name", "ServiceProviderName"),
        _f("publisher_name", "PublisherName"),
        _f("invoice_issuer_name", "InvoiceIssuerName"),
        _f("region_id", "RegionId"),
        _f("resource_id", "ResourceId"),
        _f("resource_name", "ResourceName"),
        _f("resource_type", "ResourceType"),
        _f("service_category", "ServiceCategory"),
        _f("service_name", "ServiceName"),
        _f("sku_id", "SkuId"),
        _f("sku_price_id", "SkuPriceId"),
        _f("sku_meter", "SkuMeter"),
        _f("sub_account_id", "SubAccountId"),
        _f("sub_account_name", "SubAccountName"),
        _f("tags", "Tags", "json"),
    )
