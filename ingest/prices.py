"""Effective-dated price book: LiteLLM price map -> seeds/model_prices.csv (+ model_aliases.csv).

Which map entries become prices: `mode` chat/responses entries, and embedding entries whose key
names an embedding model, with a per-token input or output price (`sample_spec`, per-hour Bedrock
commitments, image, audio, rerank and per-character-only models are skipped).
`litellm_provider` openai -> openai, anthropic -> anthropic, gemini -> google,
vertex_ai-language-models / vertex_ai-embedding-models -> google (only where no gemini entry
prices the same model), azure `azure/<model>` keys -> azure (regional `azure/eu/...` keys are
skipped: a deployment name does not say its region), cohere -> cohere, bedrock/bedrock_converse
keys containing `anthropic.claude`, `amazon.titan-embed` or `cohere.embed` -> bedrock. The model
is the key's last path segment, so `gemini/`, `vertex_ai/`, `bedrock/` and Bedrock region paths
such as `bedrock/us-east-1/` go, while geo prefixes (`us.`, `eu.`, `global.`) stay part of the model
because their prices differ. When several keys name one model the canonical-looking key wins
(`gemini/x` over `x`, otherwise the key with the fewest path segments); a loser with identical
prices becomes an alias, one with different prices is dropped with a warning.

Besides list prices a row keeps the priority/flex service-tier prices, per-call tool prices
(web search by search context size, file search, code interpreter) and the model's capabilities
(mode, context window, supports_* flags). Long-context tiers (every `*_above_<N>k_tokens` price)
go to model_price_tiers.csv beside the seed: one row per price row and threshold.

Effective dating: a row is in effect for effective_from <= date < effective_to (empty = open).
Importing a map on DATE, for each model in the map:
  - no open row: append a row from DATE;
  - open row with the same prices and tiers: nothing (its capabilities take the map's values,
    since they describe the model, not a price), so importing a file twice is a no-op;
  - different prices or tiers: close the open row at DATE and append a new one from DATE.
Models missing from the map stay open: a price list dropping a model is not a price change.
Imports run in date order: a DATE before any open row's effective_from is refused, and so is a
price change on the day its open row starts (it would leave a zero-length row).

Aliases map a lower-cased name from logs or exports to a (provider, model) with a price row:
provider prefixes (`openai/gpt-4o`, `gemini/...`, `vertex_ai/...`, `bedrock/converse/...`),
Bedrock region paths, and dated snapshots -> their undated family when both have exactly the same
list, cache, batch and long-context price history (service-tier and tool prices are often listed
on the family key only). Identity rows are not written: the pricing SQL falls back to the name.
"""

import csv
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ingest.errors import AiledgerError

