"""Whether a startup and an investor are connected in an edition: matched or meeting.

Other domains (messages) ask this instead of reading matchmaking's tables. A pair is
connected when the suggestions page lists it (the ranking gives it a reason, or the pair
met at an earlier edition), when either side asked the other for a meeting (pending or
accepted), or when they have a meeting that is not a draft and not cancelled.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest.core.models import Edition
from techfest.matchmaking.models import Meeting, MeetingRequest, MeetingStatus
from techfest.matchmaking.ranking import met_before, pair_scores

#: requests that connect a pair (a declined, expired or cancelled one does not)
OPEN_REQUESTS = ("pending", "accepted")
#: meetings that do not connect a pair
NOT_MEETING = (MeetingStatus.DRAFT.value, MeetingStatus.CANCELLED.value)


def has_meeting_or_request(
    session: Session, edition: Edition, startup_id: int, investor_id: int
) -> bool:
    meeting = session.exec(
        select(Meeting.id).where(
            Meeting.edition_id == edition.id,
            Meeting.startup_organisation_id == startup_id,
            Meeting.investor_organisation_id == investor_id,
            Meeting.status.not_in(NOT_MEETING),
        )
    ).first()
    if meeting is not None:
        return True
    request = session.exec(
        select(MeetingRequest.id).where(
            MeetingRequest.edition_id == edition.id,
            MeetingRequest.status.in_(OPEN_REQUESTS),
            sa.or_(
                sa.and_(
                    MeetingRequest.from_organisation_id == startup_id,
                    MeetingRequest.to_organisation_id == investor_id,
                ),
                sa.and_(
                    MeetingRequest.from_organisation_id == investor_id,
                    MeetingRequest.to_organisation_id == startup_id,
                ),
            ),
        )
    ).first()
    return request is not None


def is_suggested(session: Session, edition: Edition, startup_id: int, investor_id: int) -> bool:
    scores = pair_scores(session, edition, "vi", startup_id=startup_id, investor_id=investor_id)
    _score, reasons = scores.get((startup_id, investor_id), (0.0, ()))
    # the suggestions page also lists pairs that met at an earlier edition
    return bool(reasons) or (startup_id, investor_id) in met_before(session, edition)


def are_connected(session: Session, edition: Edition, startup_id: int, investor_id: int) -> bool:
    """True when the pair may write to each other (see the module's docstring)."""
    return has_meeting_or_request(session, edition, startup_id, investor_id) or is_suggested(
        session, edition, startup_id, investor_id
    )
