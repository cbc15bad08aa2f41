"""Suggestions: the other side ranked for a participant, with reasons and must/nice/no marks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.core.models import Edition, Organisation
from techfest.matchmaking.errors import MatchmakingError
from techfest.matchmaking.labels import TIERS
from techfest.matchmaking.meetings import live_meetings_of
from techfest.matchmaking.models import (
    InvestorProfile,
    MatchPreference,
    Meeting,
    MeetingRequest,
    StartupProfile,
)
from techfest.matchmaking.participants import (
    Participant,
    other_participant,
    profiled_organisations,
    require_profile,
)
from techfest.matchmaking.ranking import met_before, pair_scores
from techfest.matchmaking.requests import requests_of


@dataclass
class Suggestion:
    """One organisation of the other side, ranked, with the state of the pair."""

    organisation: Organisation
    profile: StartupProfile | InvestorProfile
    score: float
    reasons: tuple[str, ...]
    tier: str | None = None
    request: MeetingRequest | None = None
    meetings: list[Meeting] = field(default_factory=list)
    met_before: bool = False


def _in_ticket(profile, ticket: int | None) -> bool:
    if ticket is None:
        return True
    if isinstance(profile, StartupProfile):
        return profile.raising_usd is None or profile.raising_usd <= ticket
    low, high = profile.ticket_min_usd, profile.ticket_max_usd
    return (low is None or low <= ticket) and (high is None or ticket <= high)


def suggestions(
    session: Session,
    edition: Edition,
    me: Participant,
    lang: str,
    *,
    sector: str | None = None,
    stage: str | None = None,
    ticket: int | None = None,
) -> list[Suggestion]:
    """Ranked organisations of the other side, with score, reasons and the state of the pair.

    Filters: `sector` (slug), `stage` (the startup's stage, or one of the investor's stages),
    `ticket` (USD: the investor's range holds it; the startup raises at most that). Only
    pairs the ranking can explain are listed (and, last, those that met at an earlier
    edition, marked so); an investor's strict preferences leave out the startups they
    exclude.
    """
    mine = ({"startup_id": me.organisation.id} if me.side == "startup"
            else {"investor_id": me.organisation.id})
    scores = pair_scores(session, edition, lang, **mine)
    startups, investors = profiled_organisations(session, edition)
    others = investors if me.side == "startup" else startups
    prefs = {
        p.to_organisation_id: p.tier
        for p in session.exec(
            select(MatchPreference).where(
                MatchPreference.edition_id == edition.id,
                MatchPreference.from_organisation_id == me.organisation.id,
            )
        )
    }
    requests = {}
    for r in requests_of(session, edition, me.organisation.id):
        other = (
            r.to_organisation_id
            if r.from_organisation_id == me.organisation.id
            else (r.from_organisation_id)
        )
        requests.setdefault(other, r)
    meetings = defaultdict(list)
    for m in live_meetings_of(session, edition, me.organisation.id):
        other = m.investor_organisation_id if me.side == "startup" else m.startup_organisation_id
        meetings[other].append(m)
    met = met_before(session, edition)
    out = []
    for org, profile in others:
        if sector and sector not in (profile.sectors or ()):
            continue
        if stage:
            stages = [profile.stage] if me.side == "investor" else list(profile.stages or ())
            if stage not in stages:
                continue
        if not _in_ticket(profile, ticket):
            continue
        pair = (
            (me.organisation.id, org.id) if me.side == "startup" else (org.id, me.organisation.id)
        )
        score, reasons = scores.get(pair, (0.0, ()))
        if not reasons and pair not in met:
            continue  # nothing speaks for this pair (or a strict preference excludes it)
        out.append(
            Suggestion(
                organisation=org,
                profile=profile,
                score=score,
                reasons=reasons,
                tier=prefs.get(org.id),
                request=requests.get(org.id),
                meetings=meetings.get(org.id, []),
                met_before=pair in met,
            )
        )
    out.sort(key=lambda s: (s.tier == "no", s.met_before, -s.score, s.organisation.name))
    return out


def set_preference(
    session: Session, edition: Edition, me: Participant, other_id: int, tier: str | None
) -> MatchPreference | None:
    """Mark a pair must / nice / no, or clear the mark with `tier=None`."""
    if tier is not None and tier not in TIERS:
        raise MatchmakingError(_l("Unknown choice."))
    require_profile(session, edition, me.organisation)
    other, _profile_ = other_participant(session, edition, me, other_id)
    pref = session.exec(
        select(MatchPreference).where(
            MatchPreference.edition_id == edition.id,
            MatchPreference.from_organisation_id == me.organisation.id,
            MatchPreference.to_organisation_id == other.id,
        )
    ).first()
    if tier is None:
        if pref is not None:
            session.delete(pref)
            session.flush()
        return None
    if pref is None:
        pref = MatchPreference(
            edition_id=edition.id,
            from_organisation_id=me.organisation.id,
            to_organisation_id=other.id,
            tier=tier,
        )
    pref.tier = tier
    session.add(pref)
    session.flush()
    return pref