# Seed column -> LiteLLM field, both per token in the map and per 1M tokens in the seed.
PRICE_FIELDS: dict[str, str] = {
    "input_per_1m_usd": "input_cost_per_token",
    "cache_read_per_1m_usd": "cache_read_input_token_cost",
    "cache_write_5m_per_1m_usd": "cache_creation_input_token_cost",
    "cache_write_1h_per_1m_usd": "cache_creation_input_token_cost_above_1hr",
    "output_per_1m_usd": "output_cost_per_token",
    "batch_input_per_1m_usd": "input_cost_per_token_batches",
    "batch_output_per_1m_usd": "output_cost_per_token_batches",
    "input_above_200k_per_1m_usd": "input_cost_per_token_above_200k_tokens",
    "output_above_200k_per_1m_usd": "output_cost_per_token_above_200k_tokens",
    "input_priority_per_1m_usd": "input_cost_per_token_priority",
    "cache_read_priority_per_1m_usd": "cache_read_input_token_cost_priority",
    "cache_write_5m_priority_per_1m_usd": "cache_creation_input_token_cost_priority",
    "output_priority_per_1m_usd": "output_cost_per_token_priority",
    "input_flex_per_1m_usd": "input_cost_per_token_flex",
    "cache_read_flex_per_1m_usd": "cache_read_input_token_cost_flex",
    "cache_write_5m_flex_per_1m_usd": "cache_creation_input_token_cost_flex",
    "output_flex_per_1m_usd": "output_cost_per_token_flex",
}
# Seed column -> path of a LiteLLM field priced per call (or per 1k calls), kept as listed.
CALL_PRICE_FIELDS: dict[str, tuple[str, ...]] = {
    "web_search_low_per_call_usd": ("search_context_cost_per_query", "search_context_size_low"),
    "web_search_medium_per_call_usd": (
        "search_context_cost_per_query", "search_context_size_medium",
    ),
    "web_search_high_per_call_usd": ("search_context_cost_per_query", "search_context_size_high"),
    "file_search_per_1k_calls_usd": ("file_search_cost_per_1k_calls",),
    "code_interpreter_per_session_usd": ("code_interpreter_cost_per_session",),
}  # fmt: skip
PRICE_COLUMNS = (*PRICE_FIELDS, *CALL_PRICE_FIELDS)
# Prices a dated snapshot must share with its family to be priced as it. The map often lists
# service-tier and tool prices on the family key only; the snapshot is billed the same.
ALIAS_PRICE_COLUMNS = PRICE_COLUMNS[:9]
# What the model can do, read by the right-sizing marts; not effective-dated prices.
CAPABILITY_COLUMNS = (
    "mode", "max_input_tokens", "max_output_tokens", "supports_function_calling",
    "supports_vision", "supports_response_schema", "supports_prompt_caching",
    "supports_web_search", "prompt_cache_min_tokens",
)  # fmt: skip
SEED_COLUMNS = (
    "provider", "model", "effective_from", "effective_to",
    *PRICE_COLUMNS,
    *CAPABILITY_COLUMNS,
    "litellm_key", "price_source",
)  # fmt: skip
# The layout before capabilities and tier prices were kept; such a seed is read and upgraded.
LEGACY_SEED_COLUMNS = (*SEED_COLUMNS[:13], "litellm_key", "price_source")
ALIAS_COLUMNS = ("provider", "alias", "model")

# Long-context tiers: `<kind>_above_<N>k_tokens[_priority]`, LiteLLM's N k meaning N * 1000
# tokens, applying when the request's input is above it.
TIER_FIELD = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost_above_1hr|cache_creation_input_token_cost)"
    r"_above_(\d+)k_tokens(_priority)?$"
)
TIER_PRICE_COLUMNS: dict[tuple[str, str], str] = {
    ("input_cost_per_token", ""): "input_per_1m_usd",
    ("cache_read_input_token_cost", ""): "cache_read_per_1m_usd",
    ("cache_creation_input_token_cost", ""): "cache_write_5m_per_1m_usd",
    ("cache_creation_input_token_cost_above_1hr", ""): "cache_write_1h_per_1m_usd",
    ("output_cost_per_token", ""): "output_per_1m_usd",
    ("input_cost_per_token", "_priority"): "input_priority_per_1m_usd",
    ("cache_read_input_token_cost", "_priority"): "cache_read_priority_per_1m_usd",
    ("cache_creation_input_token_cost", "_priority"): "cache_write_5m_priority_per_1m_usd",
    ("output_cost_per_token", "_priority"): "output_priority_per_1m_usd",
}
TIER_VALUE_COLUMNS = tuple(dict.fromkeys(TIER_PRICE_COLUMNS.values()))
TIER_COLUMNS = ("provider", "model", "effective_from", "above_input_tokens", *TIER_VALUE_COLUMNS)
TIER_SEED_NAME = "model_price_tiers.csv"

CHAT_MODES = frozenset({"chat", "responses"})
# The seed column is decimal(18,6); anything finer would be rounded silently by the cast.
SEED_SCALE = 6

