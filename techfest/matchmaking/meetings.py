"""Meetings of a participant: its schedule, booking a free slot, marking, rating and cancelling."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.core.audit import record
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.matchmaking.availability import blocked_slots
from techfest.matchmaking.errors import MatchmakingError, NotFound
from techfest.matchmaking.labels import RATINGS
from techfest.matchmaking.models import (
    CONFIRMED,
    DAY_STATUSES,
    LIVE,
    InvestorProfile,
    MatchPreference,
    Meeting,
    MeetingFeedback,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    StartupProfile,
)
from techfest.matchmaking.participants import Participant, notify_members


def meetings_of_organisations(
    session: Session,
    edition_id: int,
    organisation_ids: Iterable[int] | None,
    statuses: Iterable[str] = CONFIRMED,
) -> list[tuple[Meeting, MeetingSlot, MeetingTable | None]]:
    """Meetings in a slot of any of these organisations (every one of the edition's with
    None), each with its slot and its table if it has one, in time order.

    The one read other domains make of meetings: agendas, printed sheets, reminders.
    """
    query = (
        select(Meeting, MeetingSlot, MeetingTable)
        .join(MeetingSlot, MeetingSlot.id == Meeting.slot_id)
        .outerjoin(MeetingTable, MeetingTable.id == Meeting.table_id)
        .where(Meeting.edition_id == edition_id, Meeting.status.in_(tuple(statuses)))
        .order_by(MeetingSlot.starts_at, Meeting.id)
    )
    if organisation_ids is not None:
        ids = list(organisation_ids)
        if not ids:
            return []
        query = query.where(
            sa.or_(
                Meeting.startup_organisation_id.in_(ids),
                Meeting.investor_organisation_id.in_(ids),
            )
        )
    return list(session.exec(query).all())


def live_meetings_of(session: Session, edition: Edition, org_id: int) -> list[Meeting]:
    """The organisation's meetings that still stand (draft, confirmed, held, missed)."""
    return list(
        session.exec(
            select(Meeting)
            .where(
                Meeting.edition_id == edition.id,
                Meeting.status.in_(LIVE + ("no_show",)),
                sa.or_(
                    Meeting.startup_organisation_id == org_id,
                    Meeting.investor_organisation_id == org_id,
                ),
            )
            .order_by(Meeting.id)
        )
    )


@dataclass
class MeetingView:
    """A meeting with its slot, table, both organisations and the viewer's rating, for pages."""

    meeting: Meeting
    slot: MeetingSlot | None
    table: MeetingTable | None
    startup: Organisation
    investor: Organisation
    feedback: MeetingFeedback | None = None


def meeting_views(session: Session, meetings: list[Meeting], org_id: int | None = None):
    """Meetings as views, in time order, with the ratings `org_id` gave when set."""
    slot_map = {
        s.id: s
        for s in session.exec(
            select(MeetingSlot).where(
                MeetingSlot.id.in_({m.slot_id for m in meetings if m.slot_id})
            )
        ).all()
    }
    table_map = {
        t.id: t
        for t in session.exec(
            select(MeetingTable).where(
                MeetingTable.id.in_({m.table_id for m in meetings if m.table_id})
            )
        ).all()
    }
    org_ids = {m.startup_organisation_id for m in meetings} | {
        m.investor_organisation_id for m in meetings
    }
    orgs = {
        o.id: o
        for o in session.exec(select(Organisation).where(Organisation.id.in_(org_ids))).all()
    }
    feedback = {}
    if org_id is not None and meetings:
        feedback = {
            f.meeting_id: f
            for f in session.exec(
                select(MeetingFeedback).where(
                    MeetingFeedback.organisation_id == org_id,
                    MeetingFeedback.meeting_id.in_([m.id for m in meetings]),
                )
            )
        }
    views = [
        MeetingView(
            m,
            slot_map.get(m.slot_id),
            table_map.get(m.table_id),
            orgs[m.startup_organisation_id],
            orgs[m.investor_organisation_id],
            feedback.get(m.id),
        )
        for m in meetings
    ]
    far = datetime.max.replace(tzinfo=ZoneInfo("UTC"))
    views.sort(key=lambda v: (v.slot.starts_at if v.slot else far, v.meeting.id))
    return views


def my_meetings(session: Session, edition: Edition, me: Participant) -> list[MeetingView]:
    """The organisation's schedule; drafts stay hidden until the organiser publishes."""
    meetings = [
        m for m in live_meetings_of(session, edition, me.organisation.id) if m.status != "draft"
    ]
    return meeting_views(session, meetings, me.organisation.id)


