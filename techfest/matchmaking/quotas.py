"""How many meetings an organisation has committed to, and the check against its quota."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from techfest.core.models import Edition
from techfest.matchmaking.errors import MatchmakingError
from techfest.matchmaking.models import (
    LIVE,
    Meeting,
    MeetingRequest,
)


def commitments(session: Session, edition: Edition, org_id: int, side: str) -> int:
    """Live meetings plus accepted requests that have no meeting yet."""
    column = (
        Meeting.startup_organisation_id if side == "startup" else (Meeting.investor_organisation_id)
    )
    meetings = session.exec(
        select(Meeting.startup_organisation_id, Meeting.investor_organisation_id).where(
            Meeting.edition_id == edition.id, column == org_id, Meeting.status.in_(LIVE)
        )
    ).all()
    paired = {frozenset(p) for p in meetings}
    accepted = session.exec(
        select(MeetingRequest.from_organisation_id, MeetingRequest.to_organisation_id).where(
            MeetingRequest.edition_id == edition.id,
            MeetingRequest.status == "accepted",
            sa.or_(
                MeetingRequest.from_organisation_id == org_id,
                MeetingRequest.to_organisation_id == org_id,
            ),
        )
    ).all()
    extra = {frozenset(p) for p in accepted} - paired
    return len(meetings) + len(extra)


def quota_of(profile) -> int:
    """How many meetings the profile's owner wants at most."""
    return int(profile.max_meetings or 0)


def check_quota(session, edition, org, profile, side, message=None) -> None:
    """Refuse when the organisation already has as many meetings as its quota."""
    if commitments(session, edition, org.id, side) >= quota_of(profile):
        raise MatchmakingError(
            message
            or _l(
                "%(name)s has reached its quota of %(n)s meetings.",
                name=org.name,
                n=quota_of(profile),
            )
        )