# Names people write in front of a bare model name, per provider.
ALIAS_PREFIXES: dict[str, tuple[str, ...]] = {
    "openai": ("openai/",),
    "anthropic": ("anthropic/",),
    "google": ("gemini/", "vertex_ai/"),
    "bedrock": ("bedrock/", "bedrock/converse/", "bedrock/invoke/"),
    "azure": ("azure/",),
    "cohere": ("cohere/",),
}
# Pinned snapshot suffixes: gpt-4o-2024-08-06, gpt-4-0613, claude-...-20250929, gemini-...-001.
DATED_SUFFIX: dict[str, re.Pattern[str]] = {
    "openai": re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$"),
    "azure": re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$"),
    "anthropic": re.compile(r"-\d{8}$"),
    "google": re.compile(r"-\d{3}$"),
}

Row = dict[str, str]
Prices = tuple[Decimal | None, ...]
ModelId = tuple[str, str]
Tiers = tuple[tuple[int, Prices], ...]


@dataclass(frozen=True)
class MapEntry:
    """One model's prices as read from a price map (per-1M decimal strings, "" when absent)."""

    provider: str
    model: str
    key: str
    prices: tuple[str, ...]
    tiers: tuple[tuple[int, tuple[str, ...]], ...] = ()
    capabilities: tuple[str, ...] = ()


@dataclass
class ParsedMap:
    """Priced models of a map, aliases implied by duplicate keys, and keys dropped as conflicts."""

    entries: dict[ModelId, MapEntry]
    key_aliases: dict[ModelId, str]
    dropped: set[ModelId]
    warnings: list[str]


@dataclass
class ImportResult:
    """What an import did to the seed."""

    added: int = 0
    closed: int = 0
    unchanged: int = 0
    tiers: int = 0
    warnings: list[str] = field(default_factory=list)


def per_million(value: object) -> str:
    """USD per token (JSON number) -> exact USD per 1M tokens as plain decimal text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    # repr() is the shortest text that round-trips the float, so 2.5e-06 enters Decimal as
    # exactly 2.5e-06 rather than the binary float's 2.49999999999999989e-06.
    amount = Decimal(repr(value))
    if not amount.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return format((amount * 1_000_000).normalize(), "f")


def per_call(value: object) -> str:
    """USD per call (JSON number) -> exact plain decimal text."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"not a number: {value!r}")
    amount = Decimal(repr(value))
    if not amount.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return format(amount.normalize(), "f")


def _capability(value: object) -> str:
    # Unknown stays empty: a missing supports_* flag is not a "no".
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, str) and value:
        return value
    return ""


def _lookup(entry: Mapping[str, object], path: tuple[str, ...]) -> object:
    value: object = entry
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _entry_values(
    entry: Mapping[str, object],
) -> tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...]], ...], tuple[str, ...]]:
    """(prices, long-context tiers, capabilities) of one map entry, as seed text."""
    prices = tuple(per_million(entry.get(src)) for src in PRICE_FIELDS.values()) + tuple(
        per_call(_lookup(entry, path)) for path in CALL_PRICE_FIELDS.values()
    )
    tiers: dict[int, dict[str, str]] = defaultdict(dict)
    for name, value in entry.items():
        found = TIER_FIELD.match(name)
        column = found and TIER_PRICE_COLUMNS.get((found.group(1), found.group(3) or ""))
        if found and column:
            tiers[int(found.group(2)) * 1000][column] = per_million(value)
    tier_values = tuple(
        (threshold, tuple(tiers[threshold].get(c, "") for c in TIER_VALUE_COLUMNS))
        for threshold in sorted(tiers)
    )
    capabilities = tuple(_capability(entry.get(c)) for c in CAPABILITY_COLUMNS)
    return prices, tier_values, capabilities


