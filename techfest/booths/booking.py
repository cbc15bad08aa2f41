"""Booking a booth: request (held until decided), withdraw, approve, reject, cancel, expire.

Lock, check, write: the booth row is locked and a unique index on live bookings has
the last word, so two startups pressing the button at once never both get the booth.

Approving a booth with a price announces "booths.approved_paid", so the payments domain
makes the order; an approved booking whose order expires unpaid is released
(`release_unpaid`), and a late payment takes the booth again while it is free
(`retake_booking`)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths import availability
from techfest.booths.catalogue import booth_limit, effective_status
from techfest.booths.errors import BoothError, BoothLimitReached, BoothNotFound, BoothTaken
from techfest.booths.models import Booth, BoothBooking
from techfest.core import audit
from techfest.core.domains import announce
from techfest.core.editions import roles_of
from techfest.core.mail import queue_email
from techfest.core.models import Edition, EditionRole, Organisation
from techfest.db import now_utc

#: announced with (booking, booth, edition) when a booth with a price is approved
APPROVED_PAID = "booths.approved_paid"
#: announced with (booking, by_user_id) when an approved booking is cancelled
CANCELLED = "booths.cancelled"


def expire_holds(
    session: Session,
    now: datetime | None = None,
    *,
    edition_id: int | None = None,
    booth_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    """Mark pending bookings whose hold ran out as expired; returns how many."""
    now = now or now_utc()
    query = sa.update(BoothBooking).where(
        BoothBooking.status == "pending",
        BoothBooking.hold_expires_at.is_not(None),
        BoothBooking.hold_expires_at <= now,
    )
    if booth_id is not None and organisation_id is not None:
        query = query.where(
            sa.or_(
                BoothBooking.booth_id == booth_id, BoothBooking.organisation_id == organisation_id
            )
        )
    elif booth_id is not None:
        query = query.where(BoothBooking.booth_id == booth_id)
    elif organisation_id is not None:
        query = query.where(BoothBooking.organisation_id == organisation_id)
    if edition_id is not None:
        query = query.where(
            BoothBooking.booth_id.in_(select(Booth.id).where(Booth.edition_id == edition_id))
        )
    result = session.exec(
        query.values(status="expired", decided_at=now).execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount or 0


def request_booth(
    session: Session, edition: Edition, booth_id: int, user: User, now: datetime | None = None
) -> BoothBooking:
    """A startup member selects a free booth: a pending booking held for a while."""
    now = now or now_utc()
    if user.organisation_id is None or "startup" not in roles_of(session, user.id, edition.id):
        raise BoothError(_l("Only members of a startup can request a booth."))
    org = session.exec(
        select(Organisation).where(Organisation.id == user.organisation_id).with_for_update()
    ).one()
    if org.kind != "startup":
        raise BoothError(_l("Only members of a startup can request a booth."))
    booth = session.exec(
        select(Booth).where(Booth.id == booth_id, Booth.edition_id == edition.id).with_for_update()
    ).first()
    if booth is None:
        raise BoothNotFound()
    expire_holds(session, now, booth_id=booth.id, organisation_id=org.id)
    if booth.status == "blocked":
        raise BoothError(_l("Booth %(code)s is not available.", code=booth.code))
    live = availability.live_booking_of(session, booth.id, now)
    if live is not None:
        if live.organisation_id == org.id:
            raise BoothError(_l("Your organisation already holds booth %(code)s.", code=booth.code))
        raise BoothTaken(booth.code)
    limit = booth_limit(session, edition, org.id)
    if availability.live_count_of(session, edition.id, org.id, now) >= limit:
        raise BoothLimitReached(limit)
    booking = BoothBooking(
        booth_id=booth.id,
        organisation_id=org.id,
        requested_by_id=user.id,
        status="pending",
        hold_expires_at=now + timedelta(hours=edition.booth_hold_hours),
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        raise BoothTaken(booth.code) from None
    return booking


def withdraw_booking(
    session: Session, edition: Edition, booking_id: int, user: User
) -> BoothBooking:
    """The startup takes back its own pending request."""
    booking = _locked_booking(session, edition, booking_id, organisation_id=user.organisation_id)
    if effective_status(booking, now_utc()) != "pending":
        raise BoothError(_l("Only a pending request can be withdrawn."))
    booking.status = "cancelled"
    booking.decided_at = now_utc()
    booking.decided_by_id = user.id
    booking.reason = gettext("Withdrawn by the startup.")
    session.add(booking)
    session.flush()
    return booking


def _locked_booking(
    session: Session, edition: Edition, booking_id: int, organisation_id: int | None = None
) -> BoothBooking:
    query = (
        select(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(BoothBooking.id == booking_id, Booth.edition_id == edition.id)
    )
    if organisation_id is not None:
        query = query.where(BoothBooking.organisation_id == organisation_id)
    booking = session.exec(query.with_for_update(of=BoothBooking)).first()
    if booking is None:
        raise BoothNotFound()
    return booking


def _notify(session: Session, edition: Edition, booking: BoothBooking, action: str) -> None:
    """Tell the startup's members about a decision, each in their own language."""
    booth = session.get(Booth, booking.booth_id)
    members = session.exec(
        select(User)
        .join(EditionRole, EditionRole.user_id == User.id)
        .where(
            User.organisation_id == booking.organisation_id,
            EditionRole.edition_id == edition.id,
            EditionRole.role == "startup",
        )
    ).all()
    for member in members:
        with force_locale(member.locale or "vi"):
            name = edition.name_en if member.locale == "en" else edition.name_vi
            if action == "approved":
                subject = gettext("Booth %(code)s is yours", code=booth.code)
                body = gettext(
                    "Your request for booth %(code)s at %(event)s was approved.",
                    code=booth.code,
                    event=name,
                )
            elif action == "rejected":
                subject = gettext("Booth %(code)s: request not approved", code=booth.code)
                body = gettext(
                    "Your request for booth %(code)s at %(event)s was not approved.",
                    code=booth.code,
                    event=name,
                )
            else:
                subject = gettext("Booth %(code)s: booking cancelled", code=booth.code)
                body = gettext(
                    "Your booking of booth %(code)s at %(event)s was cancelled by the organisers.",
                    code=booth.code,
                    event=name,
                )
            if booking.reason:
                body += "\n\n" + gettext("Reason: %(reason)s", reason=booking.reason)
        queue_email(
            session,
            member.email,
            subject,
            body,
            dedupe_key=f"booth-booking:{booking.id}:{action}:{member.id}",
        )


