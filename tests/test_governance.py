"""Chargeback and governance on the default demo (`ailedger demo`: seed 7, 200k requests).

Expected values are computed here, in Python, from the request fact, the provider cost fact,
the seeds and truth.json, never by re-running the models' SQL. The planted story (the shipped
budgets in seeds/cost_centers.csv against the default demo) is asserted too: Legal AI
(CC-1006) overruns mid-month, Customer Support (CC-1002) crosses its 80% alert only, Mobile
(CC-1010) stays well under.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.alerts import HALT_EXIT_CODE
from ingest.demo import generate
from ingest.landing import land_paths
from ingest.warehouse import connect
from tests.support.dbt import DBT, ROOT
from tests.support.dbt import query as _query

CENT = Decimal("0.01")
SEEDS = ROOT / "seeds"
ALERT, FALLBACK, HALT = Decimal("0.80"), Decimal("0.90"), Decimal("1.00")
BUFFER = Decimal("0.20")
CC_1002_ALERT_DAY = date(2026, 7, 31)
BIN = DBT.parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("governance")
    exports = root / "exports"
    # The defaults of `ailedger demo`, without the cloud bills: the budgets are for API spend
    # (the cloud and GPU bills have their own test, tests/test_cloud_gpu.py).
    truth = generate(exports, cloud_bills=False)
    (exports / "truth.json").replace(root / "truth.json")
    warehouse = root / "ailedger.duckdb"
    con = connect(warehouse)
    land_paths(con, [exports])
    con.close()
    # Its own process, as a scheduler runs it: in-process dbt keeps the file open, and
    # `ailedger alerts` must then open it read-only from another process.
    build = subprocess.run(
        [str(BIN / "ailedger"), "build", "--warehouse", str(warehouse), "--",
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    return {"root": root, "warehouse": warehouse, "truth": truth}


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(newline="") as f:
        return list(csv.DictReader(f))


def _in_effect(row: dict[str, str], day: date) -> bool:
    start = date.fromisoformat(row["effective_from"])
    end = date.fromisoformat(row["effective_to"]) if row["effective_to"] else None
    return start <= day and (end is None or day < end)


def _owner(mappings: list[dict[str, str]], kind: str, key: str | None, day: date) -> str | None:
    for row in mappings:
        if row["owner_kind"] == kind and row["owner_key"] == key and _in_effect(row, day):
            return row["cost_center"]
    return None


def _charges(warehouse: Path) -> list[tuple]:
    """(at, tie-break id, month, cost center or None, feature, USD) for every dollar charged:
    requests at request time, spend in owned provider accounts at the start of its day."""
    mappings = _seed("cost_center_mappings")
    charges = []
    for request_id, at, cost_center, feature, team, cost in _query(
        warehouse,
        "select request_id, requested_at, cost_center, feature, team, coalesce(cost_usd, 0)"
        " from marts.fct_llm_requests",
    ):
        day = at.date()
        owner = (cost_center or _owner(mappings, "feature", feature, day)
                 or _owner(mappings, "team", team, day))
        charges.append((at, request_id, day.replace(day=1), owner, feature, cost))
    kinds = {"openai": "openai_project", "anthropic": "anthropic_workspace"}
    for provider, account, day, billed in _query(
        warehouse,
        "select provider, account_id, cost_date, sum(billed_cost_usd)"
        " from marts.fct_provider_costs_daily group by 1, 2, 3",
    ):
        owner = _owner(mappings, kinds[provider], account, day)
        if owner is not None:
            charges.append((datetime.combine(day, time()), f"~{provider}|{account}",
                            day.replace(day=1), owner, None, billed))
    return sorted(charges, key=lambda c: (c[0], c[1]))


def _budgets() -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """{(scope_type, scope): (monthly budget, alert level)} for the demo months (one row each)."""
    budgets = {}
    for row in _seed("cost_centers"):
        level = Decimal(row["alert_pct"]) if row["alert_pct"] else ALERT
        budgets[("cost_center", row["cost_center"])] = (Decimal(row["monthly_budget_usd"]), level)
    for row in _seed("feature_budgets"):
        budgets[("feature", row["feature"])] = (Decimal(row["monthly_limit_usd"]), ALERT)
    return budgets


def _expected_crossings(charges: list[tuple]) -> dict[tuple, tuple[datetime, Decimal]]:
    budgets = _budgets()
    running: dict[tuple, Decimal] = {}
    crossed: dict[tuple, tuple[datetime, Decimal]] = {}
    for at, _, month, owner, feature, usd in charges:
        for scope in (("cost_center", owner), ("feature", feature)):
            if scope not in budgets:
                continue
            budget, level = budgets[scope]
            key = (*scope, month)
            before = running.get(key, Decimal(0))
            running[key] = before + usd
            for action, share in (("alert", level), ("fallback", FALLBACK), ("halt", HALT)):
                if before < budget * share <= running[key] and (*key, action) not in crossed:
                    crossed[(*key, action)] = (at, running[key])
    return crossed


def test_chargeback_sums_to_the_invoice_to_the_cent_every_month(demo: dict) -> None:
    rows = _query(
        demo["warehouse"],
        "select cast(billing_month as varchar), sum(chargeback_usd),"
        " sum(actual_usd + allocated_shared_usd), count(*)"
        " from marts.rpt_chargeback group by 1 order by 1",
    )
    months = {m["billing_month"]: m for m in demo["truth"]["months"]}
    assert [r[0] for r in rows] == sorted(months) == ["2026-07-01", "2026-08-01"]
    for month, charged, parts, cost_centers in rows:
        invoice = Decimal(months[month]["total_invoice_usd"])
        assert charged.quantize(CENT) == invoice.quantize(CENT)
        assert abs(charged - invoice) < Decimal("0.005")
        assert parts == charged
        assert cost_centers == len(_seed("cost_centers"))  # every budgeted one, no extra


def test_traffic_that_bypassed_the_gateway_is_charged_to_its_account_owner(demo: dict) -> None:
    rows = dict(_query(
        demo["warehouse"],
        "select cost_center, sum(account_spend_usd) from marts.rpt_chargeback group by 1",
    ))
    bypass = sum((Decimal(v) for m in demo["truth"]["months"] for v in m["bypass_usd"].values()),
                 Decimal(0))
    # The batch project belongs to Data Science, the direct workspace to Legal AI.
    assert rows["CC-1005"] > 0 and rows["CC-1006"] > 0
    assert (rows["CC-1005"] + rows["CC-1006"]).quantize(CENT) == bypass.quantize(CENT)
    assert sum(v for k, v in rows.items() if k not in ("CC-1005", "CC-1006")) == 0


def test_crossings_match_an_independent_replay_of_the_spend(demo: dict) -> None:
    expected = _expected_crossings(_charges(demo["warehouse"]))
    rows = _query(
        demo["warehouse"],
        "select scope_type, scope, billing_month, action, crossed_at, spend_at_crossing_usd"
        " from marts.rpt_budget_alerts where action <> 'emergency_stop'",
    )
    actual = {(t, s, m, a): (at, usd) for t, s, m, a, at, usd in rows}
    assert actual.keys() == expected.keys()
    for key, (at, usd) in expected.items():
        assert actual[key][0] == at, key
        assert actual[key][1].quantize(CENT) == usd.quantize(CENT), key


def test_the_planted_budget_story(demo: dict) -> None:
    crossed = {
        (scope, str(month), action): day
        for scope, month, action, day in _query(
            demo["warehouse"],
            "select scope, billing_month, action, crossed_date from marts.rpt_budget_alerts"
            " where scope_type = 'cost_center'",
        )
    }
    # Legal AI overruns mid-month in July; Documentation in July
    # and again in the first week of August.
    assert crossed[("CC-1006", "2026-07-01", "halt")] == date(2026, 7, 21)
    assert ("CC-1006", "2026-08-01", "alert") not in crossed
    assert crossed[("CC-1008", "2026-07-01", "halt")] == date(2026, 7, 22)
    assert crossed[("CC-1008", "2026-08-01", "halt")] == date(2026, 8, 7)
    # Customer Support crosses its 80% alert late in July, nothing more.
    assert crossed[("CC-1002", "2026-07-01", "alert")] == CC_1002_ALERT_DAY
    assert ("CC-1002", "2026-07-01", "fallback") not in crossed
    # ML Platform's one-day backfill spike is an emergency stop, not a budget crossing.
    assert crossed[("CC-1004", "2026-07-01", "emergency_stop")] == date(2026, 7, 30)
    # Nobody else crosses anything; Mobile stays well under its budget.
    assert {k[0] for k in crossed} == {"CC-1006", "CC-1008", "CC-1002", "CC-1004"}
    ((mobile,),) = _query(
        demo["warehouse"],
        "select max(utilization_pct) from marts.rpt_chargeback where cost_center = 'CC-1010'",
    )
    assert mobile < 0.2


def test_forecast_runs_the_month_to_date_rate_to_month_end(demo: dict) -> None:
    charges = _charges(demo["warehouse"])
    first = min(c[0] for c in charges).date()
    as_of = max(c[0] for c in charges).date()
    mtd: dict[tuple[str, date], Decimal] = {}
    for _, _, month, owner, _, usd in charges:
        if owner is not None:
            mtd[(owner, month)] = mtd.get((owner, month), Decimal(0)) + usd
    for m in demo["truth"]["months"]:
        month = date.fromisoformat(m["billing_month"])
        mtd[("__organization__", month)] = Decimal(m["total_invoice_usd"])
    rows = _query(
        demo["warehouse"],
        "select cost_center, billing_month, as_of_date, mtd_usd, forecast_month_end_usd,"
        " forecast_with_buffer_usd, budget_usd, will_overrun from marts.rpt_forecast",
    )
    budgets = _budgets()
    organization_budget = sum(b for (kind, _), (b, _) in budgets.items() if kind == "cost_center")
    assert len(rows) == 2 * (len(_seed("cost_centers")) + 1)
    for cost_center, month, row_as_of, spent, forecast, buffered, budget, overrun in rows:
        assert row_as_of == as_of == date(2026, 8, 8)
        month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        observed = (min(as_of, month_end) - max(month, first)).days + 1
        remaining = max((month_end - as_of).days, 0)
        expected_mtd = mtd.get((cost_center, month), Decimal(0))
        projected = expected_mtd / observed * remaining
        assert spent.quantize(CENT) == expected_mtd.quantize(CENT), cost_center
        assert forecast.quantize(CENT) == (expected_mtd + projected).quantize(CENT), cost_center
        assert buffered.quantize(CENT) == (
            expected_mtd + projected * (1 + BUFFER)).quantize(CENT), cost_center
        expected_budget = (organization_budget if cost_center == "__organization__"
                           else budgets[("cost_center", cost_center)][0])
        assert budget == expected_budget
        assert overrun == (expected_mtd + projected * (1 + BUFFER) > expected_budget)
    by_key = {(r[0], str(r[1])): r for r in rows}
    # July is closed (forecast = actual); August has 8 of 31 days: 23 projected.
    assert by_key[("CC-1006", "2026-07-01")][4] == by_key[("CC-1006", "2026-07-01")][3]
    assert by_key[("CC-1006", "2026-08-01")][7] is True
    assert by_key[("CC-1010", "2026-08-01")][7] is False


def _alerts(*args: str) -> tuple[int, str]:
    """`ailedger alerts ARGS` as a scheduler runs it: its exit status and what it printed."""
    done = subprocess.run([str(BIN / "ailedger"), "alerts", *args],
                          capture_output=True, text=True, check=False)
    return done.returncode, done.stdout


def test_alerts_exit_with_the_halt_status_on_the_planted_overrun(demo: dict) -> None:
    code, printed = _alerts("--json", "--warehouse", str(demo["warehouse"]))
    alerts = json.loads(printed)
    assert code == HALT_EXIT_CODE == alerts["exit_code"] == 4
    assert alerts["billing_month"] == "2026-08-01"
    halts = [(c["scope"], c["action"]) for c in alerts["crossings"] if c["action"] == "halt"]
    assert halts == [("CC-1008", "halt")]
    assert isinstance(alerts["anomalies"], list)  # rpt_spend_anomalies is built beside

    code, text = _alerts("--warehouse", str(demo["warehouse"]))
    assert code == HALT_EXIT_CODE
    assert "HALT" in text and "CC-1008" in text and "\x1b[" not in text


@pytest.fixture(scope="module")
def with_policy_changed(demo: dict) -> dict:
    """A copy of the demo warehouse with governance vars changed: a low approval threshold,
    shared allocation, and a halt level no one reaches."""
    root = demo["root"] / "policy"
    root.mkdir()
    warehouse = root / "ailedger.duckdb"
    _query(demo["warehouse"], "checkpoint")  # everything in the file, nothing left in the WAL
    shutil.copy(demo["warehouse"], warehouse)
    policy = {
        "ailedger_feature_approval_above_usd": 200,
        "ailedger_quarterly_audit_above_usd": 500,
        "ailedger_shared_cost_allocation": "shared",
        "ailedger_budget_halt_pct": 100,
    }
    run = subprocess.run(
        [str(DBT), "build", "-s", "rpt_chargeback+", "rpt_budget_alerts+",
         "rpt_governance_queue+", "--vars", json.dumps(policy),
         "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        cwd=ROOT, env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    return {"warehouse": warehouse, "policy": policy}


def test_governance_queue_follows_the_run_rate_and_the_approvals(
    demo: dict, with_policy_changed: dict
) -> None:
    charges = _charges(demo["warehouse"])
    as_of = max(c[0] for c in charges).date()
    since = as_of - timedelta(days=29)
    spend: dict[str, Decimal] = {}
    for at, _, _, _, feature, usd in charges:
        if feature is not None and at.date() >= since:
            spend[feature] = spend.get(feature, Decimal(0)) + usd
    run_rate = {f: s / 30 * 30 for f, s in spend.items()}  # the demo spans exactly 30 days
    approved = {row["feature"] for row in _seed("feature_approvals")}
    policy = with_policy_changed["policy"]
    expected = {
        (f, "approval_needed") for f, r in run_rate.items()
        if r > policy["ailedger_feature_approval_above_usd"] and f not in approved
    } | {(f, "quarterly_audit_due") for f, r in run_rate.items()
         if r > policy["ailedger_quarterly_audit_above_usd"]}
    rows = _query(with_policy_changed["warehouse"],
                  "select feature, reason, run_rate_monthly_usd from marts.rpt_governance_queue")
    assert {(f, r) for f, r, _ in rows} == expected
    assert ("contract-review", "approval_needed") in expected  # not vacuous
    assert ("support-chat", "approval_needed") not in expected  # approved in the seed
    for feature, _, rate in rows:
        assert rate.quantize(CENT) == run_rate[feature].quantize(CENT)
    # At the default thresholds ($2,000 / $5,000) no demo feature is that large.
    assert _query(demo["warehouse"], "select count(*) from marts.rpt_governance_queue") == [(0,)]


def test_shared_allocation_charges_all_unattributable_spend_to_one_cost_center(
    demo: dict, with_policy_changed: dict
) -> None:
    ((unattributed,),) = _query(
        demo["warehouse"],
        "select sum(spend_usd) from intermediate.int_spend_by_owner_daily where not is_attributed",
    )
    assert unattributed > 0
    rows = _query(
        with_policy_changed["warehouse"],
        "select cost_center, sum(allocated_shared_usd), sum(chargeback_usd)"
        " from marts.rpt_chargeback group by 1",
    )
    allocated = {cc: a for cc, a, _ in rows if a != 0}
    assert allocated == {"CC-0900": unattributed}
    total = sum((Decimal(m["total_invoice_usd"]) for m in demo["truth"]["months"]), Decimal(0))
    assert sum(c for _, _, c in rows).quantize(CENT) == total.quantize(CENT)


def test_alerts_exit_zero_when_nothing_halts(with_policy_changed: dict) -> None:
    code, printed = _alerts("--json", "--warehouse", str(with_policy_changed["warehouse"]))
    alerts = json.loads(printed)
    assert code == 0 and alerts["halt"] is False
    assert {c["action"] for c in alerts["crossings"]} == {"alert", "fallback"}


def test_analyses_compile_and_answer_from_the_marts(demo: dict) -> None:
    target = demo["root"] / "analyses-target"
    run = subprocess.run(
        [str(DBT), "compile", "-s", "path:analyses", "--profiles-dir", str(ROOT),
         "--project-dir", str(ROOT), "--target-path", str(target),
         "--log-path", str(demo["root"] / "logs")],
        cwd=ROOT, env={**os.environ, "AILEDGER_WAREHOUSE": str(demo["warehouse"])},
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    compiled = {p.stem: p.read_text() for p in (target / "compiled").rglob("analyses/*.sql")}
    assert compiled.keys() == {p.stem for p in (ROOT / "analyses").glob("*.sql")}
    results = {name: _query(demo["warehouse"], sql) for name, sql in compiled.items()}
    assert all(results.values()), [name for name, rows in results.items() if not rows]

    charged = dict(_query(demo["warehouse"], "select cost_center, sum(chargeback_usd)"
                                             " from marts.rpt_chargeback group by 1"))
    by_cost_center: dict[str, Decimal] = {}
    for dimension, owner, _, spend in results["spend_by_owner"]:
        if dimension == "cost_center":
            by_cost_center[owner] = by_cost_center.get(owner, Decimal(0)) + spend
    assert by_cost_center == charged

    ((unattributed,),) = _query(demo["warehouse"], "select sum(cost_usd) from"
                                " marts.fct_llm_requests where not is_attributed")
    assert sum(r[3] for r in results["unattributed_spend_by_key"]) == unattributed
    for _, _, spend, read, write, share in results["cache_cost_share"]:
        assert 0 <= read + write <= spend and (share is None or 0 <= share <= 1)
    statuses = {(r[1], str(r[0])): r[13] for r in results["budget_vs_actual"]}
    assert statuses[("CC-1006", "2026-07-01")] == "halt"
    assert statuses[("CC-1002", "2026-07-01")] == "alert"
    assert statuses[("CC-1010", "2026-07-01")] == "none"


def test_emergency_stops_match_an_independent_replay_of_daily_spend(demo: dict) -> None:
    # No demo day is 3x its trailing week, so the rule is tightened to make some.
    multiplier, window = Decimal("1.3"), 7
    root = demo["root"] / "spikes"
    root.mkdir()
    warehouse = root / "ailedger.duckdb"
    _query(demo["warehouse"], "checkpoint")
    shutil.copy(demo["warehouse"], warehouse)
    run = subprocess.run(
        [str(DBT), "run", "-s", "rpt_budget_alerts", "--vars",
         json.dumps({"ailedger_spend_spike_multiplier": float(multiplier),
                     "ailedger_spend_spike_baseline_days": window}),
         "--profiles-dir", str(ROOT), "--project-dir", str(ROOT),
         "--target-path", str(root / "target"), "--log-path", str(root / "logs")],
        cwd=ROOT, env={**os.environ, "AILEDGER_WAREHOUSE": str(warehouse)},
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:]

    daily: dict[tuple[str, str], dict[date, Decimal]] = {}
    days: set[date] = set()
    for at, _, _, owner, feature, usd in _charges(demo["warehouse"]):
        days.add(at.date())
        for scope in (("cost_center", owner), ("feature", feature)):
            if scope[1] is not None:
                per_day = daily.setdefault(scope, {})
                per_day[at.date()] = per_day.get(at.date(), Decimal(0)) + usd
    calendar = sorted(days)
    expected = {}
    for scope, per_day in daily.items():
        spend = [per_day.get(day, Decimal(0)) for day in calendar]
        for n in range(window, len(calendar)):
            average = sum(spend[n - window:n]) / window
            key = (*scope, calendar[n].replace(day=1))
            if average > 0 and spend[n] > multiplier * average and key not in expected:
                expected[key] = (calendar[n], spend[n])
    rows = _query(
        warehouse,
        "select scope_type, scope, billing_month, crossed_date, spend_at_crossing_usd"
        " from marts.rpt_budget_alerts where action = 'emergency_stop'",
    )
    actual = {(t, s, m): (d, usd) for t, s, m, d, usd in rows}
    assert len(expected) >= 3  # the tightened rule does find spikes
    assert actual.keys() == expected.keys()
    for key, (day, usd) in expected.items():
        assert actual[key][0] == day and actual[key][1].quantize(CENT) == usd.quantize(CENT), key
    code, printed = _alerts("--json", "--warehouse", str(warehouse))
    stops = {(c["scope_type"], c["scope"]) for c in json.loads(printed)["crossings"]
             if c["action"] == "emergency_stop"}
    assert stops == {(t, s) for t, s, m in expected if m == date(2026, 8, 1)}
    assert code == HALT_EXIT_CODE
