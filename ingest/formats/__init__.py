"""The source formats ailedger reads, in the order they are tried when recognising a file.

More specific formats come first: a format whose signature is a subset of another's would
otherwise claim the other's files.
"""

from __future__ import annotations

from ingest.errors import AiledgerError
from ingest.formats.base import Field, Format, Head
from ingest.formats.litellm import (
    LiteLLMSpendLogsCsv,
    LiteLLMSpendLogsJsonl,
    LiteLLMStandardLogging,
)
from ingest.formats.otel import OtelFlatSpans, OtelOtlpJson

FORMATS: list[Format] = [
    LiteLLMSpendLogsCsv(),
    LiteLLMSpendLogsJsonl(),
    LiteLLMStandardLogging(),
    OtelOtlpJson(),
    OtelFlatSpans(),
]

try:  # provider formats are registered by ingest.formats.providers
    from ingest.formats.providers import PROVIDER_FORMATS

    FORMATS += PROVIDER_FORMATS
except ImportError:  # pragma: no cover - during development only
    pass

# Cloud bills and GPU telemetry (ingest.formats.cloud): signatures disjoint from the above.
from ingest.formats.cloud import CLOUD_FORMATS  # noqa: E402

FORMATS += CLOUD_FORMATS


def by_name(name: str) -> Format:
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in FORMATS)
    raise AiledgerError(f"unknown format {name!r}", hint=f"known formats: {known}")


__all__ = ["FORMATS", "Field", "Format", "Head", "by_name"]
