"""What the CLI prints: a progress bar while landing, a summary of loads, and the headline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.errors import AiledgerError
from ingest.landing import LoadResult

if TYPE_CHECKING:
    import duckdb

# Piped output (CI logs, `make demo | tee`) gets room for the reconciliation table.
console = Console(width=None if Console().is_terminal else 132)

STATUS_STYLE = {"landed": "green", "already_landed": "cyan", "refused": "bold red"}


@contextmanager
def progress(files: list[Path]) -> Iterator[Callable[[Path, LoadResult | None], None]]:
    """A bar over the bytes of all files; the callback is told before and after each file."""
    total = sum(f.stat().st_size for f in files)
    bar = Progress(
        TextColumn("[bold]landing[/] {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task("", total=total)

    def on_file(path: Path, result: LoadResult | None) -> None:
        if result is None:
            bar.update(task, description=path.name)
        else:
            bar.advance(task, path.stat().st_size)

    with bar:
        yield on_file


def print_load_summary(results: list[LoadResult], warehouse: Path) -> None:
    table = Table(title=f"ailedger ingest → {warehouse}", show_lines=False)
    for col in ("file", "format", "status", "rows", "rejected", "note"):
        numeric = col in ("rows", "rejected")
        table.add_column(col, overflow="fold", justify="right" if numeric else "left")
    for r in results:
        # The table keeps the gist; refusals are printed whole below it.
        note = r.message.split("\n", 1)[0].removeprefix(f"{r.path}: ")
        if r.expectations_failed:
            failed = "; ".join(
                f"{e.get('expectation')} on {e.get('column')} ({e.get('unexpected_count')} rows)"
                for e in r.expectations_failed
            )
            note = (note + " " if note else "") + f"expectations failed: {failed}"
        table.add_row(
            r.path,
            r.format or "-",
            f"[{STATUS_STYLE.get(r.status, '')}]{r.status}[/]",
            f"{r.rows_landed:,}",
            f"{r.rows_rejected:,}",
            note,
        )
    console.print(table)
    refused = [r for r in results if r.status == "refused"]
    if refused:
        console.print(f"[bold red]{len(refused)} file(s) refused[/]; nothing of them landed:")
        # Unfolded, one per line, so each message can be read and copied whole.
        for r in refused:
            console.print(f"refused: {r.message}", soft_wrap=True, highlight=False)


def print_headline(serving: Path) -> None:
    """Coverage and verdict per month, reconciliation per provider-month, from the serving copy
    (read-only: it never waits for a build, and never creates a file)."""
    import duckdb

    from ingest.warehouse import open_read_only

    con = open_read_only(serving, what="serving copy")
    try:
        coverage = con.execute(
            "select billing_month, total_spend_usd, attributed_spend_usd, coverage_pct,"
            " request_coverage_pct, verdict from marts.rpt_attribution_coverage"
            " order by billing_month"
        ).fetchall()
        recon = con.execute(
            "select billing_month, provider, invoice_cost_usd, gateway_cost_usd,"
            " gateway_logged_cost_usd, gap_usd, gap_pct, status from marts.rpt_reconciliation"
            " order by billing_month, provider"
        ).fetchall()
        sentences = gap_in_words(con)
    except duckdb.Error as exc:
        raise AiledgerError(
            f"{serving} has no marts to report ({str(exc).splitlines()[0]})",
            hint="run `ailedger build` to publish them",
        ) from None
    finally:
        con.close()
    if not coverage and not recon:
        console.print("no spend in the marts yet: nothing has landed (run `ailedger run DIR`)")
        return

    table = Table(title="Attribution coverage (spend-weighted, invoice as denominator)")
    for col in ("month", "total spend", "attributed", "coverage", "by requests", "verdict"):
        table.add_column(col, justify="left" if col in ("month", "verdict") else "right")
    for month, total, attributed, pct, req_pct, verdict in coverage:
        table.add_row(
            f"{month:%Y-%m}", _usd(total), _usd(attributed), _pct(pct), _pct(req_pct), verdict
        )
    console.print(table)

    table = Table(title="Reconciliation: invoice vs gateway (re-priced) vs gateway (as logged)")
    for col in ("month", "provider", "invoice", "gateway re-priced", "gateway logged", "gap",
                "gap %", "status"):
        table.add_column(col, justify="left" if col in ("month", "provider", "status") else "right")
    for month, provider, invoice, gateway, logged, gap, gap_pct, status in recon:
        table.add_row(
            f"{month:%Y-%m}", provider, _usd(invoice), _usd(gateway), _usd(logged), _usd(gap),
            _pct(gap_pct), status,
        )
    console.print(table)

    for sentence in sentences:
        console.print(sentence, highlight=False, soft_wrap=True)

    gateway = sum((r[3] for r in recon), start=0)
    logged = sum((r[4] for r in recon), start=0)
    gaps = sum((r[5] for r in recon if r[5] is not None), start=0)
    if gateway:
        console.print(
            f"The gateway's own cost figures are off by {_usd(logged - gateway)} "
            f"({float((logged - gateway) / gateway):+.1%} of its re-priced traffic); "
            f"{_usd(gaps)} of the invoices is not in its re-priced traffic (causes above).",
            highlight=False,
        )
    print_waste_findings(serving)


WASTE_FINDINGS_SQL = """
    select 'model tier' as surface, route as scope,
        current_model || ' -> ' || right_sized_model || ' ('
            || cast(round(overspend_ratio, 1) as varchar) || 'x cheaper on its token mix)',
        sum(monthly_savings_usd) over (partition by route, current_model) as usd,
        'savings over the period' as what
    from marts.rpt_model_tier_overspend
    where monthly_savings_usd > 0
    qualify row_number() over (partition by route, current_model order by billing_month) = 1
    union all
    select 'prompt cache', route, 'repeated system prompt billed uncached',
        sum(missed_cache_savings_usd), 'missed cache savings'
    from marts.rpt_prompt_efficiency where has_missed_cache_savings group by route
    union all
    select 'runaway session', route,
        cast(sum(runaway_sessions) as varchar) || ' session(s), '
            || cast(sum(runaway_calls) as varchar) || ' calls',
        sum(runaway_cost_usd), 'cost'
    from marts.rpt_prompt_efficiency where runaway_sessions > 0 group by route
    union all
    select 'unit-cost drift', route || ' on ' || model,
        'cost per 1k tokens +' || cast(round(100 * drift_pct) as varchar) || '% on '
            || cast(cost_date as varchar),
        cost_usd - cost_usd / (1 + drift_pct), 'excess cost that day'
    from marts.rpt_unit_cost_baseline where is_drifting
    qualify row_number() over (partition by model, route order by cost_date) = 1
    union all
    select 'spend spike', scope,
        cast(cast(period_start_at as date) as varchar) || ': '
            || cast(round(ratio, 1) as varchar) || 'x its trailing average',
        observed - trailing_baseline, 'above the trailing average'
    from marts.rpt_spend_anomalies where kind = 'daily_spend_spike'
    order by usd desc nulls last
    limit ?
