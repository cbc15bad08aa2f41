"""Plain profiles of startups and investors, read from the JSONL lines of the contract.

Missing optional fields mean "unknown". A field that is present but cannot be meant
(an unknown stage, a ticket minimum above its maximum, a negative amount, a blank
portfolio entry) is refused with a ``ProfileError`` naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "STAGES",
    "STRICT_FIELDS",
    "Investor",
    "ProfileError",
    "Startup",
    "normalise_stage",
]

#: Investment stages in order, as spelled in the contract.
STAGES: tuple[str, ...] = ("idea", "pre-seed", "seed", "series-a", "series-b", "series-c", "growth")

#: Investor fields that can be marked strict: a stated conflict then excludes the pair.
STRICT_FIELDS: tuple[str, ...] = ("stages", "ticket")

_STAGE_ALIASES = {
    "preseed": "pre-seed", "pre seed": "pre-seed", "series a": "series-a", "a": "series-a",
    "series b": "series-b", "b": "series-b", "series c": "series-c", "c": "series-c",
    "y tuong": "idea", "hat giong": "seed", "tien hat giong": "pre-seed",
    "tang truong": "growth", "vong a": "series-a", "vong b": "series-b", "vong c": "series-c",
    "angel": "pre-seed",
}


class ProfileError(ValueError):
    """A profile line cannot be read; ``field`` names the culprit when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def __str__(self) -> str:
        text = super().__str__()
        return f"field {self.field}: {text}" if self.field else text


def normalise_stage(value: Any) -> str | None:
    """The contract spelling of a stage, None when empty; ProfileError when unknown."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProfileError(f"a stage is text, not {value!r}")
    from .text import fold

    text = value.strip().lower().replace("_", "-")
    if not text:
        return None
    if text in STAGES:
        return text
    stage = _STAGE_ALIASES.get(fold(text))
    if stage is None:
        raise ProfileError(f"unknown stage {value!r} (one of {', '.join(STAGES)})")
    return stage


def _id(data: Mapping[str, Any]) -> Hashable:
    if not isinstance(data, Mapping):
        raise ProfileError(f"a profile must be a JSON object, not {type(data).__name__}")
    value = data.get("id")
    if value is None or isinstance(value, list | dict | bool):
        raise ProfileError(f"a profile needs an id, a string or a number (got {value!r})", "id")
    if isinstance(value, float) and not math.isfinite(value):
        raise ProfileError(f"an id must be finite (got {value!r})", "id")
    return value  # type: ignore[no-any-return]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, list | dict | bool):
        raise ProfileError(f"expected text, got {value!r}", key)
    return str(value)


def _texts(data: Mapping[str, Any], key: str, *, blank_ok: bool = True) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ProfileError(f"expected a list of text, got {value!r}", key)
    out = []
    for n, item in enumerate(value, start=1):
        if item is None or isinstance(item, list | dict | bool):
            raise ProfileError(f"entry {n} is {item!r}, not text", key)
        text = str(item).strip()
        if not text:
            if blank_ok:
                continue
            raise ProfileError(f"entry {n} is empty", key)
        out.append(text)
    return tuple(out)


def _number(data: Mapping[str, Any], key: str, *, low: float = 0.0) -> float | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ProfileError(f"must be a number, not {value!r}", key)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ProfileError(f"must be a number, not {value!r}", key) from None
    if not math.isfinite(number):
        raise ProfileError(f"must be a finite number, not {value!r}", key)
    if number < low:
        raise ProfileError(f"must be at least {low:g}, not {value!r}", key)
    return number


def _year(data: Mapping[str, Any], key: str) -> int | None:
    year = _number(data, key)
    if year is None:
        return None
    if not 1800 <= year <= 2200 or year != int(year):
        raise ProfileError(f"must be a year such as 2022, not {data.get(key)!r}", key)
    return int(year)


def _count(data: Mapping[str, Any], key: str) -> int | None:
    count = _number(data, key)
    if count is None:
        return None
    if count != int(count):
        raise ProfileError(f"must be a whole number, not {data.get(key)!r}", key)
    return int(count)


@dataclass(frozen=True)
class Startup:
    """A startup looking for investors. Unknown fields are None or empty."""

    id: Hashable
    name: str = ""
    description: str = ""
    sectors: tuple[str, ...] = ()
    stage: str | None = None
    raising_usd: float | None = None
    location: str | None = None
    founded_year: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Startup:
        """Read one JSONL line (extra keys ignored, id kept exactly as given)."""
        sid = _id(data)
        try:
            stage = normalise_stage(data.get("stage"))
        except ProfileError as exc:
            raise ProfileError(str(exc), "stage") from None
        location = _text(data, "location").strip()
        return cls(
            id=sid,
            name=_text(data, "name"),
            description=_text(data, "description"),
            sectors=_texts(data, "sectors"),
            stage=stage,
            raising_usd=_number(data, "raising_usd"),
            location=location or None,
            founded_year=_year(data, "founded_year"),
        )


@dataclass(frozen=True)
class Investor:
    """An investor: thesis, preferences and past portfolio. Unknown fields are empty.

    ``strict`` names the fields (of ``STRICT_FIELDS``) whose conflicts exclude a pair;
    every other stated preference only lowers the score of a pair that breaks it.
    """

    id: Hashable
    name: str = ""
    thesis: str = ""
    sectors: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    ticket_min_usd: float | None = None
    ticket_max_usd: float | None = None
    locations: tuple[str, ...] = ()
    portfolio: tuple[str, ...] = ()
    max_meetings: int | None = None
    strict: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Investor:
        """Read one JSONL line (extra keys ignored, id kept exactly as given)."""
        iid = _id(data)
        stages = []
        for n, value in enumerate(_texts(data, "stages"), start=1):
            try:
                stage = normalise_stage(value)
            except ProfileError as exc:
                raise ProfileError(f"entry {n}: {exc}", "stages") from None
            if stage and stage not in stages:
                stages.append(stage)
        low = _number(data, "ticket_min_usd")
        high = _number(data, "ticket_max_usd")
        if low is not None and high is not None and low > high:
            raise ProfileError(
                f"the minimum {low:g} is above the maximum ticket_max_usd {high:g}",
                "ticket_min_usd",
            )
        strict = _texts(data, "strict")
        for value in strict:
            if value not in STRICT_FIELDS:
                raise ProfileError(
                    f"{value!r} cannot be strict (one of {', '.join(STRICT_FIELDS)})", "strict"
                )
        return cls(
            id=iid,
            name=_text(data, "name"),
            thesis=_text(data, "thesis"),
            sectors=_texts(data, "sectors"),
            stages=tuple(stages),
            ticket_min_usd=low,
            ticket_max_usd=high,
            locations=_texts(data, "locations"),
            portfolio=_texts(data, "portfolio", blank_ok=False),
            max_meetings=_count(data, "max_meetings"),
            strict=tuple(dict.fromkeys(strict)),
        )
