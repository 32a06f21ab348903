"""Exports the tests land besides the demo's: a late gateway export that corrects one request
and adds two, and the format fixtures that land cleanly.

Imported as `tests.support.exports` (tests/ has no __init__ files; pytest puts the repo root
on the path).
"""

from __future__ import annotations

import csv
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


# Fixture folders whose files are real-format exports every lane lands.
FIXTURE_FOLDERS = {"litellm", "otel", "openai", "anthropic", "cloud", "gpu", "real_clients"}


def late_export(exports_dir: Path, out_path: Path, new_id_prefix: str) -> str:
    """Write a later gateway export to OUT_PATH: the first request of EXPORTS_DIR's spend logs
    re-sent with 1000 more completion tokens, and the next two re-sent as new requests
    `<new_id_prefix>-0001` and `<new_id_prefix>-0002`. Returns the corrected request's id."""
    source = exports_dir / "gateway" / "litellm_spend_logs.csv"
    with source.open(newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r, _ in zip(reader, range(3), strict=False)]
        header = reader.fieldnames
    corrected, new_a, new_b = (dict(r) for r in rows)
    corrected["completion_tokens"] = str(int(corrected["completion_tokens"]) + 1000)
    new_a["request_id"], new_b["request_id"] = f"{new_id_prefix}-0001", f"{new_id_prefix}-0002"
    with out_path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows([corrected, new_a, new_b])
    return corrected["request_id"]


def fixture_exports() -> list[Path]:
    """The format fixtures that land cleanly: the exports under tests/fixtures/{litellm,otel,
    openai,anthropic,cloud,gpu} but the `bad*` ones. OpenTelemetry spans (attribute names with
    dots), standard-logging payloads (epoch times), GPU-cloud invoices, nvidia-smi logs and
    OpenCost allocations give the staging models the demo leaves empty rows."""
    files = [p for p in FIXTURES.rglob("*") if p.is_file()]
    return sorted(
        p for p in files
        if p.parent.name in FIXTURE_FOLDERS
        and not p.name.startswith("bad")
        and p.suffix != ".md"
    )