def _classify(key: str, entry: Mapping[str, object]) -> tuple[str, str, int] | None:
    """(provider, model, rank) for an entry the price book keeps; the lowest rank wins a tie."""
    mode = entry.get("mode")
    # LiteLLM mislabels a few chat models as embedding; an embedding model says so in its name.
    if mode not in CHAT_MODES and not (mode == "embedding" and "embed" in key.lower()):
        return None
    if "input_cost_per_token" not in entry and "output_cost_per_token" not in entry:
        return None
    source = entry.get("litellm_provider")
    model = key.rsplit("/", 1)[-1]
    depth = key.count("/")
    if source in ("openai", "anthropic", "cohere"):
        return str(source), model, depth
    if source == "azure":
        return ("azure", model, 0) if depth == 1 else None
    if source == "gemini":
        return "google", model, 0 if key.startswith("gemini/") else 1
    if source in ("vertex_ai-language-models", "vertex_ai-embedding-models"):
        # Ranked after every gemini key: Vertex prices a model only when the Gemini API doesn't.
        return "google", model, 10 + depth
    if source in ("bedrock", "bedrock_converse") and any(
        family in key for family in ("anthropic.claude", "amazon.titan-embed", "cohere.embed")
    ):
        return "bedrock", model, depth
    return None


def parse_price_map(price_map: Mapping[str, object]) -> ParsedMap:
    """Pick the priced chat and embedding models of the providers out of a LiteLLM price map."""
    candidates: dict[ModelId, list[tuple[int, str, str, MapEntry]]] = defaultdict(list)
    for key, entry in price_map.items():
        if key == "sample_spec" or not isinstance(entry, Mapping):
            continue
        found = _classify(key, entry)
        if found is None:
            continue
        provider, model, rank = found
        try:
            prices, tiers, capabilities = _entry_values(entry)
        except ValueError as exc:
            raise AiledgerError(
                f"price map entry {key!r} has a bad price: {exc}",
                hint="Prices must be JSON numbers in USD per token (per call for tools).",
            ) from exc
        source = str(entry.get("litellm_provider"))
        candidates[(provider, model)].append(
            (rank, key, source, MapEntry(provider, model, key, prices, tiers, capabilities))
        )

    parsed = ParsedMap(entries={}, key_aliases={}, dropped=set(), warnings=[])
    for (provider, model), options in sorted(candidates.items()):
        options.sort(key=lambda option: option[:2])
        _, key, source, chosen = options[0]
        parsed.entries[(provider, model)] = chosen
        for _, other_key, other_source, other in options[1:]:
            if _entry_prices(other) == _entry_prices(chosen):
                parsed.key_aliases[(provider, other_key.lower())] = model
                continue
            parsed.dropped.add((provider, other_key.lower()))
            if other_source == source:
                # Vertex differing from the Gemini API is expected; two keys of one source
                # disagreeing about the same model is a data problem worth showing.
                parsed.warnings.append(
                    f"{other_key}: prices {provider} {model} differently from {key}; kept {key}"
                )
    return parsed


