"""`ailedger alerts`: the current month's budget crossings and spend anomalies, read from the
marts (the serving copy, opened read-only), with an exit status a scheduler can act on."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ingest.errors import EXIT_HALT, AiledgerError

# A halt threshold or an emergency stop was crossed this month: callers should stop spending.
HALT_EXIT_CODE = EXIT_HALT
HALTING_ACTIONS = ("halt", "emergency_stop")

# Columns rpt_spend_anomalies may date its rows by (it lands from the waste marts; the first
# one present is used to keep the current month's rows).
ANOMALY_DATE_COLUMNS = ("anomaly_date", "spend_date", "observed_date", "day", "observed_at",
                        "anomaly_at", "hour_at", "window_start_at")


def current_alerts(serving: Path) -> dict[str, Any]:
    """The current month (the month of the last day with spend): its budget crossings, its
    anomalies when rpt_spend_anomalies exists (None otherwise), and whether to halt."""
    from ingest.warehouse import open_read_only

    warehouse = serving
    con = open_read_only(serving, what="serving copy")
    try:
        tables = {
            name for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        missing = {"rpt_budget_alerts", "rpt_forecast"} - tables
        if missing:
            raise AiledgerError(f"{warehouse}: marts {', '.join(sorted(missing))} not built",
                                hint="run `ailedger build` first")
        ((as_of,),) = con.execute("select max(as_of_date) from marts.rpt_forecast").fetchall()
        if as_of is None:
            return {"as_of_date": None, "billing_month": None, "crossings": [],
                    "anomalies": [] if "rpt_spend_anomalies" in tables else None,
                    "halt": False, "exit_code": 0}
        month = as_of.replace(day=1)
        crossings = _rows(con.execute(
            "select scope_type, scope, cost_center, action, threshold, budget_usd,"
            " threshold_usd, crossed_at, spend_at_crossing_usd, measured_on"
            " from marts.rpt_budget_alerts where billing_month = ?"
            " order by crossed_at, scope_type, scope, action",
            [month],
        ))
        anomalies = _anomalies(con, month) if "rpt_spend_anomalies" in tables else None
    finally:
        con.close()
    halt = any(c["action"] in HALTING_ACTIONS for c in crossings)
    return {
        "as_of_date": as_of,
        "billing_month": month,
        "crossings": crossings,
        "anomalies": anomalies,
        "halt": halt,
        "exit_code": HALT_EXIT_CODE if halt else 0,
    }


def _anomalies(con: Any, month: date) -> list[dict[str, Any]]:
    columns = [name for (name,) in con.execute(
        "select column_name from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'rpt_spend_anomalies'"
        " order by ordinal_position"
    ).fetchall()]
    dated = next((c for c in ANOMALY_DATE_COLUMNS if c in columns), None)
    if dated is None:
        return _rows(con.execute("select * from marts.rpt_spend_anomalies"))
    return _rows(con.execute(
        f'select * from marts.rpt_spend_anomalies where cast("{dated}" as date) >= ?'
        f' order by "{dated}"',
        [month],
    ))


def _rows(cursor: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def to_json(alerts: dict[str, Any]) -> str:
    """The alerts as JSON: money as strings rounded to cents, times in ISO 8601 (UTC)."""

    def plain(obj: Any) -> Any:
        if isinstance(obj, dict):
            return {k: plain(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [plain(v) for v in obj]
        return _plain(obj)

    return json.dumps(plain(alerts), indent=2)


def to_text(alerts: dict[str, Any]) -> str:
    """The alerts as lines a person reads: one per crossing, then the anomalies."""
    if alerts["as_of_date"] is None:
        return "no spend in the warehouse yet: nothing to alert on"
    month = alerts["billing_month"].strftime("%Y-%m")
    lines = [f"budget alerts for {month} (data up to {alerts['as_of_date']:%Y-%m-%d})"]
    if not alerts["crossings"]:
        lines.append("  no budget threshold crossed")
    for c in alerts["crossings"]:
        if c["action"] == "emergency_stop":
            what = (f"daily spend ${c['spend_at_crossing_usd']:,.2f} above"
                    f" {c['threshold']:g}x its trailing average (${c['threshold_usd']:,.2f})")
        else:
            what = (f"{c['threshold']:.0%} of its ${c['budget_usd']:,.2f} budget crossed,"
                    f" ${c['spend_at_crossing_usd']:,.2f} spent")
        lines.append(f"  {c['action'].upper():<14} {c['scope_type']} {c['scope']}: {what}"
                     f" at {c['crossed_at']:%Y-%m-%d %H:%M} UTC")
    if alerts["anomalies"] is not None:
        lines.append(f"spend anomalies: {len(alerts['anomalies'])}")
        for a in alerts["anomalies"]:
            lines.append("  " + ", ".join(f"{k}={_plain(v)}" for k, v in a.items()))
    if alerts["halt"]:
        lines.append(f"a halt threshold or emergency stop was crossed: exit status "
                     f"{HALT_EXIT_CODE}")
    return "\n".join(lines)
