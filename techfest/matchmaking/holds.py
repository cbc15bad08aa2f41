"""The place a booking request holds while the startup answers: confirmed, freed, and the
mails that tell both sides each step.

A hold is a meeting in status 'requested' that its request points at (`meeting_id`). It
counts as live for the partial unique indexes of `Meeting`, so nobody else takes the place
meanwhile. Both `requests` (answers, withdrawals, expiry) and `bookings` (asking) use this.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from techfest.auth.models import User
from techfest.core.mail import greeting_name
from techfest.core.models import Edition, Organisation
from techfest.db import now_utc
from techfest.i18n import fmt_in_zone, zone_name
from techfest.matchmaking.errors import MatchmakingError
from techfest.matchmaking.models import (
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingStatus,
    MeetingTable,
)
from techfest.matchmaking.participants import notify_members

REQUESTED = MeetingStatus.REQUESTED.value


def confirm_hold(session: Session, req: MeetingRequest) -> Meeting:
    """The startup accepted: the held place becomes a confirmed meeting (once, even in a race)."""
    done = session.exec(
        sa.update(Meeting)
        .where(Meeting.id == req.meeting_id, Meeting.status == REQUESTED)
        .values(status=MeetingStatus.PUBLISHED.value, updated_at=now_utc())
    )
    if done.rowcount != 1:
        raise MatchmakingError(_l("The place held for this request is no longer available."))
    meeting = session.get(Meeting, req.meeting_id)
    session.refresh(meeting)
    return meeting


def release_hold(session: Session, req: MeetingRequest) -> None:
    """Free the place a booking request held (declined, withdrawn or expired)."""
    if req.meeting_id is None:
        return
    meeting_id = req.meeting_id
    req.meeting_id = None
    session.add(req)
    session.flush()
    session.exec(sa.delete(Meeting).where(Meeting.id == meeting_id, Meeting.status == REQUESTED))
    session.flush()


def _when(req_slot: MeetingSlot | None, edition: Edition, user: User) -> str:
    if req_slot is None:
        return "?"
    return fmt_in_zone(req_slot.starts_at, edition.timezone, user.locale or "vi", "long")


def tell_booking(session: Session, edition: Edition, req: MeetingRequest, step: str) -> None:
    """Mail both sides about a booking request: 'asked', 'accepted', 'declined', 'expired',
    'withdrawn'. Times are the edition's, with their date and zone, in each reader's language."""
    slot = session.get(MeetingSlot, req.slot_id) if req.slot_id else None
    meeting = session.get(Meeting, req.meeting_id) if req.meeting_id else None
    table = session.get(MeetingTable, meeting.table_id) if meeting and meeting.table_id else None
    investor = session.get(Organisation, req.from_organisation_id)
    startup = session.get(Organisation, req.to_organisation_id)
    inv, st = greeting_name(investor.name), greeting_name(startup.name)
    label = table.label if table else "?"
    reason = req.decline_reason

    def deadline(u):
        return fmt_in_zone(req.expires_at, edition.timezone, u.locale or "vi", "long")

    def zone(u):
        return zone_name(edition.timezone, u.locale or "vi")

    texts = {
        "asked": (
            (
                lambda: _("Meeting request from %(name)s", name=inv),
                lambda u: _(
                    "%(name)s asks to meet you on %(when)s (%(zone)s), table %(table)s.\n\n"
                    "%(message)s\n\nAccept or decline in the matchmaking pages before "
                    "%(deadline)s. The place is held for you until then.",
                    name=inv,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                    table=label,
                    message=req.message,
                    deadline=deadline(u),
                ),
            ),
            (
                lambda: _("Your meeting request to %(name)s", name=st),
                lambda u: _(
                    "We asked %(name)s to meet you on %(when)s (%(zone)s), table %(table)s. "
                    "The place is held until %(deadline)s; you will hear when they answer.",
                    name=st,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                    table=label,
                    deadline=deadline(u),
                ),
            ),
        ),
        "accepted": (
            (
                lambda: _("Meeting with %(name)s", name=inv),
                lambda u: _(
                    "You accepted: your meeting with %(name)s is on %(when)s (%(zone)s), "
                    "table %(table)s.",
                    name=inv,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                    table=label,
                ),
            ),
            (
                lambda: _("%(name)s accepted your meeting request", name=st),
                lambda u: _(
                    "%(name)s accepted: your meeting is on %(when)s (%(zone)s), table "
                    "%(table)s. It is in your schedule.",
                    name=st,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                    table=label,
                ),
            ),
        ),
        "declined": (
            (
                lambda: _("You declined the meeting request from %(name)s", name=inv),
                lambda u: _(
                    "You declined the meeting with %(name)s on %(when)s (%(zone)s). "
                    "The place is free again.",
                    name=inv,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                ),
            ),
            (
                lambda: _("%(name)s declined your meeting request", name=st),
                lambda u: (
                    _(
                        "%(name)s cannot meet you on %(when)s (%(zone)s). The place is free again.",
                        name=st,
                        when=_when(slot, edition, u),
                        zone=zone(u),
                    )
                    + (("\n\n" + _("Their reason: %(reason)s", reason=reason)) if reason else "")
                ),
            ),
        ),
        "expired": tuple(
            (
                lambda other=other: _("Meeting request expired: %(name)s", name=other),
                lambda u, other=other: _(
                    "The request for a meeting with %(name)s on %(when)s (%(zone)s) got no "
                    "answer before %(deadline)s. The held place is free again.",
                    name=other,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                    deadline=deadline(u),
                ),
            )
            for other in (inv, st)
        ),
        "withdrawn": (
            (
                lambda: _("%(name)s withdrew its meeting request", name=inv),
                lambda u: _(
                    "%(name)s withdrew its request to meet you on %(when)s (%(zone)s).",
                    name=inv,
                    when=_when(slot, edition, u),
                    zone=zone(u),
                ),
            ),
            None,
        ),
    }
    for org_id, text in zip((startup.id, investor.id), texts[step], strict=True):
        if text is not None:
            key = f"mm-booking-{step}:{req.id}:{org_id}"
            notify_members(session, org_id, text[0], text[1], key)
