"""Demo data for the organiser pages: a registration curve, past check-ins, a data request."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from techfest.checkin.models import CheckIn
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.organiser.models import DataRequest
from techfest.programme.models import ProgrammeSession, SessionSignup
from techfest.registration.models import Registration

#: registration opens this many days before the festival
OPEN_DAYS = 75
#: the demo's older edition has taken place; the newest one is being prepared
PAST_DEMO_YEAR = 2024


def load_demo(session: Session, edition: Edition) -> None:
    rng = random.Random(edition.year * 31)
    tz = ZoneInfo(edition.timezone)
    regs = session.exec(
        select(Registration).where(Registration.edition_id == edition.id).order_by(Registration.id)
    ).all()
    past = edition.year <= PAST_DEMO_YEAR
    # the newest demo edition is "coming up": its sign-ups end a few weeks before today,
    # where the registration demo's own VIP guests take over
    closing = (
        datetime.combine(edition.starts_on, time(9), tz) if past else now_utc() - timedelta(days=21)
    )
    _spread_registrations(regs, closing, rng)
    if past:
        _past_check_ins(session, edition, regs, tz, rng)
    elif regs:
        sample = next((r for r in regs[5:] if r.status == "confirmed"), None)
        if sample is not None:
            session.add(
                DataRequest(
                    user_id=sample.user_id,
                    edition_id=edition.id,
                    kind="export",
                    received_at=datetime.combine(edition.starts_on, time(10), tz)
                    - timedelta(days=3),
                    note="email",
                )
            )
    session.flush()


def _spread_registrations(regs, closing, rng) -> None:
    """Demo people all registered at load time; give them a believable curve instead."""
    if not regs or max(r.created_at for r in regs) - min(r.created_at for r in regs) > timedelta(
        days=1
    ):
        return
    opening = closing - timedelta(days=OPEN_DAYS)
    for reg in regs:
        # more people register as the festival comes closer
        day = OPEN_DAYS * (1 - rng.random() ** 1.8)
        moment = opening + timedelta(days=min(day, OPEN_DAYS - 1), minutes=rng.randint(0, 600))
        reg.created_at = moment
        if reg.confirmed_at is not None:
            reg.confirmed_at = moment


def _past_check_ins(session, edition, regs, tz, rng) -> None:
    first_day = datetime.combine(edition.starts_on, time(7, 45), tz)
    confirmed = {r.user_id: r for r in regs if r.status == "confirmed"}
    for reg in confirmed.values():
        if rng.random() < 0.82:
            session.add(
                CheckIn(
                    edition_id=edition.id,
                    registration_id=reg.id,
                    scanned_at=first_day + timedelta(minutes=rng.randint(0, 150)),
                )
            )
    seats = session.exec(
        select(SessionSignup, ProgrammeSession)
        .join(ProgrammeSession, ProgrammeSession.id == SessionSignup.session_id)
        .where(ProgrammeSession.edition_id == edition.id, SessionSignup.status == "seated")
    ).all()
    for signup, ps in seats:
        reg = confirmed.get(signup.user_id)
        if reg is not None and rng.random() < 0.7:
            session.add(
                CheckIn(
                    edition_id=edition.id,
                    registration_id=reg.id,
                    session_id=ps.id,
                    scanned_at=ps.starts_at - timedelta(minutes=rng.randint(0, 10)),
                )
            )
