"""The demo generator: real formats, bills that add up, and the planted truths in the files."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingest.demo import generate
from ingest.errors import AiledgerError

REPO = Path(__file__).resolve().parents[2]
SPAN = "2026-07-10_2026-08-08"
SPEND_LOGS = "gateway/litellm_spend_logs.csv"
OPENAI_COSTS = f"openai/costs_{SPAN}.json"
OPENAI_USAGE = f"openai/usage_completions_{SPAN}.json"
ANTHROPIC_COSTS = f"anthropic/cost_report_{SPAN}.json"
ANTHROPIC_USAGE = f"anthropic/usage_report_{SPAN}.json"
CONSOLE = ("anthropic/console_usage_2026-07.csv", "anthropic/console_usage_2026-08.csv")
LITELLM_HEADER = (
    "request_id,call_type,api_key,spend,total_tokens,prompt_tokens,completion_tokens,startTime,"
    "endTime,request_duration_ms,completionStartTime,model,model_id,model_group,"
    "custom_llm_provider,api_base,user,metadata,cache_hit,cache_key,request_tags,team_id,"
    "organization_id,end_user,requester_ip_address,messages,response,session_id,status,"
    "mcp_namespaced_tool_name,agent_id,proxy_server_request"
)
CONSOLE_HEADER = (
    "usage_date_utc,model_version,api_key,workspace,usage_type,context_window,"
    "usage_input_tokens_no_cache,usage_input_tokens_cache_write_5m,"
    "usage_input_tokens_cache_write_1h,usage_input_tokens_cache_read,usage_output_tokens,"
    "web_search_count,inference_geo,speed"
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate(out, requests=5000)


@pytest.fixture(scope="module")
def logs(demo: tuple[Path, dict]) -> duckdb.DuckDBPyConnection:
    """The spend logs in DuckDB, re-priced with the project's seeds by the warehouse's rule."""
    out, _ = demo
    con = duckdb.connect()
    con.execute(
        "create table logs as select * from read_csv(?, header = true, all_varchar = true, "
        "quote = '\"', escape = '\"')",
        [str(out / SPEND_LOGS)],
    )
    con.execute(
        "create table aliases as select provider, lower(alias) as alias, model "
        "from read_csv(?, header = true, all_varchar = true)",
        [str(REPO / "seeds" / "model_aliases.csv")],
    )
    con.execute(
        "create table prices as select * from read_csv(?, header = true, all_varchar = true)",
        [str(REPO / "seeds" / "model_prices.csv")],
    )
    con.execute("""
        create table repriced as
        with parsed as (
            select
                l.*,
                cast("startTime" as timestamp) as started_at,
                coalesce(a.model, lower(l.model)) as canonical_model,
                case when json_type(metadata, '$.usage_object') = 'OBJECT'
                    then json_extract(metadata, '$.usage_object') end as usage,
                coalesce(json_extract_string(metadata, '$.user_api_key_team_alias'),
                         team_id) as team,
                coalesce(json_extract_string(metadata, '$.spend_logs_metadata.feature'),
                         list_filter(cast(json_extract_string(request_tags, '$[*]') as varchar[]),
                                     lambda t: t like 'feature:%')[1][9:]) as feature
            from logs as l
            -- The demo's custom_llm_provider values are the price book's provider names.
            left join aliases as a
                on a.provider = l.custom_llm_provider and a.alias = lower(l.model)
        ),
        tokens as (
            select
                *,
                coalesce(cast(json_extract(usage, '$.prompt_tokens_details.cached_tokens')
                    as bigint), 0) as cached,
                coalesce(cast(json_extract(usage, '$.cache_read_input_tokens') as bigint), 0)
                    as read_tokens,
                coalesce(cast(json_extract(usage, '$.cache_creation.ephemeral_5m_input_tokens')
                    as bigint), 0) as write_5m,
                coalesce(cast(json_extract(usage, '$.cache_creation.ephemeral_1h_input_tokens')
                    as bigint), 0) as write_1h,
                cast(prompt_tokens as bigint) as prompt,
                cast(completion_tokens as bigint) as output
            from parsed
        ),
        disjoint as (
            select
                *,
                case
                    when custom_llm_provider = 'openai' then prompt - cached
                    when json_extract(usage, '$.prompt_tokens_details') is not null
                        then prompt - read_tokens - write_5m - write_1h
                    else prompt
                end as uncached,
                case when custom_llm_provider = 'openai' then cached else read_tokens end
                    as cache_read
            from tokens
        )
        select
            d.*,
            date_trunc('month', cast(started_at as date)) as billing_month,
            (d.uncached * cast(p.input_per_1m_usd as decimal(38, 12))
             + d.cache_read * cast(p.cache_read_per_1m_usd as decimal(38, 12))
             + d.write_5m * coalesce(
                 cast(nullif(p.cache_write_5m_per_1m_usd, '') as decimal(38, 12)), 0)
             + d.write_1h * coalesce(
                 cast(nullif(p.cache_write_1h_per_1m_usd, '') as decimal(38, 12)),
                 cast(nullif(p.cache_write_5m_per_1m_usd, '') as decimal(38, 12)), 0)
             + d.output * cast(p.output_per_1m_usd as decimal(38, 12))) * 0.000001 as cost_usd,
            p.model as priced_model
        from disjoint as d
        left join prices as p
            on p.provider = d.custom_llm_provider
            and p.model = d.canonical_model
            and cast(p.effective_from as date) <= cast(d.started_at as date)
            and (p.effective_to = '' or p.effective_to is null
                 or cast(d.started_at as date) < cast(p.effective_to as date))
    """)
    return con


def _month(day: date) -> str:
    return day.replace(day=1).isoformat()


def _truth_month(truth: dict, month: str) -> dict:
    return next(m for m in truth["months"] if m["billing_month"] == month)


def test_every_file_exists_and_parses_as_its_format(demo: tuple[Path, dict]) -> None:
    out, truth = demo
    with (out / SPEND_LOGS).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert ",".join(rows[0]) == LITELLM_HEADER
    assert len(rows) - 1 == truth["requests"] == 5000
    assert all(len(r) == len(rows[0]) for r in rows)

    # The usage file holds two fetches (batch=false, then batch=true): two page chains.
    for name, fetches in ((OPENAI_COSTS, 1), (OPENAI_USAGE, 2)):
        pages = json.loads((out / name).read_text(encoding="utf-8"))
        assert all(p["object"] == "page" for p in pages)
        buckets = [b for p in pages for b in p["data"]]
        assert len(buckets) == 30 * fetches
        assert all(b["object"] == "bucket" and b["end_time"] - b["start_time"] == 86400
                   for b in buckets)  # fmt: skip
        assert [p["next_page"] is None for p in pages].count(True) == fetches
        assert all(p["has_more"] == (p["next_page"] is not None) for p in pages)
        assert pages[-1]["has_more"] is False
    usage = json.loads((out / OPENAI_USAGE).read_text(encoding="utf-8"))
    assert any(not b["results"] for p in usage for b in p["data"]), "expected empty buckets"

    for name in (ANTHROPIC_COSTS, ANTHROPIC_USAGE):
        pages = json.loads((out / name).read_text(encoding="utf-8"))
        buckets = [b for p in pages for b in p["data"]]
        assert len(buckets) == 30
        assert buckets[0]["starting_at"] == "2026-07-10T00:00:00Z"
        assert buckets[-1]["ending_at"] == "2026-08-09T00:00:00Z"

    for name in CONSOLE:
        text = (out / name).read_text(encoding="utf-8")
        assert text.splitlines()[0] == CONSOLE_HEADER
        assert "≤ 200k" in text
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == truth


def test_invoice_in_truth_is_the_sum_of_the_cost_files(demo: tuple[Path, dict]) -> None:
    out, truth = demo
    billed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    string_amounts = 0
    for page in json.loads((out / OPENAI_COSTS).read_text(), parse_float=Decimal):
        for bucket in page["data"]:
            month = _month(datetime.fromtimestamp(bucket["start_time"], UTC).date())
            for result in bucket["results"]:
                value = result["amount"]["value"]
                string_amounts += isinstance(value, str)
                billed["openai", month] += Decimal(value)
    for page in json.loads((out / ANTHROPIC_COSTS).read_text()):
        for bucket in page["data"]:
            month = _month(date.fromisoformat(bucket["starting_at"][:10]))
            for result in bucket["results"]:
                assert isinstance(result["amount"], str)
                billed["anthropic", month] += Decimal(result["amount"]) / 100

    assert string_amounts > 0, "some OpenAI amounts should be strings"
    assert {m["billing_month"] for m in truth["months"]} == {"2026-07-01", "2026-08-01"}
    for m in truth["months"]:
        for provider in ("openai", "anthropic"):
            assert billed[provider, m["billing_month"]] == Decimal(m["invoice_usd"][provider])
            assert Decimal(m["invoice_usd"][provider]) == (
                Decimal(m["gateway_repriced_usd"][provider]) + Decimal(m["bypass_usd"][provider])
            )
        assert Decimal(m["total_invoice_usd"]) == sum(Decimal(v) for v in m["invoice_usd"].values())


def test_usage_exports_agree_with_each_other(demo: tuple[Path, dict]) -> None:
    out, _ = demo
    report: dict[str, int] = defaultdict(int)
    for page in json.loads((out / ANTHROPIC_USAGE).read_text()):
        for bucket in page["data"]:
            for r in bucket["results"]:
                report["no_cache"] += r["uncached_input_tokens"]
                report["write_5m"] += r["cache_creation"]["ephemeral_5m_input_tokens"]
                report["write_1h"] += r["cache_creation"]["ephemeral_1h_input_tokens"]
                report["read"] += r["cache_read_input_tokens"]
                report["output"] += r["output_tokens"]
    console: dict[str, int] = defaultdict(int)
    for name in CONSOLE:
        with (out / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                console["no_cache"] += int(row["usage_input_tokens_no_cache"])
                console["write_5m"] += int(row["usage_input_tokens_cache_write_5m"])
                console["write_1h"] += int(row["usage_input_tokens_cache_write_1h"])
                console["read"] += int(row["usage_input_tokens_cache_read"])
                console["output"] += int(row["usage_output_tokens"])
    assert report == console
    assert report["write_1h"] > 0

    for page in json.loads((out / OPENAI_USAGE).read_text()):
        for bucket in page["data"]:
            for r in bucket["results"]:
                assert 0 <= r["input_cached_tokens"] <= r["input_tokens"]
                assert r["batch"] is False or r["input_cached_tokens"] == 0


def test_logs_reprice_to_the_truth_and_every_model_is_priced(
    demo: tuple[Path, dict], logs: duckdb.DuckDBPyConnection
) -> None:
    _, truth = demo
    assert logs.execute(
        "select count(*) from repriced where status = 'success' and priced_model is null"
    ).fetchall() == [(0,)]
    rows = logs.execute("""
        select cast(billing_month as date), custom_llm_provider, sum(cost_usd),
            sum(cost_usd) filter (team is not null and feature is not null)
        from repriced group by all
    """).fetchall()
    attributed: dict[str, Decimal] = defaultdict(Decimal)
    for month, provider, cost, attributed_cost in rows:
        m = _truth_month(truth, month.isoformat())
        assert cost == Decimal(m["gateway_repriced_usd"][provider])
        attributed[month.isoformat()] += attributed_cost
    for m in truth["months"]:
        assert attributed[m["billing_month"]] == Decimal(m["attributed_usd"])


def test_untagged_and_bypass_shares_are_in_range(demo: tuple[Path, dict]) -> None:
    _, truth = demo
    invoice = sum(Decimal(m["total_invoice_usd"]) for m in truth["months"])
    bypass = sum(Decimal(v) for m in truth["months"] for v in m["bypass_usd"].values())
    gateway = sum(Decimal(v) for m in truth["months"] for v in m["gateway_repriced_usd"].values())
    attributed = sum(Decimal(m["attributed_usd"]) for m in truth["months"])
    assert Decimal("0.05") <= bypass / invoice <= Decimal("0.09")
    assert Decimal("0.10") <= 1 - attributed / gateway <= Decimal("0.25")
    for m in truth["months"]:
        coverage = Decimal(m["attributed_usd"]) / Decimal(m["total_invoice_usd"])
        assert abs(coverage - Decimal(m["coverage_pct"])) < Decimal("1e-9")


def test_gateway_spend_overstates_by_the_recorded_mispricing(
    demo: tuple[Path, dict], logs: duckdb.DuckDBPyConnection
) -> None:
    out, truth = demo
    with (out / SPEND_LOGS).open(encoding="utf-8", newline="") as f:
        logged = sum((Decimal(r["spend"]) for r in csv.DictReader(f)), Decimal(0))
    repriced = logs.execute("select sum(cost_usd) from repriced").fetchall()[0][0]
    overstatement = Decimal(truth["mispricing_overstatement_usd"])
    assert overstatement > 0
    assert logged - repriced == overstatement
    assert logged == sum(
        Decimal(v) for m in truth["months"] for v in m["gateway_logged_usd"].values()
    )


def test_price_change_effect_is_the_sonnet_1h_writes_after_the_change(
    demo: tuple[Path, dict], logs: duckdb.DuckDBPyConnection
) -> None:
    _, truth = demo
    tokens = logs.execute("""
        select sum(write_1h) from repriced
        where canonical_model = 'claude-sonnet-4-5' and started_at >= '2026-07-24'
    """).fetchall()[0][0]
    effect = Decimal(truth["price_change_effect_usd"])
    assert effect > 0
    assert effect == tokens * (Decimal(6) - Decimal("3.75")) / 1_000_000


def test_failures_carry_no_tokens_and_quirks_are_present(
    demo: tuple[Path, dict], logs: duckdb.DuckDBPyConnection
) -> None:
    _, truth = demo
    failures = logs.execute("""
        select count(*), count(*) filter (total_tokens <> '0' or prompt_tokens <> '0'
            or completion_tokens <> '0' or cast(spend as double) <> 0 or usage is not null)
        from repriced where status = 'failure'
    """).fetchall()[0]
    assert failures == (truth["failed_requests"], 0)
    assert 0 < truth["failed_requests"] < 0.02 * truth["requests"]

    assert {r[0] for r in logs.execute("select distinct cache_hit from logs").fetchall()} == {
        "True", "False", None,
    }  # fmt: skip
    old_shape, anthropic = logs.execute("""
        select count(*) filter (json_extract(usage, '$.prompt_tokens_details') is null),
            count(*)
        from repriced where custom_llm_provider = 'anthropic' and status = 'success'
    """).fetchall()[0]
    assert 0.05 < old_shape / anthropic < 0.15
    assert logs.execute("""
        select count(*) from repriced
        where status = 'success' and prompt <> cast(json_extract(usage, '$.prompt_tokens')
            as bigint)
    """).fetchall() == [(0,)]
    [runaway] = truth["runaway_sessions"]
    assert logs.execute("""
        select count(*) from logs where session_id is not null
        group by session_id order by count(*) desc limit 1
    """).fetchall() == [(runaway["requests"],)]
    names = {r[0] for r in logs.execute("select distinct model from logs").fetchall()}
    assert {"gpt-4o", "gpt-4o-2024-08-06", "claude-sonnet-4-5-20250929"} & names
    assert any(n.startswith("openai/") for n in names)
    assert any(n.startswith("anthropic/") for n in names)


def test_same_seed_gives_byte_identical_files(demo: tuple[Path, dict], tmp_path: Path) -> None:
    out, _ = demo
    generate(tmp_path / "again", requests=5000)
    generate(tmp_path / "other", requests=5000, seed=8)
    files = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    assert len(files) == 8
    for name in files:
        assert (tmp_path / "again" / name).read_bytes() == (out / name).read_bytes(), name
    assert (tmp_path / "other" / SPEND_LOGS).read_bytes() != (out / SPEND_LOGS).read_bytes()


def test_missing_price_seed_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AiledgerError, match="price seed not found"):
        generate(tmp_path, requests=10, price_seed=tmp_path / "nope.csv")
