"""Cloud bills and GPU telemetry formats, in the order they are tried."""

from __future__ import annotations

from ingest.formats.aws_cur import AwsCur
from ingest.formats.base import Format
from ingest.formats.focus import FocusCostAndUsage
from ingest.formats.gpu_invoice import GpuInvoiceCsv
from ingest.formats.gpu_telemetry import (
    DcgmPrometheusRangeJson,
    DcgmPrometheusText,
    NvidiaSmiCsv,
    OpenCostAllocation,
)

CLOUD_FORMATS: list[Format] = [
    AwsCur(),
    FocusCostAndUsage(),
    GpuInvoiceCsv(),
    DcgmPrometheusText(),
    DcgmPrometheusRangeJson(),
    NvidiaSmiCsv(),
    OpenCostAllocation(),
]

__all__ = ["CLOUD_FORMATS"]