def _decide(
    session: Session,
    edition: Edition,
    booking_id: int,
    organiser: User,
    status: str,
    reason: str,
) -> BoothBooking:
    now = now_utc()
    if status == "approved":
        # the organisation first, as a request locks it: its allowance is counted below
        _lock_organisation_of(session, edition, booking_id)
    booking = _locked_booking(session, edition, booking_id)
    current = effective_status(booking, now)
    if status in ("approved", "rejected") and current != "pending":
        raise BoothError(_l("This request is no longer pending; nothing was changed."))
    if status == "cancelled" and current not in ("pending", "approved"):
        raise BoothError(_l("Only a pending or approved booking can be cancelled."))
    if status == "approved":
        booth = session.get(Booth, booking.booth_id)
        if booth.status == "blocked":
            raise BoothError(_l("Unblock booth %(code)s before approving it.", code=booth.code))
        limit = booth_limit(session, edition, booking.organisation_id)
        if _approved_count(session, edition, booking.organisation_id, booking.id) >= limit:
            raise BoothError(
                _l(
                    "This startup already holds %(n)s approved booth(s), its allowance. "
                    "Raise its allowance in the settings before approving booth %(code)s.",
                    n=limit,
                    code=booth.code,
                )
            )
    booking.status = status
    booking.decided_at = now
    booking.decided_by_id = organiser.id
    booking.reason = reason.strip()
    session.add(booking)
    session.flush()
    action = {"approved": "approve", "rejected": "reject", "cancelled": "cancel"}[status]
    audit.record(
        session,
        f"booth.{action}",
        user_id=organiser.id,
        edition_id=edition.id,
        object_type="booth_booking",
        object_id=booking.id,
        booth_id=booking.booth_id,
        organisation_id=booking.organisation_id,
        reason=booking.reason,
    )
    _notify(session, edition, booking, status)
    booth = session.get(Booth, booking.booth_id)
    if status == "approved" and booth.price_vnd > 0:
        announce(session, APPROVED_PAID, booking=booking, booth=booth, edition=edition)
    if status == "cancelled":
        announce(session, CANCELLED, booking=booking, by_user_id=organiser.id)
    return booking


def _lock_organisation_of(session: Session, edition: Edition, booking_id: int) -> None:
    org_id = session.exec(
        select(BoothBooking.organisation_id)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(BoothBooking.id == booking_id, Booth.edition_id == edition.id)
    ).first()
    if org_id is not None:
        session.exec(select(Organisation.id).where(Organisation.id == org_id).with_for_update())


