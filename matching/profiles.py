"""Plain profiles of startups and investors, read from the JSONL lines of the contract."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["STAGES", "Investor", "ProfileError", "Startup", "normalise_stage"]

#: Investment stages in order, as spelled in the contract.
STAGES: tuple[str, ...] = ("idea", "pre-seed", "seed", "series-a", "series-b", "series-c", "growth")

_STAGE_ALIASES = {
    "preseed": "pre-seed", "pre seed": "pre-seed", "series a": "series-a", "a": "series-a",
    "series b": "series-b", "b": "series-b", "series c": "series-c", "c": "series-c",
    "y tuong": "idea", "hat giong": "seed", "tang truong": "growth",
}


class ProfileError(ValueError):
    """A profile line cannot be read (missing id, wrong type)."""


def normalise_stage(value: Any) -> str | None:
    """The contract spelling of a stage, or None when unknown."""
    if value is None:
        return None
    text = str(value).strip().lower().replace("_", "-")
    if not text:
        return None
    if text in STAGES:
        return text
    return _STAGE_ALIASES.get(text.replace("-", " "), text)


def _id(data: Mapping[str, Any]) -> Hashable:
    if not isinstance(data, Mapping):
        raise ProfileError(f"a profile must be a JSON object, not {type(data).__name__}")
    value = data.get("id")
    if value is None or isinstance(value, list | dict | bool):
        raise ProfileError(f"a profile needs an 'id' string or number (got {value!r})")
    return value  # type: ignore[no-any-return]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _texts(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v is not None and str(v).strip())
    raise ProfileError(f"expected a list of strings, got {value!r}")


def _number(value: Any, what: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ProfileError(f"{what} must be a number, not {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProfileError(f"{what} must be a number, not {value!r}") from None


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
        year = _number(data.get("founded_year"), "founded_year")
        location = data.get("location")
        return cls(
            id=sid,
            name=_text(data.get("name")),
            description=_text(data.get("description")),
            sectors=_texts(data.get("sectors")),
            stage=normalise_stage(data.get("stage")),
            raising_usd=_number(data.get("raising_usd"), "raising_usd"),
            location=str(location) if location not in (None, "") else None,
            founded_year=None if year is None else int(year),
        )


@dataclass(frozen=True)
class Investor:
    """An investor: thesis, preferences and past portfolio. Unknown fields are empty."""

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Investor:
        """Read one JSONL line (extra keys ignored, id kept exactly as given)."""
        iid = _id(data)
        quota = _number(data.get("max_meetings"), "max_meetings")
        stages = tuple(s for s in (normalise_stage(v) for v in _texts(data.get("stages"))) if s)
        return cls(
            id=iid,
            name=_text(data.get("name")),
            thesis=_text(data.get("thesis")),
            sectors=_texts(data.get("sectors")),
            stages=stages,
            ticket_min_usd=_number(data.get("ticket_min_usd"), "ticket_min_usd"),
            ticket_max_usd=_number(data.get("ticket_max_usd"), "ticket_max_usd"),
            locations=_texts(data.get("locations")),
            portfolio=_texts(data.get("portfolio")),
            max_meetings=None if quota is None else int(quota),
        )
