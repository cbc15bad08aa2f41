"""Demo touches for the floor plan: booths kept off sale, and who asked for each booking."""

from __future__ import annotations

from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.booths.models import Booth, BoothBooking
from techfest.core.models import Edition, EditionRole

#: booths by the stage kept for the press and first aid (sample choice)
BLOCKED_CODES = ("F05", "F06")


def load_demo(session: Session, edition: Edition) -> None:
    booked = select(BoothBooking.booth_id)
    for booth in session.exec(
        select(Booth).where(
            Booth.edition_id == edition.id,
            Booth.code.in_(BLOCKED_CODES),
            Booth.id.not_in(booked),
        )
    ):
        booth.status = "blocked"
        session.add(booth)
    members = {
        org_id: user_id
        for user_id, org_id in session.exec(
            select(User.id, User.organisation_id)
            .join(EditionRole, EditionRole.user_id == User.id)
            .where(EditionRole.edition_id == edition.id, EditionRole.role == "startup")
            .order_by(User.id.desc())
        )
    }
    for booking in session.exec(
        select(BoothBooking)
        .join(Booth, Booth.id == BoothBooking.booth_id)
        .where(Booth.edition_id == edition.id, BoothBooking.requested_by_id.is_(None))
    ):
        booking.requested_by_id = members.get(booking.organisation_id)
        session.add(booking)
    session.flush()