def lock_profiles(session: Session, edition: Edition, startup_id: int, investor_id: int):
    """Lock both profiles (startup first, always) so quota checks see settled counts."""
    sp = session.exec(
        select(StartupProfile)
        .where(
            StartupProfile.edition_id == edition.id, StartupProfile.organisation_id == startup_id
        )
        .with_for_update()
    ).first()
    ip = session.exec(
        select(InvestorProfile)
        .where(
            InvestorProfile.edition_id == edition.id, InvestorProfile.organisation_id == investor_id
        )
        .with_for_update()
    ).first()
    if sp is None or ip is None:
        raise NotFound()
    return sp, ip


def lapsed_holds():
    """Meetings held by a booking request past its expiry: free for readers, though the
    row stays until a writer releases it (`requests.expire_requests`)."""
    return select(MeetingRequest.meeting_id).where(
        MeetingRequest.status == "pending",
        MeetingRequest.meeting_id.is_not(None),
        MeetingRequest.expires_at <= now_utc(),
    )


def slot_free_for(session, edition, slot: MeetingSlot, org_ids: list[int]) -> bool:
    """Whether none of these organisations has a meeting or is busy in the slot."""
    taken = session.exec(
        select(Meeting.id).where(
            Meeting.slot_id == slot.id,
            Meeting.status.in_(LIVE),
            Meeting.id.not_in(lapsed_holds()),
            sa.or_(
                Meeting.startup_organisation_id.in_(org_ids),
                Meeting.investor_organisation_id.in_(org_ids),
            ),
        )
    ).first()
    if taken is not None:
        return False
    return all(slot.id not in blocked_slots(session, edition, o) for o in org_ids)


def free_tables(session, edition, slot_id: int) -> list[MeetingTable]:
    """Tables no live meeting uses in the slot, by number."""
    used = select(Meeting.table_id).where(
        Meeting.slot_id == slot_id,
        Meeting.status.in_(LIVE),
        Meeting.table_id.is_not(None),
        Meeting.id.not_in(lapsed_holds()),
    )
    return list(
        session.exec(
            select(MeetingTable)
            .where(MeetingTable.edition_id == edition.id, MeetingTable.id.not_in(used))
            .order_by(MeetingTable.number)
        )
    )


def insert_meeting(session, meeting: Meeting, tables_: list[MeetingTable]) -> Meeting:
    """Insert at the first table the database accepts (a rival may take one meanwhile)."""
    for table in tables_:
        meeting.table_id = table.id
        try:
            with session.begin_nested():
                session.add(meeting)
                session.flush()
            return meeting
        except IntegrityError:
            session.expunge(meeting) if meeting in session else None
            meeting.id = None
            continue
    raise MatchmakingError(_l("This slot was just taken. Please choose another one."))


def no_pair(session, edition, startup_id: int, investor_id: int) -> bool:
    """Whether either side marked the pair "do not match"."""
    return (
        session.exec(
            select(MatchPreference.id).where(
                MatchPreference.edition_id == edition.id,
                MatchPreference.tier == "no",
                sa.or_(
                    sa.and_(
                        MatchPreference.from_organisation_id == startup_id,
                        MatchPreference.to_organisation_id == investor_id,
                    ),
                    sa.and_(
                        MatchPreference.from_organisation_id == investor_id,
                        MatchPreference.to_organisation_id == startup_id,
                    ),
                ),
            )
        ).first()
        is not None
    )


def notify_meeting(session, edition, meeting: Meeting, key: str) -> None:
    """Tell both sides' members about a meeting (when, which table), once per `key`."""
    slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
    table = session.get(MeetingTable, meeting.table_id) if meeting.table_id else None
    startup = session.get(Organisation, meeting.startup_organisation_id)
    investor = session.get(Organisation, meeting.investor_organisation_id)
    tz = ZoneInfo(edition.timezone)
    when = slot.starts_at.astimezone(tz).strftime("%d/%m/%Y %H:%M") if slot else "?"
    for org, other in ((startup, investor), (investor, startup)):
        notify_members(
            session,
            org.id,
            lambda other=other: _("Meeting with %(name)s", name=other.name),
            lambda u, other=other: _(
                "Your meeting with %(name)s: %(when)s, table %(table)s.",
                name=other.name,
                when=when,
                table=table.label if table else "?",
            ),
            f"{key}:{meeting.id}:{org.id}",
        )