def load_price_map(path: Path) -> dict[str, object]:
    """Read a LiteLLM price map JSON file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise AiledgerError(f"price map not found: {path}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AiledgerError(
            f"{path} is not valid JSON: {exc}",
            hint="Expected LiteLLM's model_prices_and_context_window.json.",
        ) from exc
    if not isinstance(data, dict):
        raise AiledgerError(
            f"{path} is not a price map (top level is not an object)",
            hint="Expected LiteLLM's model_prices_and_context_window.json.",
        )
    return data


def describe_source(map_path: Path, effective_from: date) -> str:
    """price_source text: the snapshot date from the file name, flagged when back-dated."""
    found = re.search(r"\d{4}-\d{2}-\d{2}", Path(map_path).name)
    if found is None:
        return f"litellm price map {Path(map_path).name}"
    source = f"litellm snapshot {found.group()}"
    if effective_from.isoformat() < found.group():
        source += " (back-dated)"
    return source


def _decimals(prices: Iterable[str]) -> Prices:
    # Compared as numbers so a hand-edited "2.50" still equals "2.5".
    return tuple(Decimal(p) if p else None for p in prices)


def _row_prices(row: Row) -> Prices:
    return _decimals(row[c] for c in PRICE_COLUMNS)


def _entry_prices(entry: MapEntry) -> tuple[Prices, Tiers]:
    return _decimals(entry.prices), tuple((t, _decimals(v)) for t, v in entry.tiers)


def _tier_index(tier_rows: Iterable[Row]) -> dict[tuple[str, str, str], Tiers]:
    """Tiers of each price row, keyed (provider, model, effective_from), lowest threshold first."""
    found: dict[tuple[str, str, str], list[tuple[int, Prices]]] = defaultdict(list)
    for row in tier_rows:
        found[(row["provider"], row["model"], row["effective_from"])].append(
            (int(row["above_input_tokens"]), _decimals(row[c] for c in TIER_VALUE_COLUMNS))
        )
    return {key: tuple(sorted(tiers)) for key, tiers in found.items()}


def _row_key(row: Row) -> tuple[str, str, str]:
    return row["provider"], row["model"], row["effective_from"]


def _merge(
    seed_rows: Sequence[Row],
    tier_rows: Sequence[Row],
    entries: Mapping[ModelId, MapEntry],
    effective_from: date,
    price_source: str,
) -> tuple[list[Row], list[Row], list[Row], ImportResult]:
    day = effective_from.isoformat()
    rows = [dict(row) for row in seed_rows]
    tiers = [dict(row) for row in tier_rows]
    tier_index = _tier_index(tiers)
    open_rows: dict[ModelId, Row] = {}
    for row in rows:
        if not row["effective_to"]:
            open_rows[(row["provider"], row["model"])] = row

    latest = max((row["effective_from"] for row in open_rows.values()), default="")
    if day < latest:
        raise AiledgerError(
            f"cannot import prices effective {day}: the seed already has prices "
            f"effective from {latest}",
            hint=f"Import price maps in date order; pass an --effective-from on or after {latest}.",
        )

    result = ImportResult()
    added: list[Row] = []
    for model_id, entry in sorted(entries.items()):
        current = open_rows.get(model_id)
        if current is not None:
            if (_row_prices(current), tier_index.get(_row_key(current), ())) == _entry_prices(
                entry
            ):
                result.unchanged += 1
                current.update(zip(CAPABILITY_COLUMNS, entry.capabilities, strict=True))
                continue
            if current["effective_from"] == day:
                raise AiledgerError(
                    f"{entry.provider} {entry.model} already has different prices "
                    f"effective from {day}",
                    hint="A second price change on the same day would leave a zero-length "
                    "row; use a later --effective-from or fix the seed by hand.",
                )
            current["effective_to"] = day
            result.closed += 1
        added.append(
            {
                "provider": entry.provider,
                "model": entry.model,
                "effective_from": day,
                "effective_to": "",
                **dict(zip(PRICE_COLUMNS, entry.prices, strict=True)),
                **dict(zip(CAPABILITY_COLUMNS, entry.capabilities, strict=True)),
                "litellm_key": entry.key,
                "price_source": price_source,
            }
        )
        for threshold, values in entry.tiers:
            tiers.append(
                {
                    "provider": entry.provider,
                    "model": entry.model,
                    "effective_from": day,
                    "above_input_tokens": str(threshold),
                    **dict(zip(TIER_VALUE_COLUMNS, values, strict=True)),
                }
            )
            result.tiers += 1
    result.added = len(added)
    rows.extend(added)
    rows.sort(key=_row_key)
    tiers.sort(key=lambda row: (*_row_key(row), int(row["above_input_tokens"])))
    return rows, tiers, added, result


def merge_price_map(
    seed_rows: Sequence[Row],
    price_map: Mapping[str, object],
    effective_from: date,
    *,
    tier_rows: Sequence[Row] = (),
    price_source: str = "litellm price map",
) -> tuple[list[Row], list[Row]]:
    """Seed and tier rows after importing a price map on a date (inputs are not modified)."""
    entries = parse_price_map(price_map).entries
    rows, tiers, _, _ = _merge(seed_rows, tier_rows, entries, effective_from, price_source)
    return rows, tiers


def validate_rows(rows: Iterable[Row]) -> list[str]:
    """Warnings for prices that look wrong; the rows are reported, never changed."""
    warnings = []
    for row in rows:
        label = f"{row['provider']} {row['model']} (from {row['effective_from']})"
        prices = {c: Decimal(row[c]) for c in PRICE_COLUMNS if row[c]}
        for column, value in prices.items():
            if value < 0:
                warnings.append(f"{label}: {column} is negative ({value})")
            if -value.as_tuple().exponent > SEED_SCALE:
                warnings.append(f"{label}: {column} {value} has more than {SEED_SCALE} decimals")
        given = prices.get("input_per_1m_usd")
        if given is None:
            continue
        cache_read = prices.get("cache_read_per_1m_usd")
        if cache_read is not None and cache_read > given:
            warnings.append(f"{label}: cache read {cache_read} costs more than input {given}")
        write_1h = prices.get("cache_write_1h_per_1m_usd")
        if write_1h is not None and write_1h > 4 * given:
            # Anthropic charges 2x input for a 1-hour cache write; 4x leaves room for
            # other providers and still catches entries copied from another model.
            warnings.append(f"{label}: 1h cache write {write_1h} is over 4x input {given}")
    return warnings


def _read_csv(
    path: Path, columns: Sequence[str], legacy: Sequence[str] | None = None
) -> list[Row]:
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != tuple(columns) and header != tuple(legacy or columns):
            raise AiledgerError(
                f"{path} does not have the expected columns",
                hint="Expected: " + ",".join(columns),
            )
        # An older layout gains the new columns empty; the next import fills them.
        return [{c: row.get(c) or "" for c in columns} for row in reader]


def read_seed(path: Path) -> list[Row]:
    """Rows of a price seed; a missing file is an empty seed (the first import creates it)."""
    if not Path(path).exists():
        return []
    rows = _read_csv(path, SEED_COLUMNS, LEGACY_SEED_COLUMNS)
    seen_open: set[ModelId] = set()
    for number, row in enumerate(rows, start=2):
        try:
            for column in ("effective_from", "effective_to"):
                if row[column] or column == "effective_from":
                    date.fromisoformat(row[column])
            _row_prices(row)
        except (ValueError, InvalidOperation) as exc:
            raise AiledgerError(f"{path} line {number}: bad date or price ({exc})") from exc
        if not row["effective_to"]:
            model_id = (row["provider"], row["model"])
            if model_id in seen_open:
                raise AiledgerError(
                    f"{path}: {model_id[0]} {model_id[1]} has more than one open row",
                    hint="Close all but the latest row (set effective_to).",
                )
            seen_open.add(model_id)
    return rows


def read_tiers(path: Path) -> list[Row]:
    """Rows of a long-context tier seed; a missing file has none."""
    if not Path(path).exists():
        return []
    rows = _read_csv(path, TIER_COLUMNS)
    for number, row in enumerate(rows, start=2):
        try:
            date.fromisoformat(row["effective_from"])
            int(row["above_input_tokens"])
            _decimals(row[c] for c in TIER_VALUE_COLUMNS)
        except (ValueError, InvalidOperation) as exc:
            raise AiledgerError(
                f"{path} line {number}: bad date, threshold or price ({exc})"
            ) from exc
    return rows


def read_aliases(path: Path) -> list[Row]:
    """Rows of an alias seed."""
    return _read_csv(path, ALIAS_COLUMNS)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """Write a seed atomically, so a failed import never leaves half a price book behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", newline="", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        # NamedTemporaryFile creates 0600 files; keep the seed as readable as it was before.
        os.chmod(handle.name, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def _histories(
    rows: Iterable[Row], tier_rows: Iterable[Row] = ()
) -> dict[ModelId, list[tuple[str, str, Prices, Tiers]]]:
    """Each model's list-price history: consecutive rows equal in ALIAS_PRICE_COLUMNS merged."""
    tier_index = _tier_index(tier_rows)
    histories: dict[ModelId, list[tuple[str, str, Prices, Tiers]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: r["effective_from"]):
        history = histories[(row["provider"], row["model"])]
        prices = _decimals(row[c] for c in ALIAS_PRICE_COLUMNS)
        tiers = tier_index.get(_row_key(row), ())
        if history and history[-1][1] == row["effective_from"] and history[-1][2:] == (
            prices, tiers
        ):
            history[-1] = (history[-1][0], row["effective_to"], prices, tiers)
        else:
            history.append((row["effective_from"], row["effective_to"], prices, tiers))
    return histories


def derive_aliases(
    rows: Iterable[Row], key_aliases: Mapping[ModelId, str], tier_rows: Iterable[Row] = ()
) -> list[Row]:
    """Alias rows for a price seed: one target per (provider, alias), each target priced."""
    histories = _histories(rows, tier_rows)
    aliases: dict[ModelId, str] = {}

    def add(provider: str, alias: str, model: str) -> None:
        alias = alias.lower()
        own = histories.get((provider, alias))
        # An alias may shadow a priced name only when it would price it exactly the same.
        if alias == model or (provider, alias) in aliases:
            return
        if own is not None and own != histories[(provider, model)]:
            return
        aliases[(provider, alias)] = model

    for (provider, alias), model in sorted(key_aliases.items()):
        if (provider, model) in histories:
            add(provider, alias, model)
    for provider, model in sorted(histories):
        pattern = DATED_SUFFIX.get(provider)
        family = pattern.sub("", model) if pattern else model
        if family != model and histories.get((provider, family)) == histories[(provider, model)]:
            add(provider, model, family)
        add(provider, model, model)  # only adds a lower-cased spelling of a mixed-case name

    bare = {model_id: model_id[1] for model_id in histories}
    bare.update({k: v for k, v in aliases.items() if "/" not in k[1]})
    for (provider, name), target in sorted(bare.items()):
        for prefix in ALIAS_PREFIXES.get(provider, ()):
            add(provider, prefix + name, target)
    return [
        {"provider": provider, "alias": alias, "model": model}
        for (provider, alias), model in sorted(aliases.items())
    ]


def check_aliases(
    rows: Iterable[Row], alias_rows: Iterable[Row], tier_rows: Iterable[Row] = ()
) -> list[str]:
    """Problems with an alias seed: duplicates, unpriced targets, stale snapshot aliases."""
    histories = _histories(rows, tier_rows)
    problems = []
    seen: set[ModelId] = set()
    for alias in alias_rows:
        provider, name, target = alias["provider"], alias["alias"], alias["model"]
        if (provider, name) in seen:
            problems.append(f"alias {provider} {name} is listed more than once")
        seen.add((provider, name))
        if (provider, target) not in histories:
            problems.append(f"alias {provider} {name} -> {target}: no price row for {target}")
        elif (provider, name) in histories and histories[(provider, name)] != histories[
            (provider, target)
        ]:
            problems.append(
                f"alias {provider} {name} -> {target}: {name} has its own prices, which differ "
                f"from {target}'s; the alias would misprice it"
            )
    return problems


def import_prices(
    map_path: Path,
    effective_from: date,
    seed_path: Path,
    *,
    price_source: str | None = None,
) -> ImportResult:
    """Merge a LiteLLM price map into the price seed (and its tier seed), effective from a date."""
    parsed = parse_price_map(load_price_map(map_path))
    seed_rows = read_seed(seed_path)
    tier_path = Path(seed_path).with_name(TIER_SEED_NAME)
    tier_rows = read_tiers(tier_path)
    source = price_source or describe_source(map_path, effective_from)
    rows, tiers, added, result = _merge(
        seed_rows, tier_rows, parsed.entries, effective_from, source
    )
    result.warnings = parsed.warnings + validate_rows(added)
    if rows != seed_rows or not Path(seed_path).exists():
        write_csv(seed_path, SEED_COLUMNS, rows)
    if tiers != tier_rows or not tier_path.exists():
        write_csv(tier_path, TIER_COLUMNS, tiers)
    alias_path = Path(seed_path).with_name("model_aliases.csv")
    if alias_path.exists():
        result.warnings += check_aliases(rows, read_aliases(alias_path), tiers)
    return result
