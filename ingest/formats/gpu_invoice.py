"""Invoices of GPU clouds (CoreWeave, Lambda, RunPod ...): one generic CSV layout.

Each cloud names its columns its own way, so which header feeds which field is data: the
column map ``gpu_invoice_columns.csv`` beside this module (one row per field, the accepted
headers separated by ``|``), or the user's own copy named by ``AILEDGER_GPU_INVOICE_COLUMNS``.
A header matches case-insensitively. See the README, "GPU-cloud invoices".
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ingest.errors import AiledgerError
from ingest.formats.base import Field
from ingest.formats.tabular import TabularFormat

DEFAULT_MAP = Path(__file__).with_name("gpu_invoice_columns.csv")
KINDS = {"gpu_count": "decimal", "cost": "decimal", "started_at": "timestamp",
         "ended_at": "timestamp", "tags": "json"}
REQUIRED = ("resource_id", "gpu_type", "gpu_count", "started_at", "ended_at", "cost")


def column_map() -> dict[str, str]:
    """Lower-cased source header -> field name, from the column-map file."""
    path = Path(os.environ.get("AILEDGER_GPU_INVOICE_COLUMNS") or DEFAULT_MAP)
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as exc:
        raise AiledgerError(f"{path}: cannot read the GPU-invoice column map ({exc})") from exc
    mapping: dict[str, str] = {}
    for row in rows:
        field, headers = row.get("field"), row.get("headers")
        if field not in (*REQUIRED, "currency", "tags") or headers is None:
            raise AiledgerError(
                f"{path}: row {row}: expected columns field,headers with a known field",
                hint=f"fields: {', '.join((*REQUIRED, 'currency', 'tags'))}",
            )
        for h in headers.split("|"):
            mapping[h.strip().lower()] = field
    return mapping


class GpuInvoiceCsv(TabularFormat):
    name = "gpu_invoice_csv"
    table = "gpu_invoice"
    description = "GPU-cloud invoice CSV, columns mapped by gpu_invoice_columns.csv"
    signature = REQUIRED
    fields = tuple(
        Field(name, name, KINDS.get(name, "varchar"), required=True, not_null=True)
        for name in REQUIRED
    ) + (Field("currency", "currency"), Field("tags", "tags", "json"))

    def canonical(self, column: str) -> str:
        key = column.strip().lower()
        return column_map().get(key, key)

    def matches(self, columns: list[str]) -> bool:
        mapping = column_map()
        names = {mapping.get(c.strip().lower(), c) for c in columns}
        return set(REQUIRED) <= names
