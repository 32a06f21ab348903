"""DuckDB-only syntax in compiled SQL: what must never reach another engine.

Every construct that differs between engines goes through dbt's cross-database macros or an
`adapter.dispatch` macro, so DuckDB's dialect may appear only in `duckdb__` macros and never
in what dbt compiles for another target. String literals and comments are blanked before
matching (a JSON path or a comment may say anything); line numbers are kept.
"""

from __future__ import annotations

import re
from pathlib import Path

DUCKDB_ONLY = {
    "qualify": r"\bqualify\b",
    "select * exclude (…)": r"\bexclude\s*\(",
    "group by all / order by all": r"\b(group|order)\s+by\s+all\b",
    "strptime / strftime": r"\bstr[pf]time\s*\(",
    "list functions": r"\blist_\w+\s*\(",
    "lambda": r"\blambda\b",
    "-> / ->> arrows": r"->",
    ":: cast": r"::",
    "json_extract / json_extract_string": r"\bjson_extract(_string)?\s*\(",
    "timezone(…)": r"\btimezone\s*\(",
    "read_csv / read_json / read_parquet": r"\bread_(csv|json|parquet)\w*\s*\(",
    "struct_pack": r"\bstruct_pack\s*\(",
    "try_cast": r"\btry_cast\s*\(",
    "ifnull": r"\bifnull\s*\(",
    "epoch_ms": r"\bepoch_ms\s*\(",
    "date_diff / date_sub / date_add": r"\bdate_(diff|sub|add)\s*\(",
    "regexp_extract": r"\bregexp_extract\s*\(",
    "double (DuckDB's float8)": r"\bdouble\b(?!\s+precision)",
    "hugeint": r"\bhugeint\b",
}
_PATTERNS = {name: re.compile(rx, re.IGNORECASE) for name, rx in DUCKDB_ONLY.items()}

# A string literal, a line or block comment, or a quoted identifier (kept as written).
_LEXEMES = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*[\s\S]*?\*/|\"(?:[^\"]|\"\")*\"")


def blank_literals_and_comments(sql: str) -> str:
    """The SQL with string literals emptied and comments removed, line breaks kept."""

    def blank(match: re.Match[str]) -> str:
        text = match.group(0)
        if text.startswith('"'):
            return text
        keep = "\n" * text.count("\n")
        return f"''{keep}" if text.startswith("'") else f" {keep}"

    return _LEXEMES.sub(blank, sql)


def duckdb_only_syntax(
    compiled_dir: Path, shared: dict[str, str | None] | None = None
) -> list[str]:
    """`file:line: construct: code` for every DuckDB-only construct under compiled_dir.

    `shared` names the constructs the checked engine has too: None drops one, a pattern
    narrows it (Spark's lambdas are written `x -> …`; `->>` is still DuckDB's).
    """
    patterns = dict(_PATTERNS)
    for name, narrower in (shared or {}).items():
        if name not in DUCKDB_ONLY:
            raise KeyError(f"no DuckDB-only construct named {name!r}")
        if narrower is None:
            del patterns[name]
        else:
            patterns[name] = re.compile(narrower, re.IGNORECASE)
    findings = []
    for path in sorted(compiled_dir.rglob("*.sql")):
        original = path.read_text().splitlines()
        code = blank_literals_and_comments(path.read_text()).splitlines()
        for number, line in enumerate(code, start=1):
            for name, pattern in patterns.items():
                if pattern.search(line):
                    shown = original[number - 1].strip() if number <= len(original) else line
                    findings.append(f"{path.relative_to(compiled_dir)}:{number}: {name}: {shown}")
    return findings
