"""Price map import, effective dating, validation and aliases; plus facts of the shipped seeds."""

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from ingest import prices
from ingest.errors import AiledgerError
from ingest.prices import (
    SEED_COLUMNS,
    check_aliases,
    derive_aliases,
    describe_source,
    import_prices,
    load_price_map,
    merge_price_map,
    parse_price_map,
    per_million,
    read_aliases,
    read_seed,
    read_tiers,
    validate_rows,
)

FIXTURES = Path(__file__).parents[1] / "fixtures" / "prices"
JANUARY = FIXTURES / "litellm_2025-01-01.json"
JUNE = FIXTURES / "litellm_2025-06-01.json"
SEEDS = Path(__file__).parents[2] / "seeds"
TIERS_NAME = "model_price_tiers.csv"


def rows_for(rows: list[dict[str, str]], provider: str, model: str) -> list[dict[str, str]]:
    return [r for r in rows if r["provider"] == provider and r["model"] == model]


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return tmp_path / "model_prices.csv"


# --- reading a price map ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per_token", "per_1m"),
    [(1.25e-08, "0.0125"), (2.5e-06, "2.5"), (1e-05, "10"), (3.75e-07, "0.375"), (0, "0"),
     (1e-10, "0.0001"), (0.00015, "150"), (3.3e-07, "0.33")],
)  # fmt: skip
def test_per_million_is_exact_plain_decimal(per_token: float, per_1m: str) -> None:
    assert per_million(per_token) == per_1m


@pytest.mark.parametrize("bad", ["2.5e-06", True, float("nan")])
def test_per_million_rejects_non_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        per_million(bad)


def test_parse_keeps_priced_chat_and_embedding_models_of_the_providers() -> None:
    parsed = parse_price_map(load_price_map(JANUARY))
    assert set(parsed.entries) == {
        ("openai", "gpt-4o"),
        ("openai", "gpt-5.4"),
        ("openai", "text-embedding-3-small"),
        ("azure", "gpt-4o"),
        ("google", "gemini-2.5-pro"),
        ("bedrock", "cohere.embed-english-v3"),
        ("openai", "gpt-4o-2024-08-06"),
        ("openai", "gpt-4o-2024-05-13"),
        ("openai", "gpt-4o-mini"),
        ("openai", "gpt-4o-mini-2024-07-18"),
        ("openai", "o1-pro"),
        ("anthropic", "claude-sonnet-4-5"),
        ("anthropic", "claude-sonnet-4-5-20250929"),
        ("anthropic", "claude-3-haiku-20240307"),
        ("google", "gemini-2.0-flash"),
        ("google", "gemini-2.0-flash-lite"),
        ("google", "gemini-1.0-pro"),
        ("bedrock", "anthropic.claude-3-haiku-20240307-v1:0"),
        ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
    }
    # The Gemini API entry wins over Vertex's differently priced one for the same model.
    flash = parsed.entries[("google", "gemini-2.0-flash")]
    assert (flash.key, flash.prices[0]) == ("gemini/gemini-2.0-flash", "0.1")
    assert parsed.entries[("google", "gemini-1.0-pro")].key == "gemini-1.0-pro"
    # Same-priced region key becomes an alias; the gov region's other prices are reported.
    assert parsed.key_aliases == {
        ("bedrock", "bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0"): (
            "anthropic.claude-3-haiku-20240307-v1:0"
        )
    }
    assert len(parsed.warnings) == 1 and "us-gov-west-1" in parsed.warnings[0]


def test_string_price_in_map_is_an_error() -> None:
    bad = {"gpt-x": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "1"}}
    with pytest.raises(AiledgerError, match="gpt-x"):
        parse_price_map(bad)


def test_map_that_is_not_json_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "prices.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(AiledgerError, match="not valid JSON"):
        load_price_map(path)


def test_price_source_names_snapshot_and_back_dating() -> None:
    snapshot = Path("litellm_model_prices_2026-03-11.json")
    assert describe_source(snapshot, date(2024, 1, 1)) == "litellm snapshot 2026-03-11 (back-dated)"
    assert describe_source(snapshot, date(2026, 3, 11)) == "litellm snapshot 2026-03-11"


