"""Text folded for searching: what a person types at a desk matches however it was written.

"nguyen thi mai", "NGUYỄN THỊ MAI" and "Nguyễn Thị Mai" fold to the same key, on SQLite
and PostgreSQL alike, because the folding is done here and stored, not by the database.
"""

from __future__ import annotations

import unicodedata


def fold(text: str | None) -> str:
    """Lower case without diacritics (``đ`` becomes ``d``), spaces collapsed."""
    text = unicodedata.normalize("NFKD", (text or "").casefold().replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def search_key(*parts: str | None) -> str:
    """One folded line of several fields, separated so no match spans two of them."""
    return " | ".join(fold(p) for p in parts if p)
