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
    """Slots overlapping a programme session that a member starred or holds a seat in.

    The programme owns those times (`programme.signups.busy_intervals`); this only turns
    them into meeting slots.
    """
    from techfest.programme.signups import busy_intervals

    user_ids = list(session.exec(select(User.id).where(User.organisation_id == organisation_id)))
    spans = {
        span for spans in busy_intervals(session, edition.id, user_ids).values() for span in spans
    }
    if not spans:
        return set()
    return {
        s.id
        for s in slots(session, edition)
        if any(s.starts_at < end and start < s.ends_at for start, end in spans)
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
    """Slots the organisation cannot meet in: marked unavailable, or busy with the programme."""
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