def _approved_count(
    session: Session, edition: Edition, organisation_id: int, other_than: int
) -> int:
    """Approved booths of the organisation in the edition, besides booking `other_than`."""
    return session.exec(
        select(sa.func.count(BoothBooking.id))
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(
            Booth.edition_id == edition.id,
            BoothBooking.organisation_id == organisation_id,
            BoothBooking.status == "approved",
            BoothBooking.id != other_than,
        )
    ).one()


def booking_by_id(session: Session, booking_id: int) -> BoothBooking | None:
    return session.exec(
        select(BoothBooking)
        .where(BoothBooking.id == booking_id)
        .execution_options(populate_existing=True)
    ).first()


def release_unpaid(session: Session, booking_id: int) -> bool:
    """The booth's fee was not paid in time: the approved booking lapses, the booth is free."""
    done = session.exec(
        sa.update(BoothBooking)
        .where(BoothBooking.id == booking_id, BoothBooking.status == "approved")
        .values(status="expired", decided_at=now_utc(), reason="unpaid")
        .execution_options(synchronize_session=False)
    )
    return done.rowcount == 1


def retake_booking(session: Session, booking_id: int) -> bool:
    """The fee arrived after the booking lapsed: approve it again if the booth is still free."""
    booking = booking_by_id(session, booking_id)
    if booking is None or booking.status != "expired":
        return False
    booth = session.exec(select(Booth).where(Booth.id == booking.booth_id).with_for_update()).one()
    if booth.status == "blocked" or availability.live_booking_of(session, booth.id, now_utc()):
        return False
    try:
        with session.begin_nested():
            done = session.exec(
                sa.update(BoothBooking)
                .where(BoothBooking.id == booking_id, BoothBooking.status == "expired")
                .values(status="approved", decided_at=now_utc(), reason="")
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:
        return False  # someone else's booking holds the booth now
    return done.rowcount == 1


def approve_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str = ""
) -> BoothBooking:
    """Approve a booth request; the startup is told."""
    return _decide(session, edition, booking_id, organiser, "approved", reason)


def reject_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str
) -> BoothBooking:
    """Reject a booth request with a reason; the booth is free again."""
    if not reason.strip():
        raise BoothError(_l("Give the startup a reason for the rejection."), field="reason")
    return _decide(session, edition, booking_id, organiser, "rejected", reason)


def cancel_booking(
    session: Session, edition: Edition, booking_id: int, organiser: User, reason: str
) -> BoothBooking:
    """Cancel an approved booking with a reason; the booth is free again."""
    if not reason.strip():
        raise BoothError(_l("Give the startup a reason for the cancellation."), field="reason")
    return _decide(session, edition, booking_id, organiser, "cancelled", reason)


#: the most requests one bulk decision takes (a page of the organiser's list)
MAX_BULK = 200
BULK_ACTIONS = ("approve", "reject")


def decide_many(
    session: Session,
    edition: Edition,
    booking_ids: list[int],
    organiser: User,
    action: str,
    reason: str = "",
) -> list[BoothBooking]:
    """Approve or reject several requests at once: every one of them, or none.

    Each goes through the rules of a single decision (still pending, booth not blocked,
    the startup's allowance counted with the approvals made before it in the same batch),
    in one transaction: the first refusal undoes the batch and says which booth it was.
    """
    ids = sorted(set(booking_ids))
    if not ids:
        raise BoothError(_l("Choose at least one request."), field="bookings")
    if len(ids) > MAX_BULK:
        raise BoothError(
            _l("Choose at most %(n)s requests at a time.", n=MAX_BULK), field="bookings"
        )
    if action not in BULK_ACTIONS:
        raise BoothError(_l("Choose approve or reject."), field="action")
    if action == "reject" and not reason.strip():
        raise BoothError(_l("Give the startups a reason for the rejection."), field="reason")
    decided = []
    with session.begin_nested():
        for booking_id in ids:
            try:
                if action == "approve":
                    decided.append(approve_booking(session, edition, booking_id, organiser, reason))
                else:
                    decided.append(reject_booking(session, edition, booking_id, organiser, reason))
            except BoothError as exc:
                if exc.not_found:
                    raise
                code = _booth_code_of(session, booking_id)
                raise BoothError(
                    _l(
                        "Nothing was changed. Booth %(code)s: %(reason)s",
                        code=code,
                        reason=exc.message,
                    )
                ) from exc
    return decided


def _booth_code_of(session: Session, booking_id: int) -> str:
    return (
        session.exec(
            select(Booth.code)
            .join(BoothBooking, BoothBooking.booth_id == Booth.id)
            .where(BoothBooking.id == booking_id)
        ).first()
        or "?"
    )