# --- effective dating -------------------------------------------------------------------------


def test_first_import_opens_every_model_on_the_date(seed: Path) -> None:
    result = import_prices(JANUARY, date(2025, 1, 1), seed)
    rows = read_seed(seed)
    assert (result.added, result.closed, result.unchanged) == (19, 0, 0)
    assert len(rows) == 19
    assert seed.stat().st_mode & 0o777 == 0o644  # not the 0600 of the temporary file
    assert {(r["effective_from"], r["effective_to"]) for r in rows} == {("2025-01-01", "")}
    [gpt4o] = rows_for(rows, "openai", "gpt-4o")
    assert [gpt4o[c] for c in prices.PRICE_COLUMNS] == [
        "2.5", "1.25", "", "", "10", "1.25", "5", "", "", "4.25", "", "", "17", "1.25", "", "", "",
        "", "", "", "", "",
    ]  # fmt: skip
    [lite] = rows_for(rows, "google", "gemini-2.0-flash-lite")
    assert lite["cache_read_per_1m_usd"] == "0.0125"
    assert gpt4o["price_source"] == "litellm snapshot 2025-01-01"
    assert rows == sorted(rows, key=lambda r: (r["provider"], r["model"], r["effective_from"]))


def test_price_change_closes_the_open_row_and_opens_a_new_one(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    result = import_prices(JUNE, date(2025, 6, 1), seed)
    rows = read_seed(seed)
    # sonnet, its dated snapshot and gpt-4o-mini changed; gpt-4.1 is new.
    assert (result.added, result.closed, result.unchanged) == (4, 3, 15)
    old, new = rows_for(rows, "anthropic", "claude-sonnet-4-5")
    assert (old["effective_from"], old["effective_to"]) == ("2025-01-01", "2025-06-01")
    assert (new["effective_from"], new["effective_to"]) == ("2025-06-01", "")
    assert (old["cache_write_1h_per_1m_usd"], new["cache_write_1h_per_1m_usd"]) == ("", "6")
    [added] = rows_for(rows, "openai", "gpt-4.1")
    assert (added["effective_from"], added["effective_to"]) == ("2025-06-01", "")


def test_model_dropped_from_a_later_map_stays_open(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    import_prices(JUNE, date(2025, 6, 1), seed)
    [row] = rows_for(read_seed(seed), "openai", "gpt-4o-2024-05-13")
    assert (row["effective_from"], row["effective_to"]) == ("2025-01-01", "")


def test_reimporting_the_same_map_on_the_same_date_changes_nothing(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    import_prices(JUNE, date(2025, 6, 1), seed)
    before = seed.read_bytes()
    result = import_prices(JUNE, date(2025, 6, 1), seed)
    assert (result.added, result.closed, result.unchanged) == (0, 0, 19)
    assert seed.read_bytes() == before


def test_import_dated_before_an_open_row_is_refused(seed: Path) -> None:
    import_prices(JUNE, date(2025, 6, 1), seed)
    before = seed.read_bytes()
    with pytest.raises(AiledgerError, match="2025-06-01") as caught:
        import_prices(JANUARY, date(2025, 1, 1), seed)
    assert caught.value.hint and "date order" in caught.value.hint
    assert seed.read_bytes() == before


def test_second_price_change_on_the_same_day_is_refused(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 6, 1), seed)
    with pytest.raises(AiledgerError, match="already has different prices"):
        import_prices(JUNE, date(2025, 6, 1), seed)


def test_merge_price_map_leaves_its_input_alone() -> None:
    january = json.loads(JANUARY.read_text(encoding="utf-8"))
    june = json.loads(JUNE.read_text(encoding="utf-8"))
    first, first_tiers = merge_price_map([], january, date(2025, 1, 1))
    snapshot = [dict(r) for r in first], [dict(r) for r in first_tiers]
    second, second_tiers = merge_price_map(first, june, date(2025, 6, 1), tier_rows=first_tiers)
    assert (first, first_tiers) == snapshot
    assert len(second) == len(first) + 4
    assert len(second_tiers) == len(first_tiers) + 2
    assert all(tuple(r) == SEED_COLUMNS for r in second)


def test_failed_write_keeps_the_old_seed(seed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    before = seed.read_bytes()

    def explode(self: csv.DictWriter, rows: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(csv.DictWriter, "writerows", explode)
    with pytest.raises(OSError):
        import_prices(JUNE, date(2025, 6, 1), seed)
    assert seed.read_bytes() == before
    assert sorted(p.name for p in seed.parent.iterdir()) == [TIERS_NAME, seed.name]


def test_seed_with_unexpected_columns_is_refused(seed: Path) -> None:
    seed.write_text("provider,model,price\nopenai,gpt-4o,2.5\n", encoding="utf-8")
    with pytest.raises(AiledgerError, match="expected columns"):
        import_prices(JANUARY, date(2025, 1, 1), seed)


def test_import_keeps_tier_prices_tool_prices_and_capabilities(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    rows = read_seed(seed)
    [gpt4o] = rows_for(rows, "openai", "gpt-4o")
    priority = (gpt4o["input_priority_per_1m_usd"], gpt4o["output_priority_per_1m_usd"])
    assert priority == ("4.25", "17")
    assert (gpt4o["input_flex_per_1m_usd"], gpt4o["output_flex_per_1m_usd"]) == ("1.25", "")
    assert [gpt4o[c] for c in prices.CAPABILITY_COLUMNS] == [
        "chat", "128000", "16384", "true", "true", "true", "true", "", ""
    ]  # fmt: skip
    [sonnet] = rows_for(rows, "anthropic", "claude-sonnet-4-5")
    assert sonnet["web_search_medium_per_call_usd"] == "0.01"
    assert sonnet["supports_vision"] == ""  # unknown, not "false"
    [embedding] = rows_for(rows, "openai", "text-embedding-3-small")
    assert (embedding["mode"], embedding["input_per_1m_usd"]) == ("embedding", "0.02")
    [azure] = rows_for(rows, "azure", "gpt-4o")
    assert (azure["litellm_key"], azure["input_per_1m_usd"]) == ("azure/gpt-4o", "2.5")

    tier_rows = read_tiers(seed.with_name(TIERS_NAME))
    tiers = {(t["model"], t["above_input_tokens"]): t for t in tier_rows}
    assert set(tiers) == {
        ("claude-sonnet-4-5", "200000"), ("claude-sonnet-4-5-20250929", "200000"),
        ("gemini-2.5-pro", "200000"), ("gpt-5.4", "272000"),
    }  # fmt: skip
    band = tiers[("claude-sonnet-4-5", "200000")]
    assert [band[c] for c in prices.TIER_VALUE_COLUMNS] == [
        "6", "0.6", "", "", "22.5", "", "", "", ""
    ]  # fmt: skip
    gpt54 = tiers[("gpt-5.4", "272000")]
    assert (gpt54["input_per_1m_usd"], gpt54["output_per_1m_usd"]) == ("5", "22.5")
    assert (gpt54["input_priority_per_1m_usd"], gpt54["effective_from"]) == ("10", "2025-01-01")


def test_every_tier_threshold_of_the_map_is_read() -> None:
    entry = {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 1e-06,
             "output_cost_per_token": 2e-06}  # fmt: skip
    for k in ("128k", "200k", "256k", "272k", "512k"):
        entry[f"input_cost_per_token_above_{k}_tokens"] = 2e-06
        entry[f"cache_read_input_token_cost_above_{k}_tokens"] = 2e-07
        entry[f"cache_creation_input_token_cost_above_{k}_tokens"] = 2.5e-06
        entry[f"cache_creation_input_token_cost_above_1hr_above_{k}_tokens"] = 4e-06
        entry[f"output_cost_per_token_above_{k}_tokens_priority"] = 8e-06
    [parsed] = parse_price_map({"gpt-x": entry}).entries.values()
    assert [t for t, _ in parsed.tiers] == [128000, 200000, 256000, 272000, 512000]
    assert parsed.tiers[-1][1] == ("2", "0.2", "2.5", "4", "", "", "", "", "8")


def test_tier_change_dates_the_row_and_keeps_old_tiers(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    import_prices(JUNE, date(2025, 6, 1), seed)
    tiers = read_tiers(seed.with_name(TIERS_NAME))
    sonnet = [t for t in tiers if t["model"] == "claude-sonnet-4-5"]
    assert [(t["effective_from"], t["cache_write_1h_per_1m_usd"]) for t in sonnet] == [
        ("2025-01-01", ""), ("2025-06-01", "12")
    ]  # fmt: skip


def test_tier_price_change_alone_closes_the_row(seed: Path, tmp_path: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    changed = json.loads(JANUARY.read_text(encoding="utf-8"))
    changed["gpt-5.4"]["output_cost_per_token_above_272k_tokens"] = 3e-05
    later = tmp_path / "litellm_2025-03-01.json"
    later.write_text(json.dumps(changed), encoding="utf-8")
    result = import_prices(later, date(2025, 3, 1), seed)
    assert (result.added, result.closed, result.tiers) == (1, 1, 1)
    old, new = rows_for(read_seed(seed), "openai", "gpt-5.4")
    assert (old["effective_to"], new["effective_from"], new["input_per_1m_usd"]) == (
        "2025-03-01", "2025-03-01", "2.5"
    )  # fmt: skip


def test_capabilities_follow_the_newest_map_without_a_new_row(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    import_prices(JUNE, date(2025, 6, 1), seed)
    [gpt4o] = rows_for(read_seed(seed), "openai", "gpt-4o")
    assert (gpt4o["effective_from"], gpt4o["supports_web_search"]) == ("2025-01-01", "true")


def test_seed_in_the_older_layout_is_upgraded(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    legacy = [{c: r[c] for c in prices.LEGACY_SEED_COLUMNS} for r in read_seed(seed)]
    prices.write_csv(seed, prices.LEGACY_SEED_COLUMNS, legacy)
    seed.with_name(TIERS_NAME).unlink()
    result = import_prices(JANUARY, date(2025, 2, 1), seed)
    # gpt-4o-mini has the same prices: it keeps its row and gains its capabilities. gpt-4o's
    # priority prices and the four long-context tiers the old layout could not hold are price
    # changes: new rows from the import day.
    assert (result.added, result.closed, result.tiers) == (5, 5, 4)
    rows = read_seed(seed)
    [mini] = rows_for(rows, "openai", "gpt-4o-mini")
    assert (mini["effective_from"], mini["mode"]) == ("2025-01-01", "chat")
    old, new = rows_for(rows, "openai", "gpt-4o")
    assert (old["input_priority_per_1m_usd"], new["input_priority_per_1m_usd"]) == ("", "4.25")
    assert seed.read_text(encoding="utf-8").splitlines()[0] == ",".join(SEED_COLUMNS)


# --- validation -------------------------------------------------------------------------------


def test_import_reports_but_keeps_the_suspicious_haiku_cache_price(seed: Path) -> None:
    result = import_prices(JANUARY, date(2025, 1, 1), seed)
    haiku = [w for w in result.warnings if w.startswith("anthropic claude-3-haiku-20240307 ")]
    assert len(haiku) == 1 and "1h cache write 6 is over 4x input 0.25" in haiku[0]
    [row] = rows_for(read_seed(seed), "anthropic", "claude-3-haiku-20240307")
    assert row["cache_write_1h_per_1m_usd"] == "6"


def test_validate_rows_applies_only_the_clear_rules() -> None:
    def row(**prices_: str) -> dict[str, str]:
        base = dict.fromkeys(SEED_COLUMNS, "")
        base.update(provider="openai", model="m", effective_from="2025-01-01")
        base.update(prices_)
        return base

    fine = row(input_per_1m_usd="1", cache_read_per_1m_usd="0.1", cache_write_1h_per_1m_usd="4",
               output_per_1m_usd="0.2")  # fmt: skip
    assert validate_rows([fine]) == []
    warnings = validate_rows(
        [
            row(input_per_1m_usd="-1"),
            row(input_per_1m_usd="1", cache_read_per_1m_usd="1.5"),
            row(input_per_1m_usd="1", cache_write_1h_per_1m_usd="4.01"),
        ]
    )
    assert len(warnings) == 3
    assert "negative" in warnings[0] and "cache read" in warnings[1] and "4x" in warnings[2]


# --- aliases ----------------------------------------------------------------------------------


def test_aliases_follow_the_rules_on_fixture_maps(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    import_prices(JUNE, date(2025, 6, 1), seed)
    rows = read_seed(seed)
    key_aliases = parse_price_map(load_price_map(JANUARY)).key_aliases
    aliases = {(a["provider"], a["alias"]): a["model"] for a in derive_aliases(rows, key_aliases)}

    assert aliases[("openai", "openai/gpt-4o")] == "gpt-4o"
    assert aliases[("openai", "gpt-4o-2024-08-06")] == "gpt-4o"
    assert aliases[("openai", "openai/gpt-4o-2024-08-06")] == "gpt-4o"
    assert aliases[("anthropic", "claude-sonnet-4-5-20250929")] == "claude-sonnet-4-5"
    assert aliases[("google", "vertex_ai/gemini-2.0-flash")] == "gemini-2.0-flash"
    assert aliases[("google", "gemini/gemini-1.0-pro")] == "gemini-1.0-pro"
    region = "bedrock/us-east-1/anthropic.claude-3-haiku-20240307-v1:0"
    assert aliases[("bedrock", region)] == "anthropic.claude-3-haiku-20240307-v1:0"
    converse = "bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    assert aliases[("bedrock", converse)] == "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
    # Different prices keep a snapshot its own model: 05-13 always, mini since June.
    assert ("openai", "gpt-4o-2024-05-13") not in aliases
    assert ("openai", "gpt-4o-mini-2024-07-18") not in aliases
    assert not any("us-gov" in alias for _, alias in aliases)
    assert all(alias != model for (_, alias), model in aliases.items())
    assert check_aliases(rows, derive_aliases(rows, key_aliases)) == []


def test_import_warns_when_an_alias_goes_stale(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    alias_path = seed.with_name("model_aliases.csv")
    alias_path.write_text(
        "provider,alias,model\nopenai,gpt-4o-mini-2024-07-18,gpt-4o-mini\n", encoding="utf-8"
    )
    result = import_prices(JUNE, date(2025, 6, 1), seed)
    [stale] = [w for w in result.warnings if w.startswith("alias ")]
    assert "gpt-4o-mini-2024-07-18" in stale and "misprice" in stale


def test_check_aliases_finds_duplicates_and_unpriced_targets(seed: Path) -> None:
    import_prices(JANUARY, date(2025, 1, 1), seed)
    problems = check_aliases(
        read_seed(seed),
        [
            {"provider": "openai", "alias": "openai/gpt-4o", "model": "gpt-4o"},
            {"provider": "openai", "alias": "openai/gpt-4o", "model": "gpt-4o"},
            {"provider": "anthropic", "alias": "anthropic/gpt-4o", "model": "gpt-4o"},
        ],
    )
    assert len(problems) == 2
    assert "more than once" in problems[0] and "no price row" in problems[1]


# --- the shipped seeds ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_prices() -> list[dict[str, str]]:
    return read_seed(SEEDS / "model_prices.csv")


@pytest.fixture(scope="module")
def shipped_aliases() -> list[dict[str, str]]:
    return read_aliases(SEEDS / "model_aliases.csv")


def test_shipped_price_seed_is_keyed_and_sorted(shipped_prices: list[dict[str, str]]) -> None:
    keys = [(r["provider"], r["model"], r["effective_from"]) for r in shipped_prices]
    assert len(keys) == len(set(keys)) > 300
    assert keys == sorted(keys)
    assert {r["provider"] for r in shipped_prices} == {
        "openai", "anthropic", "google", "bedrock", "azure", "cohere"
    }  # fmt: skip
    assert all("e" not in r[c].lower() for r in shipped_prices for c in prices.PRICE_COLUMNS)


def test_shipped_aliases_are_unique_and_point_at_priced_models(
    shipped_prices: list[dict[str, str]], shipped_aliases: list[dict[str, str]]
) -> None:
    priced = {(r["provider"], r["model"]) for r in shipped_prices}
    pairs = [(a["provider"], a["alias"]) for a in shipped_aliases]
    assert len(pairs) == len(set(pairs)) > 0
    missing = [a for a in shipped_aliases if (a["provider"], a["model"]) not in priced]
    assert missing == []
    assert all(a["alias"] == a["alias"].lower() for a in shipped_aliases)
    assert check_aliases(shipped_prices, shipped_aliases) == []


def test_shipped_seed_dates_the_sonnet_4_5_cache_price_change(
    shipped_prices: list[dict[str, str]],
) -> None:
    old, new = rows_for(shipped_prices, "anthropic", "claude-sonnet-4-5")
    assert (old["effective_from"], old["effective_to"]) == ("2024-01-01", "2026-07-24")
    assert (new["effective_from"], new["effective_to"]) == ("2026-07-24", "")
    assert (old["cache_write_1h_per_1m_usd"], new["cache_write_1h_per_1m_usd"]) == ("", "6")
    assert old["price_source"] == "litellm snapshot 2026-03-11 (back-dated)"


def test_shipped_tiers_cover_every_threshold_and_price_row(
    shipped_prices: list[dict[str, str]],
) -> None:
    tiers = read_tiers(SEEDS / TIERS_NAME)
    price_rows = {(r["provider"], r["model"], r["effective_from"]) for r in shipped_prices}
    # 256k and 512k tiers exist in the snapshots only for providers the book does not import.
    assert {t["above_input_tokens"] for t in tiers} == {"128000", "200000", "272000"}
    keys = [(t["provider"], t["model"], t["effective_from"]) for t in tiers]
    orphans = [key for key in keys if key not in price_rows]
    assert orphans == []
    pro = [t for t in tiers if (t["provider"], t["model"]) == ("google", "gemini-2.5-pro")]
    last = pro[-1]
    band = (last["above_input_tokens"], last["input_per_1m_usd"], last["cache_read_per_1m_usd"])
    assert band == ("200000", "2.5", "0.25")


def test_shipped_seed_keeps_embeddings_and_azure(shipped_prices: list[dict[str, str]]) -> None:
    by_key = {(r["provider"], r["model"]): r for r in shipped_prices if not r["effective_to"]}
    for model_id, price in [
        (("openai", "text-embedding-3-small"), "0.02"),
        (("openai", "text-embedding-3-large"), "0.13"),
        (("bedrock", "amazon.titan-embed-text-v2:0"), "0.02"),
        (("bedrock", "cohere.embed-english-v3"), "0.1"),
        (("cohere", "embed-english-v3.0"), "0.1"),
        (("google", "gemini-embedding-001"), "0.15"),
        (("azure", "gpt-4o"), "2.5"),
    ]:
        assert by_key[model_id]["input_per_1m_usd"] == price, model_id
    assert by_key[("openai", "text-embedding-3-small")]["mode"] == "embedding"


def test_shipped_seed_prices_gpt_4o(
    shipped_prices: list[dict[str, str]], shipped_aliases: list[dict[str, str]]
) -> None:
    [row] = rows_for(shipped_prices, "openai", "gpt-4o")
    assert (row["input_per_1m_usd"], row["output_per_1m_usd"]) == ("2.5", "10")
    assert row["cache_read_per_1m_usd"] == "1.25"
    aliases = {(a["provider"], a["alias"]): a["model"] for a in shipped_aliases}
    assert aliases[("openai", "openai/gpt-4o")] == "gpt-4o"
    assert ("openai", "gpt-4o-2024-05-13") not in aliases
