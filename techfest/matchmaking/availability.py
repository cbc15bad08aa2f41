"""When an organisation cannot meet.

Slots it marked unavailable, and slots its members spend in programme sessions.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition, Organisation
from techfest.matchmaking.errors import NotFound
from techfest.matchmaking.models import (
    MeetingSlot,
    Unavailability,
)
from techfest.matchmaking.slots import slots


def busy_from_programme(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    """Slots overlapping a programme session that a member starred or holds a seat in."""
    from techfest.programme.models import ProgrammeSession, SessionSignup, SessionStar

    user_ids = select(User.id).where(User.organisation_id == organisation_id)
    starred = select(SessionStar.session_id).where(SessionStar.user_id.in_(user_ids))
    seated = select(SessionSignup.session_id).where(
        SessionSignup.user_id.in_(user_ids), SessionSignup.status == "seated"
    )
    sessions = session.exec(
        select(ProgrammeSession.starts_at, ProgrammeSession.ends_at).where(
            ProgrammeSession.edition_id == edition.id,
            sa.or_(ProgrammeSession.id.in_(starred), ProgrammeSession.id.in_(seated)),
        )
    ).all()
    if not sessions:
        return set()
    return {
        s.id
        for s in slots(session, edition)
        if any(s.starts_at < end and start < s.ends_at for start, end in sessions)
    }


def unavailable_slots(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    """Slots the organisation marked as unavailable."""
    return set(
        session.exec(
            select(Unavailability.slot_id)
            .join(MeetingSlot, MeetingSlot.id == Unavailability.slot_id)
            .where(
                Unavailability.organisation_id == organisation_id,
                MeetingSlot.edition_id == edition.id,
            )
        )
    )


def blocked_slots(session: Session, edition: Edition, organisation_id: int) -> set[int]:
    return unavailable_slots(session, edition, organisation_id) | busy_from_programme(
        session, edition, organisation_id
    )


def set_unavailable(
    session: Session, edition: Edition, org: Organisation, slot_ids: list[int]
) -> set[int]:
    """Replace the organisation's unavailable slots in this edition with `slot_ids`."""
    valid = {s.id for s in slots(session, edition)}
    wanted = {int(s) for s in slot_ids}
    if wanted - valid:
        raise NotFound()
    current = unavailable_slots(session, edition, org.id)
    for slot_id in current - wanted:
        session.exec(
            sa.delete(Unavailability).where(
                Unavailability.organisation_id == org.id, Unavailability.slot_id == slot_id
            )
        )
    for slot_id in sorted(wanted - current):
        session.add(Unavailability(organisation_id=org.id, slot_id=slot_id))
    session.flush()
    return wanted
