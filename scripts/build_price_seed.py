"""Maintainer tool: rebuild the price seeds (model_prices, model_price_tiers, model_aliases).

Not used at run time. Each snapshot's date is read from its file name (YYYY-MM-DD); snapshots are
imported oldest first into an empty book, the oldest back-dated to --back-date, the rest effective
on their own dates. The shipped seeds were built from two public LiteLLM snapshots, saved
locally under their snapshot dates:

    .venv/bin/python scripts/build_price_seed.py \\
        PATH/TO/litellm_model_prices_2026-03-11.json \\
        PATH/TO/litellm_model_prices_2026-07-24.json
"""

import argparse
import re
import sys
import tempfile
from datetime import date
from pathlib import Path

from ingest.errors import AiledgerError
from ingest.prices import (
    ALIAS_COLUMNS,
    SEED_COLUMNS,
    TIER_COLUMNS,
    TIER_SEED_NAME,
    check_aliases,
    derive_aliases,
    import_prices,
    load_price_map,
    parse_price_map,
    read_seed,
    read_tiers,
    write_csv,
)

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds"


def snapshot_date(path: Path) -> date:
    """The date in a snapshot's file name."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
    if found is None:
        raise AiledgerError(f"{path.name}: no YYYY-MM-DD date in the file name")
    return date.fromisoformat(found.group())


def build(snapshots: list[Path], back_date: date, seeds_dir: Path) -> int:
    """Rebuild the seeds; returns the number of alias problems (0 when the seeds are sound)."""
    snapshots = sorted(snapshots, key=snapshot_date)
    key_aliases: dict[tuple[str, str], str] = {}
    dropped: set[tuple[str, str]] = set()
    with tempfile.TemporaryDirectory() as scratch:
        # Built from nothing in scratch space so a stale shipped seed cannot leak into the result.
        seed = Path(scratch) / "model_prices.csv"
        for number, path in enumerate(snapshots):
            effective = back_date if number == 0 else snapshot_date(path)
            result = import_prices(path, effective, seed)
            print(
                f"{path.name} effective {effective}: added {result.added}, "
                f"closed {result.closed}, unchanged {result.unchanged}, tiers {result.tiers}",
                file=sys.stderr,
            )
            for warning in result.warnings:
                print(f"  warning: {warning}", file=sys.stderr)
            parsed = parse_price_map(load_price_map(path))
            key_aliases.update(parsed.key_aliases)
            dropped |= parsed.dropped
        rows = read_seed(seed)
        tiers = read_tiers(seed.with_name(TIER_SEED_NAME))

    # A key that priced its model differently in any snapshot is not a safe alias.
    safe = {k: v for k, v in key_aliases.items() if k not in dropped}
    aliases = derive_aliases(rows, safe, tiers)
    problems = check_aliases(rows, aliases, tiers)
    for problem in problems:
        print(f"  alias problem: {problem}", file=sys.stderr)
    write_csv(seeds_dir / "model_prices.csv", SEED_COLUMNS, rows)
    write_csv(seeds_dir / TIER_SEED_NAME, TIER_COLUMNS, tiers)
    write_csv(seeds_dir / "model_aliases.csv", ALIAS_COLUMNS, aliases)
    print(
        f"wrote {len(rows)} price rows, {len(tiers)} tier rows and {len(aliases)} aliases "
        f"to {seeds_dir}",
        file=sys.stderr,
    )
    return len(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("snapshots", nargs="+", type=Path, help="LiteLLM price map JSON files")
    parser.add_argument(
        "--back-date",
        type=date.fromisoformat,
        default=date(2024, 1, 1),
        help="effective_from for the oldest snapshot (default: start of the two-year window)",
    )
    parser.add_argument("--seeds-dir", type=Path, default=SEEDS_DIR)
    args = parser.parse_args(argv)
    try:
        return 1 if build(args.snapshots, args.back_date, args.seeds_dir) else 0
    except AiledgerError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
