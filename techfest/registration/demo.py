"""Registration demo data: a full VIP ticket with a short waitlist (2025).

The base loader already registers the demo delegates; this adds what the registration
pages need to show their other states: invented VIP guests (`sample=True`) take the last
VIP places, and a few more people wait for one, in the order they registered.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, select

from techfest.auth.models import User
from techfest.auth.services import create_user, grant_role
from techfest.core.models import Edition
from techfest.db import now_utc
from techfest.demo.files import read
from techfest.registration.catalogue import CONSENT_VERSION, NO_PASSWORD
from techfest.registration.models import Registration, TicketType

#: people waiting for a VIP place in the demo
VIP_WAITLIST = 6


def load_demo(session: Session, edition: Edition) -> None:
    if edition.year != 2025:
        return
    vip = session.exec(
        select(TicketType).where(TicketType.edition_id == edition.id, TicketType.code == "VIP")
    ).first()
    if vip is None:
        return
    session.refresh(vip)
    already = session.exec(
        select(User.id).where(User.email == f"vip{edition.year}.001@example.vn")
    ).first()
    if already is not None:
        return
    people = read("people.json")
    rng = random.Random(edition.year * 7)
    titles = list(zip(people["titles_vi"], people["titles_en"], strict=False))
    free = vip.capacity - vip.confirmed_count
    start = now_utc() - timedelta(days=20)
    for i in range(1, free + VIP_WAITLIST + 1):
        name = " ".join(
            (
                rng.choice(people["family_names"]),
                rng.choice(people["middle_names"]),
                rng.choice(people["given_names"]),
            )
        )
        title_vi, _title_en = rng.choice(titles)
        user = create_user(
            session,
            f"vip{edition.year}.{i:03d}@example.vn",
            "",
            name,
            password_hash=NO_PASSWORD,  # invented guests cannot log in
            job_title=title_vi,
            sample=True,
        )
        grant_role(session, user, edition.id, "delegate")
        when = start + timedelta(minutes=37 * i)
        confirmed = i <= free
        session.add(
            Registration(
                edition_id=edition.id,
                user_id=user.id,
                ticket_type_id=vip.id,
                status="confirmed" if confirmed else "waitlisted",
                waitlist_position=None if confirmed else i - free,
                full_name=name,
                email=user.email,
                organisation_name=rng.choice(people["organisations"]),
                job_title=title_vi,
                language="vi",
                consent_version=CONSENT_VERSION,
                consent_at=when,
                created_at=when,
                confirmed_at=when if confirmed else None,
            )
        )
    vip.confirmed_count = vip.capacity
    session.add(vip)
    session.flush()
