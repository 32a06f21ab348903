"""Demo GPU telemetry for the planted pools, and the waste each pool should show.

Three pools are scraped by Prometheus and exported with a range query (DCGM_FI_DEV_GPU_UTIL,
memory, power, two samples an hour); the fine-tuning node only exposes the profiling metric
DCGM_FI_PROF_GR_ENGINE_ACTIVE (a 0-1 ratio) and is saved as Prometheus text scrapes. The
Neuron pool has no NVIDIA telemetry at all. Truths follow the documented rules and default
vars (README, "GPUs"), computed here from the generated samples.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from ingest.demo.cloud_bills import POOLS, Pool, resource_ids, window

# Defaults of the dbt vars the truths depend on (dbt_project.yml).
FLOOR_PCT = 5
WORKING_HOURS = (8, 20)
# H100 -> L4 (seeds/gpu_downsize_options.csv): the realtime model needs 16 GB.
OVERSIZED_SAVING = Decimal("0.93")
FINETUNE_ACTIVE_HOURS = 48
SENTINEL = "9223372036854775794"
HOSTS = {"batch-embeddings": ["ip-10-0-1-11.ec2.internal", "ip-10-0-1-12.ec2.internal"]}


def _utilization(pool: Pool, hour: datetime, index: int, rng: random.Random) -> float:
    """Percent busy of one GPU in one half hour, by the pool's story."""
    if pool.pool == "batch-embeddings":
        busy = WORKING_HOURS[0] <= hour.hour < WORKING_HOURS[1]
        return rng.uniform(38, 50) if busy else rng.uniform(0, 2)
    if pool.pool == "realtime-inference":
        return rng.uniform(56, 66)
    if pool.pool == "llama-finetune":
        return rng.uniform(85, 97) if index < FINETUNE_ACTIVE_HOURS else rng.uniform(0, 1)
    return rng.uniform(6, 10)  # dev-endpoint


MEMORY_MIB = {"batch-embeddings": 30_000, "realtime-inference": 16_000,
              "llama-finetune": 70_000, "dev-endpoint": 6_000}


