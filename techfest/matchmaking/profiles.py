"""Startup and investor profiles: what each side writes about itself, checked and saved."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from techfest.core.models import Edition, Organisation
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.labels import sector_slugs
from techfest.matchmaking.models import (
    STAGES,
    InvestorProfile,
    StartupProfile,
)
from techfest.matchmaking.participants import profile_of


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise MatchmakingError(_l("The link must start with https:// or http://."))
    return url


def _clean_sectors(values) -> list[str]:
    known = sector_slugs()
    unknown = [v for v in values or () if v not in known]
    if unknown:
        raise MatchmakingError(_l("Unknown sector: %(name)s.", name=", ".join(unknown)))
    return list(dict.fromkeys(values or ()))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in (text or "").split(",") if t.strip()))


def save_startup_profile(
    session: Session, edition: Edition, org: Organisation, data: dict
) -> StartupProfile:
    """Save a startup's profile (pitch, sectors, stage, raising, quota), checked."""
    if org.kind != "startup":
        raise NotFound()
    profile = profile_of(session, edition, org) or StartupProfile(
        edition_id=edition.id, organisation_id=org.id
    )
    stage = data.get("stage") or None
    if stage is not None and stage not in STAGES:
        raise MatchmakingError(_l("Unknown stage."))
    profile.pitch_vi = (data.get("pitch_vi") or "").strip()
    profile.pitch_en = (data.get("pitch_en") or "").strip()
    profile.sectors = _clean_sectors(data.get("sectors"))
    profile.tags = _tags(data.get("tags", ""))
    profile.stage = stage
    profile.raising_usd = data.get("raising_usd")
    profile.location = (data.get("location") or "").strip()
    profile.founded_year = data.get("founded_year")
    profile.deck_url = _clean_url(data.get("deck_url", ""))
    profile.wants_meetings = bool(data.get("wants_meetings", True))
    if data.get("max_meetings"):
        profile.max_meetings = int(data["max_meetings"])
    session.add(profile)
    session.flush()
    return profile


def save_investor_profile(
    session: Session, edition: Edition, org: Organisation, data: dict
) -> InvestorProfile:
    """Save an investor's profile (thesis, sectors, stages, ticket range, quota), checked.

    `strict_stages` / `strict_ticket` make those preferences exclude startups outside
    them; otherwise such a startup is only ranked lower."""
    if org.kind != "investor":
        raise NotFound()
    profile = profile_of(session, edition, org) or InvestorProfile(
        edition_id=edition.id, organisation_id=org.id
    )
    stages = list(data.get("stages") or ())
    if any(s not in STAGES for s in stages):
        raise MatchmakingError(_l("Unknown stage."))
    low, high = data.get("ticket_min_usd"), data.get("ticket_max_usd")
    if low is not None and high is not None and low > high:
        raise MatchmakingError(_l("The smallest ticket is larger than the largest."))
    profile.thesis_vi = (data.get("thesis_vi") or "").strip()
    profile.thesis_en = (data.get("thesis_en") or "").strip()
    profile.sectors = _clean_sectors(data.get("sectors"))
    profile.stages = stages
    profile.ticket_min_usd = low
    profile.ticket_max_usd = high
    profile.locations = _tags(data.get("locations", ""))
    profile.portfolio = _lines(data.get("portfolio", ""))
    profile.max_meetings = int(data.get("max_meetings") or profile.max_meetings or 10)
    profile.strict = [name for name, key in (("stages", "strict_stages"),
                                             ("ticket", "strict_ticket")) if data.get(key)]
    session.add(profile)
    session.flush()
    return profile
