"""Demo touches for the floor plan: a few booths the organisers keep off sale."""

from __future__ import annotations

from sqlmodel import Session, select

from techfest.booths.models import Booth, BoothBooking
from techfest.core.models import Edition

#: booths next to the entrance kept for the press and first aid (sample choice)
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
    session.flush()