"""


def print_waste_findings(serving: Path, limit: int = 10) -> None:
    """The top findings of the waste marts, largest dollar figure first (read-only)."""
    import duckdb

    from ingest.warehouse import open_read_only

    con = open_read_only(serving, what="serving copy")
    try:
        rows = con.execute(WASTE_FINDINGS_SQL, [limit]).fetchall()
    except duckdb.Error as exc:
        console.print(f"[red]no waste marts to report yet ({str(exc).splitlines()[0]})[/]")
        return
    finally:
        con.close()
    if not rows:
        console.print("Waste surfaces: nothing flagged.")
        return
    table = Table(title="Top waste findings (rpt_model_tier_overspend, rpt_prompt_efficiency, "
                  "rpt_unit_cost_baseline, rpt_spend_anomalies)")  # fmt: skip
    for col in ("surface", "scope", "finding", "usd", "what the dollars are"):
        table.add_column(col, justify="right" if col == "usd" else "left", overflow="fold")
    for surface, scope, finding, usd, what in rows:
        table.add_row(surface, scope, finding, _usd(usd), what)
    console.print(table)


def _usd(value: object) -> str:
    if value is None:
        return "-"
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value):.1%}"


# What an invoice calls the account a bypass was billed to.
ACCOUNT_WORDS = {"openai": "project", "anthropic": "workspace"}
CAUSE_WORDS = (
    ("overlogged_usd", "logged by the gateway but not billed"),
    ("timing_usd", "billed on a neighbouring day"),
    ("price_difference_usd", "price difference"),
    ("unexplained_usd", "unexplained"),
)
CENT = Decimal("0.01")


def gap_in_words(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One sentence per provider-month with a gap of a cent or more, naming its causes:
    "$89.22 gap: $84.10 bypassed the gateway (project proj_X), $5.12 web search calls"."""
    months = con.execute(
        "select billing_month, provider, gap_usd, bypass_usd, overlogged_usd, timing_usd,"
        " price_difference_usd, unexplained_usd from marts.rpt_reconciliation"
        " where has_invoice order by billing_month, provider"
    ).fetchall()
    detail = con.execute(
        "select billing_month, provider, category, account_id,"
        " coalesce(charge_labels, category), bypass_usd, non_token_usd"
        " from marts.rpt_reconciliation_detail"
    ).fetchall()
    sentences = []
    for month, provider, gap, bypass, *others in months:
        if abs(gap) < CENT:
            continue
        rows = [r for r in detail if r[0] == month and r[1] == provider]
        parts = []
        if abs(bypass) >= CENT:
            accounts: dict[str, Decimal] = {}
            for *_, account, _, row_bypass, _ in rows:
                accounts[account] = accounts.get(account, Decimal(0)) + row_bypass
            named = sorted(
                ((usd, account) for account, usd in accounts.items() if usd >= CENT), reverse=True
            )
            word = ACCOUNT_WORDS.get(provider, "account")
            where = ", ".join(
                f"{word} {account or 'unknown'}" + (f" {_usd(usd)}" if len(named) > 1 else "")
                for usd, account in named[:3]
            )
            parts.append(f"{_usd(bypass)} bypassed the gateway" + (f" ({where})" if where else ""))
        charges: dict[str, Decimal] = {}
        for *_, category, _, label, _, non_token in rows:
            if category != "tokens":
                charges[label] = charges.get(label, Decimal(0)) + non_token
        for label, usd in sorted(charges.items(), key=lambda kv: -kv[1]):
            if abs(usd) >= CENT:
                parts.append(f"{_usd(usd)} {label}")
        for (_, words), usd in zip(CAUSE_WORDS, others, strict=True):
            if abs(usd) >= CENT:
                parts.append(f"{_usd(usd)} {words}")
        sentences.append(f"{month:%Y-%m} {provider}: {_usd(gap)} gap: " + ", ".join(parts))
    return sentences
