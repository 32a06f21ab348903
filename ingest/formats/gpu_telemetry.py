"""GPU telemetry: DCGM exporter scrapes, Prometheus range-query exports, nvidia-smi CSV logs,
and OpenCost / Kubecost ``/allocation`` responses.

Values land as the source gives them: DCGM profiling metrics stay 0-1 ratios and DCGM's
"not supported" sentinels land too (staging drops them), so nothing is lost at the door.
nvidia-smi writes local time without an offset: the zone it was written in is
``AILEDGER_NVIDIA_SMI_TIMEZONE`` (an IANA name, default UTC); timestamps with an offset are
read as given.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from ingest.errors import AiledgerError
from ingest.formats import sql
from ingest.formats.base import Field, Format, Head, stage_json_records
from ingest.formats.readers import read_json_documents, read_json_lines, require_page_key
from ingest.formats.tabular import TabularFormat

DCGM_FIELDS = (
    Field("metric_name", "$.__name__", required=True, not_null=True),
    Field("sampled_at", "$._t", "timestamp", not_null=True),
    Field("value", "$._v", "double", required=True, not_null=True),
    Field("gpu", "$.gpu"),
    Field("uuid", "$.UUID"),
    Field("device", "$.device"),
    Field("model_name", "$.modelName"),
    Field("hostname", "$.Hostname"),
    Field("container", "$.container"),
    Field("namespace", "$.namespace"),
    Field("pod", "$.pod"),
)
# One Prometheus sample line: name, optional {labels}, value, optional timestamp (ms).
SAMPLE = r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?[ \t]+([^ \t]+)([ \t]+(-?[0-9]+))?[ \t]*$"
LABEL = r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"'
# A scrape saved without sample timestamps takes its time from the file name.
NAME_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T_ ](\d{2})[:-]?(\d{2})[:-]?(\d{2})Z?")


class DcgmPrometheusText(Format):
    """DCGM exporter ``/metrics`` scrapes (Prometheus text format), one or many in a file."""

    name = "dcgm_prometheus_text"
    table = "dcgm_samples"
    description = "NVIDIA DCGM exporter scrape(s), Prometheus text format"
    fields = DCGM_FIELDS

    def sniff(self, head: Head) -> bool:
        if head.looks_like_json():
            return False
        samples = [ln for ln in head.text.splitlines()[:200] if ln and not ln.startswith("#")]
        return bool(samples) and samples[0].startswith("DCGM_FI_") and bool(
            re.match(SAMPLE, samples[0])
        )

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        read_json_lines(con, path, label)  # one text line per record, unparsed
        m = NAME_TIME.search(path.name)
        file_ms = (
            "null"
            if m is None
            else f"epoch_ms(timestamp '{m[1]} {m[2]}:{m[3]}:{m[4]}')"
        )
        def group(n: int) -> str:
            return f"regexp_extract(t, '{SAMPLE}', {n})"

        labels = group(3)
        lines = """(select _row_number, trim(line) as t from json_records
                    where not starts_with(trim(line), '#'))"""
        con.execute(
            f"""
            insert into incoming_rejects
            select _row_number, null,
                   'not a Prometheus sample line (name{{labels}} value [timestamp])', left(t, 200)
            from {lines} where not regexp_matches(t, '{SAMPLE}')
            """
        )
        records = f"""
            select _row_number,
                cast(json_merge_patch(
                    to_json(map(regexp_extract_all({labels}, '{LABEL}', 1),
                                regexp_extract_all({labels}, '{LABEL}', 2))),
                    json_object('__name__', {group(1)}, '_v', {group(4)},
                                '_t', coalesce(nullif({group(6)}, ''), cast({file_ms} as varchar)))
                ) as varchar) as rec
            from {lines} where regexp_matches(t, '{SAMPLE}')
        """
        stage_json_records(con, self, records, label)


class DcgmPrometheusRangeJson(Format):
    """A Prometheus ``/api/v1/query_range`` response (``resultType: matrix``) of DCGM series."""

    name = "dcgm_prometheus_range_json"
    table = "dcgm_samples"
    description = "Prometheus range-query JSON export of DCGM exporter series"
    fields = DCGM_FIELDS

    def sniff(self, head: Head) -> bool:
        text = head.text
        return (
            head.looks_like_json()
            and '"resultType"' in text
            and '"matrix"' in text
            and "DCGM_FI_" in text
        )

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        read_json_documents(con, path, label)
        require_page_key(con, "data.result", label, self.name)
        records = """
            with series as (
                select _page_number, s.i as series_index, s.series->'metric' as metric,
                       cast(json_extract(s.series, '$.values[*]') as json[]) as points
                from pages,
                     unnest(cast(json_extract(page, '$.data.result[*]') as json[]))
                       with ordinality as s(series, i)
            )
            select row_number() over (order by _page_number, series_index, p.j) as _row_number,
                   json_merge_patch(metric, json_object('_t', p.point->>'$[0]',
                                                        '_v', p.point->>'$[1]')) as rec
            from series, unnest(points) with ordinality as p(point, j)
        """
        stage_json_records(con, self, records, label)


def _smi_column(column: str) -> str:
    """``' utilization.gpu [%]'`` -> ``utilization.gpu``."""
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", column.strip()).lower()


SMI_MEASURES = ("utilization.gpu", "utilization.memory", "memory.used", "power.draw")
SMI_IDS = ("index", "uuid", "name", "gpu", "pci.bus_id", "gpu_uuid", "gpu_name")
SMI_TIME_FORMATS = "['%Y/%m/%d %H:%M:%S.%g', '%Y/%m/%d %H:%M:%S', '%Y-%m-%d %H:%M:%S.%g', " \
    "'%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S.%g', '%Y-%m-%dT%H:%M:%S']"


def smi_timezone() -> str:
    zone = os.environ.get("AILEDGER_NVIDIA_SMI_TIMEZONE") or "UTC"
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", zone):
        raise AiledgerError(f"AILEDGER_NVIDIA_SMI_TIMEZONE={zone!r} is not a time zone name")
    return zone


class NvidiaSmiCsv(TabularFormat):
    """``nvidia-smi --query-gpu=... --format=csv[,nounits]`` logs, any fields in any order."""

    name = "nvidia_smi_csv"
    table = "nvidia_smi_samples"
    description = "nvidia-smi --query-gpu CSV log (with or without units, any field subset)"
    fields = (
        Field("sampled_at", "timestamp", "timestamp", required=True, not_null=True),
        Field("gpu_index", "index", "integer"),
        Field("gpu_name", "name"),
        Field("uuid", "uuid"),
        Field("pci_bus_id", "pci.bus_id"),
        Field("hostname", "hostname"),
        Field("utilization_gpu_percent", "utilization.gpu", "double"),
        Field("utilization_memory_percent", "utilization.memory", "double"),
        Field("memory_total_mib", "memory.total", "double"),
        Field("memory_used_mib", "memory.used", "double"),
        Field("power_draw_w", "power.draw", "double"),
        Field("temperature_gpu_c", "temperature.gpu", "double"),
    )
    derived = {"source_timezone": "VARCHAR"}

    def canonical(self, column: str) -> str:
        name = _smi_column(column)
        # Own scripts write `gpu` for the name or the index: it lands in _extra, as given.
        return {"gpu_uuid": "uuid", "gpu_name": "name", "gpu_index": "index"}.get(name, name)

    def matches(self, columns: list[str]) -> bool:
        names = {_smi_column(c) for c in columns}
        return (
            "timestamp" in names
            and bool(names & set(SMI_MEASURES))
            and bool(names & set(SMI_IDS))
        )

    def value_expr(self, field: Field, column: str) -> str:
        x = f"trim(rec.{sql.ident(column)})"
        if field.kind in ("double", "integer"):
            return (
                f"case when {x} in ('[N/A]', '[Not Supported]', 'N/A') then null "
                rf"else trim(regexp_replace({x}, '\s*(%|MiB|W|C|MHz)$', '')) end"
            )
        if field.name == "sampled_at":
            zone = smi_timezone()
            local = f"try_strptime({x}, {SMI_TIME_FORMATS})"
            return (
                rf"case when regexp_matches({x}, '(Z|[+-][0-9]{{2}}:?[0-9]{{2}})$') then {x} "
                f"else coalesce(cast(timezone('UTC', timezone({sql.literal(zone)}, {local}))"
                f" as varchar) || '+00:00', {x}) end"
            )
        return x

    def derived_sql(self) -> dict[str, str]:
        return {"source_timezone": sql.literal(smi_timezone())}


class OpenCostAllocation(Format):
    """OpenCost / Kubecost ``/allocation`` responses: windows of allocations by name."""

    name = "opencost_allocation"
    table = "opencost_allocations"
    description = "OpenCost or Kubecost /allocation JSON (GPU hours and cost, __idle__ kept)"
    fields = (
        Field("allocation_name", "$.name", required=True, not_null=True),
        Field("cluster", "$.properties.cluster"),
        Field("node", "$.properties.node"),
        Field("namespace", "$.properties.namespace"),
        Field("controller", "$.properties.controller"),
        Field("pod", "$.properties.pod"),
        Field("container", "$.properties.container"),
        Field("labels", "$.properties.labels", "json"),
        Field("window_start", "$.window.start|$.start", "timestamp", required=True,
              not_null=True),
        Field("window_end", "$.window.end|$.end", "timestamp"),
        Field("gpu_count", "$.gpuCount", "double"),
        Field("gpu_hours", "$.gpuHours", "double"),
        Field("gpu_cost", "$.gpuCost", "decimal"),
        Field("cpu_cost", "$.cpuCost", "decimal"),
        Field("ram_cost", "$.ramCost", "decimal"),
        Field("total_cost", "$.totalCost", "decimal", required=True, not_null=True),
    )

    def sniff(self, head: Head) -> bool:
        text = head.text
        return head.looks_like_json() and '"gpuHours"' in text and '"window"' in text

    def stage(self, con: duckdb.DuckDBPyConnection, path: Path, label: str) -> None:
        read_json_documents(con, path, label)
        require_page_key(con, "data", label, self.name)
        records = """
            with sets as (
                select _page_number, s.i as set_index, s.allocation_set
                from pages,
                     unnest(cast(json_extract(page, '$.data[*]') as json[]))
                       with ordinality as s(allocation_set, i)
            )
            select row_number() over (order by _page_number, set_index, k.j) as _row_number,
                   json_extract(allocation_set, '$."' || k.key || '"') as rec
            from sets, unnest(json_keys(allocation_set)) with ordinality as k(key, j)
        """
        stage_json_records(con, self, records, label)


__all__ = [
    "DcgmPrometheusRangeJson",
    "DcgmPrometheusText",
    "NvidiaSmiCsv",
    "OpenCostAllocation",
]
