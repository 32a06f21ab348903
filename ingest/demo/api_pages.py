"""Paged admin-API responses written as JSON with exact decimal numbers."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

BUCKETS_PER_PAGE = 7
_RAW = re.compile(r'"@@number:([^@"]+)@@"')


@dataclass(frozen=True)
class Number:
    """A JSON number written digit for digit (json would go through binary float)."""

    value: Decimal


def plain(value: Decimal) -> str:
    """Decimal text without exponent or trailing zeros: 1.250000 -> 1.25, 1E+2 -> 100."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def paginate(buckets: list[dict], kind: str, *, openai: bool) -> list[dict]:
    """Split buckets into pages chained by has_more / next_page, as the APIs return them."""
    pages = []
    for start in range(0, max(len(buckets), 1), BUCKETS_PER_PAGE):
        has_more = start + BUCKETS_PER_PAGE < len(buckets)
        cursor = hashlib.md5(f"{kind}-{start + BUCKETS_PER_PAGE}".encode()).hexdigest()
        page: dict[str, Any] = {"object": "page"} if openai else {}
        page["data"] = buckets[start : start + BUCKETS_PER_PAGE]
        page["has_more"] = has_more
        page["next_page"] = f"page_{cursor[:24]}" if has_more else None
        pages.append(page)
    return pages


def write_json(path: Path, document: Any) -> None:
    """Write `document` as indented JSON; `Number` values become bare exact numbers."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def encode(value: object) -> str:
        if isinstance(value, Number):
            return f"@@number:{plain(value.value)}@@"
        raise TypeError(f"cannot encode {type(value).__name__}")

    text = json.dumps(document, indent=2, ensure_ascii=False, default=encode)
    path.write_text(_RAW.sub(r"\1", text) + "\n", encoding="utf-8")
