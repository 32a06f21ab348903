"""The demo organization: teams, virtual keys, features, customers, models and prompts.

Everything here is small reference data; `load_organization` puts it into DuckDB tables that the
traffic SQL samples from. Weights are relative; a few features are meant to dominate spend.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Model:
    """A model as the price book names it, as the provider bills it, and as apps call it."""

    provider: str
    billed_as: str  # dated snapshot on the provider's usage and cost exports
    called_as: tuple[str, ...]  # names apps send to the gateway (the alias seed maps them)
    max_input_tokens: int


MODELS: dict[str, Model] = {
    "gpt-4o": Model("openai", "gpt-4o-2024-08-06",
                    ("gpt-4o", "gpt-4o-2024-08-06", "openai/gpt-4o"), 120_000),
    "gpt-4o-mini": Model("openai", "gpt-4o-mini-2024-07-18",
                         ("gpt-4o-mini", "openai/gpt-4o-mini", "gpt-4o-mini-2024-07-18"), 120_000),
    "gpt-4.1": Model("openai", "gpt-4.1-2025-04-14",
                     ("gpt-4.1", "openai/gpt-4.1", "gpt-4.1-2025-04-14"), 900_000),
    "gpt-4.1-mini": Model("openai", "gpt-4.1-mini-2025-04-14",
                          ("gpt-4.1-mini", "openai/gpt-4.1-mini"), 900_000),
    "o4-mini": Model("openai", "o4-mini-2025-04-16", ("o4-mini", "o4-mini-2025-04-16"), 190_000),
    # Anthropic prompts stay under 200k tokens so the long-context tier never applies.
    "claude-sonnet-4-5": Model("anthropic", "claude-sonnet-4-5-20250929",
                               ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929",
                                "anthropic/claude-sonnet-4-5"), 190_000),
    "claude-haiku-4-5": Model("anthropic", "claude-haiku-4-5-20251001",
                              ("claude-haiku-4-5", "anthropic/claude-haiku-4-5",
                               "claude-haiku-4-5-20251001"), 190_000),
    "claude-opus-4-1": Model("anthropic", "claude-opus-4-1-20250805",
                             ("claude-opus-4-1", "claude-opus-4-1-20250805",
                              "anthropic/claude-opus-4-1"), 190_000),
}  # fmt: skip

ANTHROPIC_DISPLAY = {
    "claude-sonnet-4-5": "Claude Sonnet 4.5",
    "claude-haiku-4-5": "Claude Haiku 4.5",
    "claude-opus-4-1": "Claude Opus 4.1",
}

TEAMS: dict[str, str] = {
    "search": "CC-1001",
    "support-bot": "CC-1002",
    "growth": "CC-1003",
    "ml-platform": "CC-1004",
    "data-science": "CC-1005",
    "legal-ai": "CC-1006",
    "sales-assist": "CC-1007",
    "docs": "CC-1008",
    "risk": "CC-1009",
    "mobile": "CC-1010",
}


@dataclass(frozen=True)
class VirtualKey:
    """A LiteLLM virtual key. `team` None = a key nobody owns; `alias_in_metadata` False = an old
    key whose logs carry the team id but not the team alias."""

    alias: str
    team: str | None
    weight: float = 1.0
    alias_in_metadata: bool = True


KEYS: tuple[VirtualKey, ...] = (
    VirtualKey("search-prod", "search"),
    VirtualKey("support-bot-prod", "support-bot", 3.0),
    VirtualKey("support-bot-worker", "support-bot", 1.0),
    VirtualKey("growth-prod", "growth"),
    VirtualKey("ml-platform-evals", "ml-platform"),
    VirtualKey("ds-notebooks", "data-science"),
    VirtualKey("legal-ai-prod", "legal-ai"),
    VirtualKey("sales-assist-prod", "sales-assist"),
    VirtualKey("docs-prod", "docs"),
    VirtualKey("risk-prod", "risk", 3.0),
    VirtualKey("risk-legacy", "risk", 1.0, alias_in_metadata=False),
    VirtualKey("mobile-backend", "mobile"),
    VirtualKey("shared-dev-key", None, 3.0),
    VirtualKey("hackathon-2026", None, 1.0),
    VirtualKey("legacy-monolith", None, 2.0),
)


@dataclass(frozen=True)
class Feature:
    """One product feature: who owns it, how its app tags requests, what its prompts look like.

    tagging: `tag` sends a `feature:` request tag, `meta` sends spend_logs_metadata (feature,
    cost_center, customer), `both` does both, `none` sends neither.
    customer: where the app puts the customer id (`end_user`, `meta`) or None.
    cache: `none`, `auto` (OpenAI prompt caching; 5m on Anthropic), `5m` or `1h`.
    cache_prefix: tokens of fixed prompt prefix (system prompt, tools); with cache `none` it is
    sent, and billed, uncached on every call.
    """

    name: str
    team: str
    weight: float
    models: tuple[tuple[str, float], ...]
    tagging: str
    input_median: int
    output_median: int
    prompts: tuple[int, ...]
    customer: str | None = None
    no_feature: float = 0.01  # share of requests that lose the feature tag
    orphan_key: float = 0.0  # share sent through a key with no team
    input_sigma: float = 0.7
    output_sigma: float = 0.6
    cache: str = "none"
    cache_prefix: int = 0
    cache_hit: float = 0.0
    long_context: float = 0.0
    sessions: bool = False
    channel: str = "gateway"


FEATURES: tuple[Feature, ...] = (
    Feature("semantic-search", "search", 14, (("gpt-4.1-mini", 0.8), ("gpt-4o-mini", 0.2)), "tag",
            1800, 120, (0, 1), customer="end_user", cache="auto", cache_prefix=1536,
            cache_hit=0.6),
    Feature("query-rewrite", "search", 10, (("gpt-4o-mini", 1.0),), "tag", 350, 40, (2,),
            input_sigma=0.4),
    Feature("search-answer", "search", 7, (("claude-sonnet-4-5", 0.7), ("gpt-4.1", 0.3)), "both",
            2500, 450, (3, 4), customer="end_user", orphan_key=0.08, cache="1h",
            cache_prefix=6000, cache_hit=0.7, long_context=0.01, sessions=True),
    Feature("support-chat", "support-bot", 12, (("claude-sonnet-4-5", 0.9),
                                                ("claude-haiku-4-5", 0.1)), "meta",
            1500, 380, (5, 6), customer="meta", cache="1h", cache_prefix=7000, cache_hit=0.65,
            sessions=True),
    Feature("ticket-summarize", "support-bot", 9, (("claude-haiku-4-5", 1.0),), "meta", 2200, 260,
            (5,), customer="meta", cache="5m", cache_prefix=2500, cache_hit=0.5),
    Feature("reply-draft", "support-bot", 6, (("gpt-4o", 1.0),), "meta", 2500, 350, (7,),
            customer="meta", no_feature=0.25, cache="auto", cache_prefix=1280, cache_hit=0.4),
    Feature("email-personalize", "growth", 8, (("gpt-4o-mini", 1.0),), "tag", 900, 350, (8,),
            customer="end_user", no_feature=0.1),
    Feature("ad-copy", "growth", 3, (("gpt-4o", 1.0),), "tag", 700, 400, (8, 9), no_feature=0.35),
    Feature("churn-explain", "growth", 2, (("gpt-4.1-mini", 1.0),), "tag", 2500, 300, (10,),
            customer="end_user"),
    Feature("eval-harness", "ml-platform", 3, (("gpt-4.1", 0.8), ("claude-opus-4-1", 0.2)), "meta",
            3000, 600, (11, 12), orphan_key=0.3),
    Feature("synthetic-data", "ml-platform", 2, (("gpt-4.1", 1.0),), "tag", 1200, 2500, (13,),
            no_feature=0.5),
    Feature("sql-assistant", "data-science", 4, (("o4-mini", 1.0),), "tag", 1800, 2000, (14,),
            orphan_key=0.35, cache="auto", cache_prefix=1024, cache_hit=0.5),
    Feature("notebook-copilot", "data-science", 4, (("claude-sonnet-4-5", 1.0),), "none",
            4000, 700, (15,), cache="5m", cache_prefix=6000, cache_hit=0.6, sessions=True),
    Feature("contract-review", "legal-ai", 2, (("claude-opus-4-1", 0.5),
                                               ("claude-sonnet-4-5", 0.5)), "meta",
            9000, 1200, (16, 17), input_sigma=0.8, cache="5m", cache_prefix=4000,
            cache_hit=0.5, long_context=0.01),
    Feature("clause-extract", "legal-ai", 3, (("claude-sonnet-4-5", 1.0),), "meta", 5000, 500,
            (18,), no_feature=0.15, cache="5m", cache_prefix=3000, cache_hit=0.55),
    Feature("call-notes", "sales-assist", 5, (("gpt-4o-mini", 1.0),), "both", 3500, 400, (19,),
            customer="end_user"),
    Feature("lead-research", "sales-assist", 3, (("gpt-4.1", 1.0),), "both", 12000, 900, (20,),
            no_feature=0.15, long_context=0.02),
    Feature("proposal-draft", "sales-assist", 1.5, (("claude-sonnet-4-5", 1.0),), "both",
            3000, 1500, (21,), customer="meta", cache="5m", cache_prefix=2000, cache_hit=0.4),
    Feature("doc-qa", "docs", 6, (("gpt-4o-mini", 0.7), ("gpt-4o", 0.3)), "tag", 3000, 250,
            (22, 23), customer="end_user", cache="auto", cache_prefix=2048, cache_hit=0.7),
    Feature("translate", "docs", 3, (("gpt-4.1-mini", 1.0),), "tag", 1200, 1300, (24,)),
    Feature("fraud-explain", "risk", 3, (("o4-mini", 1.0),), "meta", 2500, 1600, (25,),
            customer="meta"),
    Feature("kyc-extract", "risk", 2.5, (("gpt-4o", 1.0),), "meta", 4000, 300, (26,),
            customer="meta", cache="auto", cache_prefix=1536, cache_hit=0.5),
    Feature("smart-reply", "mobile", 9, (("gpt-4o-mini", 1.0),), "tag", 400, 60, (27,),
            customer="end_user", input_sigma=0.5),
    Feature("voice-summary", "mobile", 3, (("claude-haiku-4-5", 1.0),), "tag", 2500, 200, (28, 29),
            orphan_key=0.2),
    # Waste plants (see traffic.py and truth.py `waste`): classification work on a frontier
    # model; a customer-facing chat the routing policy justifies on the same model; a route
    # whose prompt caching a deploy strips (CACHE_BREAK_DAY); a long system prompt sent
    # uncached thousands of times.
    Feature("ticket-classify", "support-bot", 10, (("gpt-4.1", 1.0),), "tag", 2500, 6, (30,),
            input_sigma=0.5, output_sigma=0.3),
    Feature("concierge-chat", "sales-assist", 4, (("gpt-4.1", 1.0),), "tag", 1400, 40, (31,),
            customer="end_user", output_sigma=0.4),
    Feature("kb-assist", "docs", 26, (("claude-sonnet-4-5", 1.0),), "tag", 1500, 200, (32,),
            input_sigma=0.5, output_sigma=0.4, cache="5m", cache_prefix=4000, cache_hit=0.8),
    Feature("policy-check", "risk", 6, (("claude-sonnet-4-5", 1.0),), "meta", 300, 100, (33,),
            customer="meta", input_sigma=0.5, cache_prefix=10000),
    # Traffic that never goes through the gateway: on the bills, not in the logs.
    Feature("nightly-enrichment", "data-science", 1, (("gpt-4.1-mini", 0.7), ("gpt-4o", 0.3)),
            "none", 12000, 1500, (), input_sigma=0.5, channel="batch"),
    Feature("contract-ingest", "legal-ai", 1, (("claude-sonnet-4-5", 1.0),), "none", 12000, 800,
            (), input_sigma=0.6, cache="5m", cache_prefix=8000, cache_hit=0.6, channel="direct"),
)  # fmt: skip

# The demo organization's routing policy: the concierge chat stays on gpt-4.1 (passed to dbt
# as var ailedger_routing_policy, so the shipped seeds/routing_policy.csv stays empty).
ROUTING_POLICY: tuple[dict[str, object], ...] = (
    {"route": "concierge-chat", "approved_model": "gpt-4.1", "is_frontier_justified": True,
     "justification": "customer-facing: gpt-4.1-mini failed the concierge CSAT evaluation"},
)  # fmt: skip

# Requests per gateway request on each bypass channel.
BYPASS_SHARE = {"batch": 0.055, "direct": 0.008}

CUSTOMERS: tuple[str, ...] = tuple(
    f"cust_{name}"
    for name in (
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "tyrell",
        "cyberdyne", "soylent", "aperture", "blackmesa", "massive", "oscorp", "gringotts",
        "dunder", "pied_piper", "vandelay", "kramerica", "bluth", "prestige", "sterling",
        "monarch", "nakatomi", "genco", "duff", "krusty", "planet_express", "mom_corp",
        "octan", "yoyodyne", "zorg", "tessier", "weyland", "rekall", "omni", "buy_n_large",
        "virtucon", "spacely", "cogswell", "ingen", "gekko", "lacuna", "paper_street",
        "strickland", "zenith", "northwind",
    )
)  # fmt: skip

_PROMPT_TOPICS = (
    "rank passages for a semantic search query", "rerank product search results",
    "rewrite a user query for retrieval", "answer from retrieved documents with citations",
    "answer from the help-center index", "resolve customer support conversations",
    "handle billing questions in support chats", "draft support replies for agents",
    "personalize lifecycle marketing emails", "write ad copy variants",
    "explain churn risk signals", "grade model outputs against a rubric",
    "grade model outputs pairwise", "generate synthetic training examples",
    "write DuckDB SQL for analysts", "assist in data-science notebooks",
    "review contracts for risky clauses", "review NDAs against the playbook",
    "extract clauses into a schema", "summarize sales calls", "research sales leads",
    "draft sales proposals", "answer product documentation questions",
    "answer API reference questions", "translate documentation",
    "explain fraud model decisions", "extract KYC document fields",
    "suggest short chat replies", "summarize voice notes", "summarize voice memos for CRM",
    "classify support tickets into queues", "chat with shoppers as the store concierge",
    "answer from the internal knowledge base", "check requests against the risk policy manual",
)  # fmt: skip
SYSTEM_PROMPTS: tuple[str, ...] = tuple(
    f"You are a careful assistant that helps {topic}. Follow company policy P-{100 + n}, "
    "never reveal internal data, and answer concisely."
    for n, topic in enumerate(_PROMPT_TOPICS)
)

# UTC hour-of-day shape of interactive traffic (teams in Europe and the Americas).
HOUR_WEIGHTS = (0.35, 0.3, 0.25, 0.22, 0.2, 0.22, 0.3, 0.45, 0.7, 0.9, 1.0, 1.0,
                0.95, 1.0, 1.05, 1.1, 1.1, 1.05, 1.0, 0.95, 0.85, 0.7, 0.55, 0.45)  # fmt: skip
WEEKEND_WEIGHT = (0.45, 0.4)  # Saturday, Sunday relative to a weekday
DAILY_GROWTH = 0.006

OPENAI_ORG = "org-" + hashlib.md5(b"ailedger-demo-org").hexdigest()[:24]
OPENAI_PROJECTS = {
    channel: "proj_" + hashlib.md5(f"openai-project-{channel}".encode()).hexdigest()[:24]
    for channel in ("gateway", "batch")
}
ANTHROPIC_WORKSPACES = {
    channel: "wrkspc_01" + hashlib.md5(f"workspace-{channel}".encode()).hexdigest()[:22]
    for channel in ("gateway", "direct")
}
ANTHROPIC_WORKSPACE_NAMES = {"gateway": "LLM Gateway", "direct": "Legal Direct"}
ANTHROPIC_KEY_NAMES = {"gateway": "litellm-gateway-prod", "direct": "legal-contract-ingest"}


def _uuid(text: str) -> str:
    h = hashlib.md5(text.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _cumulative(weights: list[float]) -> list[float]:
    total = sum(weights)
    out, running = [], 0.0
    for w in weights:
        out.append(running / total)
        running += w
    return out


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: str, rows: list[tuple]) -> None:
    con.execute(f"create or replace table {table} ({columns})")
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"insert into {table} values ({marks})", rows)


def load_organization(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    """Create the small org_* tables the traffic SQL samples from."""
    _insert(
        con,
        "org_models",
        "model varchar, provider varchar, billed_as varchar, max_input_tokens bigint",
        [(m, x.provider, x.billed_as, x.max_input_tokens) for m, x in MODELS.items()],
    )
    _insert(
        con,
        "org_model_names",
        "model varchar, n integer, called_as varchar",
        [(m, n, name) for m, x in MODELS.items() for n, name in enumerate(x.called_as)],
    )

    _insert(
        con,
        "org_teams",
        "team varchar, cost_center varchar, team_id varchar",
        [(t, cc, _uuid(f"team-{t}")) for t, cc in TEAMS.items()],
    )

    pools: dict[str, list[VirtualKey]] = {}
    for key in KEYS:
        pools.setdefault(key.team or "(none)", []).append(key)
    key_rows = []
    for pool, keys in pools.items():
        for key, cum_lo in zip(keys, _cumulative([k.weight for k in keys]), strict=True):
            n = KEYS.index(key)
            virtual_key = f"sk-{hashlib.sha256(f'{seed}-{key.alias}'.encode()).hexdigest()[:22]}"
            key_rows.append((
                pool, cum_lo, key.alias, key.team, key.alias_in_metadata,
                hashlib.sha256(virtual_key.encode()).hexdigest(),
                _uuid(f"user-{key.alias}") if n % 3 == 0 else "",
                f"10.{20 + n}.{(n * 37) % 250}.{(n * 91) % 250 + 2}",
            ))  # fmt: skip
    _insert(
        con,
        "org_keys",
        "pool varchar, cum_lo double, key_alias varchar, key_team varchar, "
        "alias_in_metadata boolean, api_key_hash varchar, litellm_user varchar, ip varchar",
        key_rows,
    )

    feature_rows = []
    for channel in ("gateway", "batch", "direct"):
        feats = [f for f in FEATURES if f.channel == channel]
        for f, cum_lo in zip(feats, _cumulative([f.weight for f in feats]), strict=True):
            feature_rows.append((
                channel, cum_lo, f.name, f.team, f.tagging, f.customer, f.no_feature,
                f.orphan_key, f.input_median, f.input_sigma, f.output_median, f.output_sigma,
                f.cache, f.cache_prefix, f.cache_hit, f.long_context, f.sessions,
                list(f.prompts),
            ))  # fmt: skip
    _insert(
        con,
        "org_features",
        "channel varchar, cum_lo double, feature varchar, team varchar, tagging varchar, "
        "customer_via varchar, no_feature double, orphan_key double, input_median double, "
        "input_sigma double, output_median double, output_sigma double, cache varchar, "
        "cache_prefix bigint, cache_hit double, long_context double, sessions boolean, "
        "prompts integer[]",
        feature_rows,
    )
    _insert(
        con,
        "org_feature_models",
        "feature varchar, cum_lo double, model varchar",
        [
            (f.name, lo, m)
            for f in FEATURES
            for (m, _), lo in zip(f.models, _cumulative([s for _, s in f.models]), strict=True)
        ],
    )

    ranks = range(1, len(CUSTOMERS) + 1)
    _insert(
        con,
        "org_customers",
        "cum_lo double, customer varchar",
        list(zip(_cumulative([r**-0.9 for r in ranks]), CUSTOMERS, strict=True)),
    )
    _insert(
        con,
        "org_prompts",
        "prompt_id integer, system_prompt varchar",
        list(enumerate(SYSTEM_PROMPTS)),
    )
    _insert(con, "org_hours", "channel varchar, cum_lo double, hour integer",
            [("gateway", lo, h) for h, lo in enumerate(_cumulative(list(HOUR_WEIGHTS)))]
            + [("batch", lo, h) for h, lo in zip((1, 2, 3), _cumulative([1, 1, 1]), strict=True)]
            + [("direct", lo, h) for h, lo in zip(range(13, 23), _cumulative([1] * 10),
                                                   strict=True)])  # fmt: skip
