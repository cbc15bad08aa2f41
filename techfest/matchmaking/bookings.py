"""An investor books a startup's free slot: a request that holds the place until the startup
answers, or a confirmed meeting at once when the edition accepts bookings without asking.

The held place is a meeting in status 'requested' (see `holds`). It counts as live for the
partial unique indexes of `Meeting`, so two investors asking for the same startup slot in
the same millisecond get one hold and one refusal, exactly as two bookings did. Accepting
turns the hold into a confirmed meeting; declining, withdrawing or expiring deletes it,
which frees the place for others (`requests`).
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.holds import REQUESTED, tell_booking
from techfest.matchmaking.meetings import (
    free_tables,
    insert_meeting,
    lock_profiles,
    no_pair,
    notify_meeting,
    slot_free_for,
)
from techfest.matchmaking.models import (
    LIVE,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingStatus,
)
from techfest.matchmaking.participants import Participant, other_participant
from techfest.matchmaking.quotas import check_quota, quota_of
from techfest.matchmaking.ranking import met_before, reasons_for
from techfest.matchmaking.requests import expire_requests, pending_between
from techfest.matchmaking.slots import slots


def bookable_slots(
    session: Session, edition: Edition, me: Participant, startup_id: int
) -> list[MeetingSlot]:
    """Slots free for the investor and the startup, with at least one free table."""
    other, _p = other_participant(session, edition, me, startup_id)
    out = []
    for slot in slots(session, edition):
        if not slot_free_for(session, edition, slot, [me.organisation.id, other.id]):
            continue
        if free_tables(session, edition, slot.id):
            out.append(slot)
    return out


def hold_expiry(edition: Edition, slot: MeetingSlot):
    """When a booking request lapses: the edition's answer time, and never after its slot
    starts (a slot already under way, as when the organisers replay an event, does not
    shorten it)."""
    answer_by = now_utc() + timedelta(hours=edition.request_expiry_hours)
    return min(answer_by, slot.starts_at) if slot.starts_at > now_utc() else answer_by


def book_meeting(
    session: Session,
    edition: Edition,
    me: Participant,
    user: User,
    startup_id: int,
    slot_id: int,
    message: str = "",
) -> Meeting:
    """An investor asks for a meeting with a startup in a slot free for both, at a free table.

    The meeting holds the place in status 'requested' until the startup answers (or is
    confirmed at once when the edition auto-accepts). Lock → check → write: both profiles
    are locked (PostgreSQL), the request's write transaction serialises writers (SQLite),
    and the partial unique indexes refuse a second live meeting in the same slot for the
    same table, startup or investor.
    """
    if me.side != "investor":
        raise NotFound()
    if edition.meetings_published_at is None:
        raise MatchmakingError(_l("Booking opens when the meeting schedule is published."))
    startup, _p = other_participant(session, edition, me, startup_id)
    slot = session.get(MeetingSlot, slot_id)
    if slot is None or slot.edition_id != edition.id:
        raise NotFound()
    if (startup.id, me.organisation.id) in met_before(session, edition):
        raise MatchmakingError(_l("You met this organisation at an earlier edition."))
    if no_pair(session, edition, startup.id, me.organisation.id):
        raise MatchmakingError(_l("This startup asked not to be matched with you."))
    expire_requests(session, edition)  # a lapsed hold frees its place before we look
    sp, ip = lock_profiles(session, edition, startup.id, me.organisation.id)
    existing = session.exec(
        select(Meeting.id).where(
            Meeting.edition_id == edition.id,
            Meeting.startup_organisation_id == startup.id,
            Meeting.investor_organisation_id == me.organisation.id,
            Meeting.status.in_(LIVE),
        )
    ).first()
    if existing is not None:
        raise MatchmakingError(_l("You already have a meeting with this startup."))
    if pending_between(session, edition, startup.id, me.organisation.id):
        raise MatchmakingError(_l("There is already a request between you and them."))
    check_quota(
        session,
        edition,
        me.organisation,
        ip,
        "investor",
        _l("You have reached your quota of %(n)s meetings.", n=quota_of(ip)),
    )
    check_quota(session, edition, startup, sp, "startup")
    if not slot_free_for(session, edition, slot, [startup.id, me.organisation.id]):
        raise MatchmakingError(_l("This slot is not free for both of you."))
    free = free_tables(session, edition, slot.id)
    if not free:
        raise MatchmakingError(_l("This slot was just taken. Please choose another one."))
    auto = bool(edition.meeting_auto_accept)
    meeting = Meeting(
        edition_id=edition.id,
        startup_organisation_id=startup.id,
        investor_organisation_id=me.organisation.id,
        slot_id=slot.id,
        status=MeetingStatus.PUBLISHED.value if auto else REQUESTED,
        source="booking" if auto else "request",
        **reasons_for(session, edition, startup.id, me.organisation.id),
    )
    meeting = insert_meeting(session, meeting, free)
    if auto:
        notify_meeting(session, edition, meeting, "mm-booked")
        return meeting
    req = MeetingRequest(
        edition_id=edition.id,
        from_organisation_id=me.organisation.id,
        to_organisation_id=startup.id,
        from_user_id=user.id,
        message=(message or "").strip()[:2000],
        status="pending",
        expires_at=hold_expiry(edition, slot),
        slot_id=slot.id,
        meeting_id=meeting.id,
    )
    try:
        with session.begin_nested():
            session.add(req)
            session.flush()
    except IntegrityError as exc:
        raise MatchmakingError(_l("There is already a request between you and them.")) from exc
    tell_booking(session, edition, req, "asked")
    return meeting
