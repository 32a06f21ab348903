"""The source formats ailedger reads, in the order they are tried when recognising a file.

More specific formats come first: a format whose signature is a subset of another's would
otherwise claim the other's files.
"""

from __future__ import annotations

from ingest.errors import AiledgerError
from ingest.formats.base import Field, Format, Head
from ingest.formats.litellm import (
    LiteLLMEndUserTableCsv,
    LiteLLMSpendLogsCsv,
    LiteLLMSpendLogsJsonl,
    LiteLLMStandardLogging,
    LiteLLMTeamTableCsv,
    LiteLLMVerificationTokenCsv,
)
from ingest.formats.otel import OtelConsoleSpans, OtelFlatSpans, OtelOtlpJson

FORMATS: list[Format] = [
    LiteLLMSpendLogsCsv(),
    LiteLLMSpendLogsJsonl(),
    LiteLLMStandardLogging(),
    LiteLLMVerificationTokenCsv(),
    LiteLLMTeamTableCsv(),
    LiteLLMEndUserTableCsv(),
    OtelOtlpJson(),
    OtelFlatSpans(),
    OtelConsoleSpans(),
]

# Provider formats live in their own modules; a broken one must fail loudly, not make its
# formats vanish from recognition.
from ingest.formats.providers import PROVIDER_FORMATS  # noqa: E402

FORMATS += PROVIDER_FORMATS

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
