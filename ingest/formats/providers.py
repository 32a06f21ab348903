"""Provider-side formats (what was billed), in the order they are tried."""

from __future__ import annotations

from ingest.formats.anthropic import (
    AnthropicConsoleCostCsv,
    AnthropicConsoleUsageCsv,
    AnthropicCostReportApi,
    AnthropicUsageReportApi,
)
from ingest.formats.base import Format
from ingest.formats.openai import (
    OpenAICostsApi,
    OpenAICostsCsv,
    OpenAIUsageCompletionsApi,
    OpenAIUsageCompletionsCsv,
)

# Each pair's sniffers exclude one another, so the order among these does not matter.
PROVIDER_FORMATS: list[Format] = [
    OpenAIUsageCompletionsApi(),
    OpenAICostsApi(),
    OpenAIUsageCompletionsCsv(),
    OpenAICostsCsv(),
    AnthropicUsageReportApi(),
    AnthropicCostReportApi(),
    AnthropicConsoleUsageCsv(),
    AnthropicConsoleCostCsv(),
]

__all__ = ["PROVIDER_FORMATS"]