def mark_meeting(
    session: Session, edition: Edition, user: User, meeting_id: int, status: str, *, organiser=False
) -> Meeting:
    """On the day: a participant, or an organiser, marks a meeting held or no-show."""
    if status not in DAY_STATUSES:
        raise MatchmakingError(_l("Unknown status."))
    meeting = meeting_for(session, edition, user, meeting_id, organiser)
    if meeting.status not in ("published", "held", "no_show"):
        raise MatchmakingError(_l("Only confirmed meetings can be marked."))
    slot = session.get(MeetingSlot, meeting.slot_id)
    if slot is not None and slot.starts_at > now_utc():
        raise MatchmakingError(_l("The meeting has not started yet."))
    meeting.status = status
    meeting.updated_at = now_utc()
    session.add(meeting)
    session.flush()
    if organiser:
        record(
            session,
            f"matchmaking.meeting.{status}",
            user_id=user.id,
            edition_id=edition.id,
            object_type="meeting",
            object_id=meeting.id,
        )
    return meeting


def meeting_for(session, edition, user, meeting_id, organiser: bool) -> Meeting:
    """The meeting if the person may act on it (organisers: any; participants: their own)."""
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.edition_id != edition.id:
        raise NotFound()
    if organiser:
        return meeting
    if (
        user.organisation_id
        not in (
            meeting.startup_organisation_id,
            meeting.investor_organisation_id,
        )
        or meeting.status == "draft"
    ):
        raise NotFound()
    return meeting


def rate_meeting(
    session: Session,
    edition: Edition,
    me: Participant,
    user: User,
    meeting_id: int,
    rating: str,
    comment: str = "",
) -> MeetingFeedback:
    """After its slot began, each side rates the meeting (one rating per side, changeable)."""
    if rating not in RATINGS:
        raise MatchmakingError(_l("Unknown rating."))
    meeting = meeting_for(session, edition, user, meeting_id, organiser=False)
    if meeting.status in ("cancelled", "requested"):  # never took place / not agreed yet
        raise NotFound()
    slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
    if slot is None or slot.starts_at > now_utc():
        raise MatchmakingError(_l("You can rate a meeting once it has started."))
    fb = session.exec(
        select(MeetingFeedback).where(
            MeetingFeedback.meeting_id == meeting.id,
            MeetingFeedback.organisation_id == me.organisation.id,
        )
    ).first() or MeetingFeedback(meeting_id=meeting.id, organisation_id=me.organisation.id)
    fb.rating = rating
    fb.comment = (comment or "").strip()[:2000]
    fb.user_id = user.id
    session.add(fb)
    session.flush()
    return fb


def cancel_meeting(
    session: Session, edition: Edition, user: User, meeting_id: int, *, organiser: bool
) -> Meeting:
    """Cancel a meeting (organiser: any; participant: its own confirmed one before it starts)."""
    meeting = meeting_for(session, edition, user, meeting_id, organiser)
    if meeting.status not in ("draft", "published"):
        raise MatchmakingError(_l("This meeting can no longer be cancelled."))
    if not organiser:
        slot = session.get(MeetingSlot, meeting.slot_id) if meeting.slot_id else None
        if slot is not None and slot.starts_at <= now_utc():
            raise MatchmakingError(_l("The meeting has already started."))
    was_published = meeting.status == "published"
    meeting.status = "cancelled"
    meeting.locked = False
    meeting.updated_at = now_utc()
    session.add(meeting)
    session.flush()
    record(
        session,
        "matchmaking.meeting.cancel",
        user_id=user.id,
        edition_id=edition.id,
        object_type="meeting",
        object_id=meeting.id,
        by_organiser=organiser,
    )
    if was_published:
        other_name = {
            meeting.startup_organisation_id: session.get(
                Organisation, meeting.investor_organisation_id
            ).name,
            meeting.investor_organisation_id: session.get(
                Organisation, meeting.startup_organisation_id
            ).name,
        }
        for org_id in (meeting.startup_organisation_id, meeting.investor_organisation_id):
            notify_members(
                session,
                org_id,
                lambda org_id=org_id: _("Meeting cancelled: %(name)s", name=other_name[org_id]),
                lambda u, org_id=org_id: _(
                    "Your meeting with %(name)s was cancelled.", name=other_name[org_id]
                ),
                f"mm-cancel:{meeting.id}:{org_id}",
            )
    return meeting
