"""Payment references: short, easy to type, checksummed, and found again in bank text.

A reference reads `TF25-7K3Q9`: the festival's prefix with the edition's year, then four
random symbols and one check symbol from Crockford's base-32 alphabet (no I, L, O or U,
so nothing reads as another). A payer's bank often drops the dash, changes the case or
buries the reference in other text; `references_in` finds it again, reading O as 0 and
I or L as 1, and the check symbol rejects a mistyped one.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
RANDOM_LENGTH = 4


def prefix(year: int) -> str:
    return f"TF{year % 100:02d}"


def check_symbol(body: str) -> str:
    """Weighted sum of the symbols, modulo 31 (a prime): catches one wrong symbol and
    two neighbours swapped."""
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(body))
    return ALPHABET[total % 31]


def new_reference(year: int) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix(year)}-{body}{check_symbol(body)}"


def is_valid(reference: str) -> bool:
    found = references_in(reference)
    return len(found) == 1 and found[0] == reference


def references_in(text: str) -> list[str]:
    """Every well-formed reference in a bank line's description, written canonically."""
    squeezed = re.sub(r"[^0-9A-Z]", "", text.upper())
    found: list[str] = []
    for match in re.finditer(r"(?=TF(\d\d)([0-9A-Z]{5}))", squeezed):
        year, tail = match.group(1), match.group(2)
        if any(c not in _VALUE for c in tail):
            continue
        canonical = "".join(ALPHABET[_VALUE[c]] for c in tail)
        if check_symbol(canonical[:RANDOM_LENGTH]) != canonical[RANDOM_LENGTH]:
            continue
        reference = f"TF{year}-{canonical}"
        if reference not in found:
            found.append(reference)
    return found
