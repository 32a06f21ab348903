"""AWS Cost and Usage Reports: CUR 2.0 (Parquet or gzip CSV), legacy CUR CSV, Athena tables.

All three name the same columns three ways: CUR 2.0 ``line_item_usage_type``, legacy CSV
``lineItem/UsageType``, Athena ``line_item_usage_type``. Each header is mapped to the CUR 2.0
name once per file. Tags arrive as a ``resource_tags`` map (CUR 2.0) or one column per tag key
(``resourceTags/user:team``, Athena ``resource_tags_user_team``, a set that changes month to
month); per-tag columns are gathered into one JSON object keyed like CUR 2.0 (``user_team``).
Amounts land as given; effective cost is computed in the models.
"""

from __future__ import annotations

import re

from ingest.formats.base import Field
from ingest.formats.tabular import TabularFormat

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def cur_column(column: str) -> str:
    """The CUR 2.0 name of a legacy or Athena column name."""
    name = column.strip()
    if "/" not in name:
        return name.lower()
    group, _, rest = name.partition("/")
    group = _CAMEL.sub("_", group).lower()
    if group in ("resource_tags", "cost_category"):
        # Tag keys keep their spelling; ':' (user:team) becomes '_' as in CUR 2.0.
        return f"{group}_{rest.replace(':', '_').lower()}"
    return f"{group}_{_CAMEL.sub('_', rest).lower()}"


class AwsCur(TabularFormat):
    """Every CUR shape, landed into one table with CUR 2.0 column names."""

    name = "aws_cur"
    table = "aws_cur"
    description = "AWS Cost and Usage Report (CUR 2.0 Parquet/CSV, legacy CSV, Athena)"
    signature = ("line_item_line_item_type", "line_item_usage_type", "line_item_unblended_cost")
    gathered = {"resource_tags_": "resource_tags_flat", "cost_category_": "cost_category_flat"}
    derived = {"resource_tags_flat": "JSON", "cost_category_flat": "JSON"}
    fields = (
        Field("identity_line_item_id", "identity_line_item_id"),
        Field("bill_billing_period_start_date", "bill_billing_period_start_date", "timestamp"),
        Field("bill_payer_account_id", "bill_payer_account_id"),
        Field("line_item_usage_account_id", "line_item_usage_account_id"),
        Field(
            "line_item_line_item_type", "line_item_line_item_type", required=True, not_null=True
        ),
        Field(
            "line_item_usage_start_date",
            "line_item_usage_start_date",
            "timestamp",
            required=True,
            not_null=True,
        ),
        Field("line_item_usage_end_date", "line_item_usage_end_date", "timestamp"),
        Field("line_item_product_code", "line_item_product_code"),
        Field("line_item_usage_type", "line_item_usage_type", required=True),
        Field("line_item_operation", "line_item_operation"),
        Field("line_item_resource_id", "line_item_resource_id"),
        Field("line_item_line_item_description", "line_item_line_item_description"),
        Field("line_item_usage_amount", "line_item_usage_amount", "decimal"),
        Field("line_item_unblended_rate", "line_item_unblended_rate", "decimal"),
        Field(
            "line_item_unblended_cost",
            "line_item_unblended_cost",
            "decimal",
            required=True,
            not_null=True,
        ),
        Field("line_item_net_unblended_cost", "line_item_net_unblended_cost", "decimal"),
        Field("line_item_currency_code", "line_item_currency_code"),
        Field("line_item_iam_principal", "line_item_iam_principal"),
        Field("product_instance_type", "product_instance_type"),
        Field("product_region_code", "product_region_code"),
        Field("product_servicecode", "product_servicecode"),
        Field("pricing_term", "pricing_term"),
        Field("pricing_unit", "pricing_unit"),
        Field("pricing_public_on_demand_cost", "pricing_public_on_demand_cost", "decimal"),
        Field(
            "savings_plan_savings_plan_effective_cost",
            "savings_plan_savings_plan_effective_cost",
            "decimal",
        ),
        Field("reservation_effective_cost", "reservation_effective_cost", "decimal"),
        Field(
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            "decimal",
        ),
        Field("reservation_unused_recurring_fee", "reservation_unused_recurring_fee", "decimal"),
        Field(
            "savings_plan_total_commitment_to_date",
            "savings_plan_total_commitment_to_date",
            "decimal",
        ),
        Field("savings_plan_used_commitment", "savings_plan_used_commitment", "decimal"),
        Field("resource_tags", "resource_tags", "json"),
        Field("cost_category", "cost_category", "json"),
        Field("product", "product", "json"),
        Field("tags", "tags", "json"),
    )

    def canonical(self, column: str) -> str:
        return cur_column(column)