def write_gpu_telemetry(out_dir: Path, start, days: int, seed: int,
                        pool_costs: dict[str, dict]) -> dict:
    """Write the telemetry files under ``out_dir``; return each pool's planted truth."""
    rng = random.Random(seed * 13 + 1)
    hours = window(start, days)
    series: list[dict] = []
    text_lines: list[str] = []
    truth: dict[str, dict] = {}
    for pool in POOLS:
        if pool.instance_type.startswith(("inf", "trn")):
            truth[pool.pool] = {"waste_driver": None, "avg_utilization_pct": None,
                                "untracked_gpu_hours": len(hours) * pool.gpus * pool.instances}
            continue
        hourly: list[float] = []
        last_active = -1
        for n, rid in enumerate(resource_ids(pool)):
            host = HOSTS.get(pool.pool, [rid] * pool.instances)[n]
            for gpu in range(pool.gpus):
                labels = {"gpu": str(gpu), "UUID": f"GPU-{rid[3:]}-{gpu:02d}",
                          "device": f"nvidia{gpu}", "modelName": pool.instance_type,
                          "Hostname": host, "container": "", "namespace": "", "pod": ""}
                util, mem, power = [], [], []
                for i, t in enumerate(hours):
                    halves = [_utilization(pool, t, i, rng) for _ in range(2)]
                    hourly.append(sum(halves) / 2)
                    if sum(halves) / 2 >= FLOOR_PCT:
                        last_active = max(last_active, i)
                    for h, u in enumerate(halves):
                        ts = int((t + timedelta(minutes=30 * h)).replace(tzinfo=UTC).timestamp())
                        util.append([ts, f"{u:.4f}"])
                        mem.append([ts, str(MEMORY_MIB[pool.pool] + rng.randrange(0, 200))])
                        power.append([ts, f"{80 + 4 * u:.2f}"])
                if pool.pool == "llama-finetune":
                    for (ts, u), (_, m) in zip(util, mem, strict=True):
                        text_lines.append(_sample(
                            "DCGM_FI_PROF_GR_ENGINE_ACTIVE", labels,
                            f"{float(u) / 100:.6f}", ts * 1000))
                        text_lines.append(_sample("DCGM_FI_DEV_FB_USED", labels, m, ts * 1000))
                    continue
                # One "not supported" sample per GPU: dropped by staging.
                power[0][1] = SENTINEL
                for name, values in (("DCGM_FI_DEV_GPU_UTIL", util),
                                     ("DCGM_FI_DEV_FB_USED", mem),
                                     ("DCGM_FI_DEV_POWER_USAGE", power)):
                    series.append({"metric": {"__name__": name, **labels,
                                              "instance": f"{host}:9400",
                                              "job": "dcgm-exporter"},
                                   "values": values})
        cost = Decimal(pool_costs[pool.pool]["cost_usd"])
        gpu_hours = len(hours) * pool.gpus * pool.instances
        idle = sum(1 for u in hourly if u < FLOOR_PCT)
        per_hour = pool.hourly_usd * pool.instances
        if pool.driver == "idle":
            recoverable = cost * Decimal(idle / gpu_hours).quantize(Decimal("1e-9"))
        elif pool.driver == "oversized":
            recoverable = cost * OVERSIZED_SAVING
        elif pool.driver == "orphaned":
            recoverable = per_hour * (len(hours) - last_active - 1)
        else:  # always_on_dev: the hours outside working hours
            off = sum(1 for t in hours if not WORKING_HOURS[0] <= t.hour < WORKING_HOURS[1])
            recoverable = per_hour * off
        truth[pool.pool] = {
            "waste_driver": pool.driver,
            "avg_utilization_pct": round(sum(hourly) / len(hourly), 4),
            "idle_gpu_hours": idle,
            "recoverable_usd": str(recoverable),
            "untracked_gpu_hours": 0,
        }
    month = hours[0].strftime("%Y-%m")
    gpu_dir = out_dir / "gpu"
    gpu_dir.mkdir(parents=True, exist_ok=True)
    doc = {"status": "success", "data": {"resultType": "matrix", "result": series}}
    (gpu_dir / f"dcgm_range_{month}.json").write_text(
        json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    header = ["# HELP DCGM_FI_PROF_GR_ENGINE_ACTIVE Ratio of time the graphics engine is active.",
              "# TYPE DCGM_FI_PROF_GR_ENGINE_ACTIVE gauge"]
    (gpu_dir / f"dcgm_finetune_scrapes_{month}.prom").write_text(
        "\n".join(header + text_lines) + "\n", encoding="utf-8")
    return truth


# The realtime pool serves a self-hosted model the gateway logs (seeds/gpu_inference_endpoints.csv).
ENDPOINT_MODEL = "hosted_vllm/meta-llama/Llama-3.1-8B-Instruct"
ENDPOINT_API_BASE = "http://vllm-realtime.inference.svc:8000/v1"
ENDPOINT_REQUESTS_PER_DAY = 200
# claude-haiku-4-5, the comparable API model: list prices per 1M tokens (seeds/model_prices.csv).
COMPARABLE_PRICES = (Decimal("1"), Decimal("5"))


def write_endpoint_logs(out_dir: Path, start, days: int, seed: int, pool_cost: str) -> dict:
    """LiteLLM spend logs of the self-hosted endpoint on the realtime pool; its unit cost."""
    import csv

    from ingest.demo.litellm_export import COLUMNS

    rng = random.Random(seed * 7 + 11)
    day_starts = sorted({t.replace(hour=0) for t in window(start, days)})
    rows, prompt_total, completion_total = [], 0, 0
    for d in day_starts:
        for n in range(ENDPOINT_REQUESTS_PER_DAY):
            at = d + timedelta(seconds=rng.randrange(0, 86_400))
            prompt, completion = rng.randrange(800, 3200), rng.randrange(100, 600)
            prompt_total += prompt
            completion_total += completion
            row = dict.fromkeys(COLUMNS, "")
            row.update({
                "request_id": f"vllm-{d:%Y%m%d}-{n:04d}", "call_type": "acompletion",
                "spend": "0.0", "total_tokens": prompt + completion, "prompt_tokens": prompt,
                "completion_tokens": completion,
                "startTime": at.strftime("%Y-%m-%d %H:%M:%S.000"),
                "endTime": (at + timedelta(seconds=2)).strftime("%Y-%m-%d %H:%M:%S.000"),
                "model": ENDPOINT_MODEL, "model_group": "llama-3.1-8b",
                "custom_llm_provider": "hosted_vllm", "api_base": ENDPOINT_API_BASE,
                "metadata": json.dumps({"user_api_key_team_alias": "support"}),
                "cache_hit": "False", "request_tags": "[]", "status": "success",
            })
            rows.append(row)
    path = out_dir / "gateway" / "litellm_spend_logs_self_hosted.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tokens = prompt_total + completion_total
    api_cost = (prompt_total * COMPARABLE_PRICES[0] + completion_total * COMPARABLE_PRICES[1]) \
        / 1_000_000
    return {
        "endpoint": "vllm-realtime",
        "request_count": len(rows),
        "total_tokens": tokens,
        "gpu_cost_usd": pool_cost,
        "cost_per_1m_tokens_usd": str(Decimal(pool_cost) * 1_000_000 / tokens),
        "api_cost_usd": str(api_cost),
    }


def _sample(name: str, labels: dict[str, str], value: str, ts_ms: int) -> str:
    body = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{body}}} {value} {ts_ms}"


__all__ = ["write_endpoint_logs", "write_gpu_telemetry"]
